import type { Http1Response } from './http1-response.js';

/** What the gateway does when the upstream exchange ends; implemented by the Gateway. */
export interface ProxyOutcome {
  /** Builds the client's response headers (flat name/value list) from the upstream's raw ones. */
  responseHeaders(rawHeaders: readonly (string | Buffer)[]): string[];
  completed(status: number): void;
  /** The upstream failed; `started` tells whether the client's answer had begun. */
  failed(error: Error, started: boolean): void;
}

/**
 * One upstream exchange, driven by undici's dispatcher callbacks directly: raw headers in,
 * chunks out, no intermediate stream or parsed header object (the gateway benchmark measured the
 * stream() API's extra work). Backpressure: a chunk the client cannot take yet pauses the
 * upstream until the response drains. A client that goes away aborts the upstream request.
 */
export class ProxyHandler {
  readonly #res: Http1Response;
  readonly #outcome: ProxyOutcome;
  #abort: ((error?: Error) => void) | null = null;
  #resume: (() => void) | null = null;
  #started = false;
  #done = false;
  /** The chunk that completes the body, sent with res.end(): one write instead of two. */
  #last: Buffer | undefined;

  constructor(res: Http1Response, outcome: ProxyOutcome) {
    this.#res = res;
    this.#outcome = outcome;
    res.onClose(this.#onClientClose);
  }

  onConnect(abort: (error?: Error) => void): void {
    this.#abort = abort;
    if (this.#res.destroyed) abort(new Error('the client went away'));
  }

  onHeaders(statusCode: number, rawHeaders: (string | Buffer)[], resume: () => void): boolean {
    // 1xx answers (100 Continue, 103 Early Hints) are not relayed: the final answer follows.
    if (statusCode < 200) return true;
    this.#resume = resume;
    this.#started = true;
    this.#res.writeHead(statusCode, this.#outcome.responseHeaders(rawHeaders));
    return true;
  }

  onData(chunk: Buffer): boolean {
    // The answer's Content-Length says this chunk is the last: it goes out with end().
    if (this.#res.remaining === chunk.length) {
      this.#last = chunk;
      return true;
    }
    const ok = this.#res.write(chunk);
    if (!ok) this.#res.onDrain(this.#onDrain);
    return ok;
  }

  onComplete(): void {
    this.#done = true;
    this.#res.end(this.#last);
    this.#outcome.completed(this.#res.statusCode);
  }

  onError(error: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#outcome.failed(error, this.#started);
  }

  readonly #onDrain = (): void => {
    this.#resume?.();
  };

  readonly #onClientClose = (): void => {
    if (!this.#done && this.#abort !== null) this.#abort(new Error('the client went away'));
  };
}
