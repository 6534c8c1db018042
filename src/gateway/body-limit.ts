import { Transform, type TransformCallback } from 'node:stream';

/** Thrown through the body stream when a chunked body grows past the limit (413). */
export class BodyTooLargeError extends Error {
  readonly code = 'ERR_GW_BODY_TOO_LARGE';
}

/**
 * Counts a body without a Content-Length as it streams to the backend and stops it at the
 * limit. A body with a Content-Length is checked before proxying and needs no counting: Node
 * enforces the length it announced.
 */
export class BodyLimit extends Transform {
  readonly #max: number;
  #seen = 0;

  constructor(max: number) {
    super();
    this.#max = max;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#max) callback(new BodyTooLargeError(`the request body is larger than ${this.#max} bytes`));
    else callback(null, chunk);
  }
}
