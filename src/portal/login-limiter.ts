/**
 * Sign-in attempts per email and per client address in a sliding window: guessing passwords
 * costs a wait, whichever of the two an attacker varies.
 */
export class LoginLimiter {
  readonly #attempts = new Map<string, number[]>();
  readonly #max: number;
  readonly #windowMs: number;

  constructor(max = 10, windowMs = 5 * 60_000) {
    this.#max = max;
    this.#windowMs = windowMs;
  }

  /** Seconds to wait before trying again, or 0 when an attempt is allowed (and then counted). */
  attempt(keys: readonly string[], now = Date.now()): number {
    let wait = 0;
    for (const key of keys) {
      const recent = (this.#attempts.get(key) ?? []).filter((at) => now - at < this.#windowMs);
      this.#attempts.set(key, recent);
      if (recent.length >= this.#max) wait = Math.max(wait, Math.ceil((recent[0]! + this.#windowMs - now) / 1000));
    }
    if (wait > 0) return wait;
    for (const key of keys) this.#attempts.get(key)!.push(now);
    if (this.#attempts.size > 100_000) this.#sweep(now);
    return 0;
  }

  /** A successful sign-in clears the email's count. */
  succeeded(key: string): void {
    this.#attempts.delete(key);
  }

  #sweep(now: number): void {
    for (const [key, times] of this.#attempts) if (times.every((at) => now - at >= this.#windowMs)) this.#attempts.delete(key);
  }
}
