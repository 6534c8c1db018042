import { HEADER_LINE } from './http1-syntax.js';

/**
 * The chunked transfer coding (RFC 9112 7.1), decoded as bytes arrive: the request bodies the
 * gateway's server reads and the answers its client reads. Strict: hexadecimal sizes of at most
 * 12 digits, extensions as the grammar writes them, CRLF line ends, at most 8 KiB per size or
 * trailer line, and trailers that are header lines, 16 KiB at most (read and dropped).
 */

const enum Part {
  Size,
  Data,
  DataEnd,
  Trailer,
  Done,
}

const MAX_LINE = 8192;
const MAX_TRAILERS = 16 * 1024;
/**
 * A size and its extensions (RFC 9112 7.1.1): `;name` or `;name=token` or `;name="quoted"`, with
 * no white space (parsers disagree on where it may go; none is needed).
 */
const SIZE_LINE = /^([0-9a-fA-F]{1,12})(?:;[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:=(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"))?)*$/;

export class ChunkedDecoder {
  #part = Part.Size;
  #remaining = 0;
  #line = '';
  #trailerBytes = 0;
  /** Why the coding is invalid, once it is. */
  error: string | undefined;

  /** The last chunk and its trailers have been read. */
  get done(): boolean {
    return this.#part === Part.Done;
  }

  /**
   * Decodes `data` from `offset`, handing each piece of data to `deliver`; stops at the end of
   * the body (the bytes after it belong to the next message). Returns the offset after the last
   * byte it consumed, or -1 when the coding is invalid (see `error`).
   */
  decode(data: Buffer, offset: number, deliver: (chunk: Buffer) => void): number {
    while (offset < data.length && this.#part !== Part.Done) {
      if (this.#part === Part.Data) {
        const take = Math.min(this.#remaining, data.length - offset);
        this.#remaining -= take;
        deliver(data.subarray(offset, offset + take));
        offset += take;
        if (this.#remaining === 0) this.#part = Part.DataEnd;
        continue;
      }
      // Size lines, the CRLF after data, and trailers are read line by line.
      const newline = data.indexOf(10, offset);
      const end = newline === -1 ? data.length : newline + 1;
      this.#line += data.toString('latin1', offset, end);
      offset = end;
      if (this.#line.length > MAX_LINE) return this.#fail('a chunk line is too long');
      if (newline === -1) return offset;
      if (!this.#line.endsWith('\r\n')) return this.#fail('a chunk line does not end with CRLF');
      const line = this.#line.slice(0, -2);
      this.#line = '';
      if (this.#part === Part.DataEnd) {
        if (line !== '') return this.#fail('a chunk is longer than its size');
        this.#part = Part.Size;
      } else if (this.#part === Part.Size) {
        const size = SIZE_LINE.exec(line);
        if (size === null) return this.#fail('a chunk size is malformed');
        this.#remaining = parseInt(size[1]!, 16);
        this.#part = this.#remaining === 0 ? Part.Trailer : Part.Data;
      } else if (line === '') {
        this.#part = Part.Done;
      } else {
        // Trailers are dropped, but read as strictly as headers: a line that is not one (a bare
        // CR, a request line) would be read otherwise by the next parser.
        this.#trailerBytes += line.length + 2;
        if (this.#trailerBytes > MAX_TRAILERS) return this.#fail('the trailers are too large');
        if (!HEADER_LINE.test(line)) return this.#fail('a trailer line is malformed');
      }
    }
    return offset;
  }

  #fail(reason: string): number {
    this.error = reason;
    return -1;
  }
}
