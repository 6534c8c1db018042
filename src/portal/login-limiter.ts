/**
 * Failed sign-ins per email and per client address in a sliding window: guessing passwords
 * costs a wait, whichever of the two an attacker varies, while successful sign-ins (many users
 * behind one address) are not counted.
 */
export class LoginLimiter {
  readonly #attempts = new Map<string, number[]>();
  readonly #max: number;
  readonly #windowMs: number;

  constructor(max = 10, windowMs = 5 * 60_000) {
    this.#max = max;
    this.#windowMs = windowMs;
  }

  /** Seconds to wait before trying again, or 0 when an attempt is allowed. */
  check(keys: readonly string[], now = Date.now()): number {
    let wait = 0;
    for (const key of keys) {
      const recent = (this.#attempts.get(key) ?? []).filter((at) => now - at < this.#windowMs);
      if (recent.length === 0) this.#attempts.delete(key);
      else this.#attempts.set(key, recent);
      if (recent.length >= this.#max) wait = Math.max(wait, Math.ceil((recent[0]! + this.#windowMs - now) / 1000));
    }
    return wait;
  }

  /** Counts a failed attempt against each key. */
  failed(keys: readonly string[], now = Date.now()): void {
    for (const key of keys) this.#attempts.set(key, [...(this.#attempts.get(key) ?? []), now]);
    if (this.#attempts.size > 100_000) this.#sweep(now);
  }

  /** A successful sign-in clears the email's count. */
  succeeded(key: string): void {
    this.#attempts.delete(key);
  }

  #sweep(now: number): void {
    for (const [key, times] of this.#attempts) if (times.every((at) => now - at >= this.#windowMs)) this.#attempts.delete(key);
  }
}
