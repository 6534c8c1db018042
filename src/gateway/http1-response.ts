import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { hasToken, LINE_BREAKING } from './http1-syntax.js';

/** What an answer needs from its connection (http1-server.ts). */
export interface ResponseChannel {
  readonly socket: Socket;
  /** The Date header value of this second. */
  readonly date: string;
  /** The request's body is still arriving. */
  readonly readingBody: boolean;
  /** The answer is complete: the next request, or the end of the connection. */
  answered(response: Http1Response): void;
  destroy(): void;
}

type HeaderValue = string | number | readonly string[] | undefined;

/** A small body is copied next to its head, so both leave in one write. */
const COALESCE_BYTES = 16 * 1024;

/**
 * The answer to one request. The head is written with the first body bytes (or at the end), so a
 * small answer leaves in one write. Framing: the handler's Content-Length, or chunked for HTTP/1.1
 * (close-delimited for HTTP/1.0); never more bytes than a Content-Length announced.
 */
export class Http1Response {
  readonly #connection: ResponseChannel;
  readonly #head: boolean;
  readonly #http10: boolean;
  statusCode = 200;
  headersSent = false;
  finished = false;
  destroyed = false;
  keepAlive: boolean;
  #headText = '';
  #chunked = false;
  #remaining = -1;
  #noBody = false;
  #onClose: (() => void) | null = null;
  #onDrain: (() => void) | null = null;

  constructor(connection: ResponseChannel, head: boolean, http10: boolean, keepAlive: boolean) {
    this.#connection = connection;
    this.#head = head;
    this.#http10 = http10;
    this.keepAlive = keepAlive;
  }

  get socket(): Socket {
    return this.#connection.socket;
  }

  /** Body bytes the Content-Length still allows (-1: no length, or an answer without a body). */
  get remaining(): number {
    return this.#remaining;
  }

  /** Called once if the client goes away before the answer is complete. */
  onClose(callback: () => void): void {
    this.#onClose = callback;
  }

  /** Called once when a write that returned false has drained. */
  onDrain(callback: () => void): void {
    if (this.#onDrain === null) this.#connection.socket.once('drain', this.#drained);
    this.#onDrain = callback;
  }

  readonly #drained = (): void => {
    const callback = this.#onDrain;
    this.#onDrain = null;
    callback?.();
  };

  /** Headers as an object or as a flat name/value list. */
  writeHead(status: number, headers: Readonly<Record<string, HeaderValue>> | readonly string[]): this {
    if (this.headersSent || this.#headText !== '') throw new Error('the answer head is already written');
    this.statusCode = status;
    let text = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    let hasDate = false;
    let length = -1;
    const add = (name: string, value: string): void => {
      if (LINE_BREAKING.test(value) || LINE_BREAKING.test(name)) throw new Error(`the answer header ${JSON.stringify(name)} holds CR, LF or NUL`);
      const size = name.length;
      if (size === 4 || size === 10 || size === 14 || size === 17) {
        const lower = name.toLowerCase();
        if (lower === 'date') hasDate = true;
        else if (lower === 'content-length') length = Number(value);
        else if (lower === 'connection') {
          if (hasToken(value.toLowerCase(), 'close')) this.keepAlive = false;
          return;
        } else if (lower === 'transfer-encoding') return;
      }
      text += `${name}: ${value}\r\n`;
    };
    if (Array.isArray(headers)) {
      const list = headers as readonly string[];
      for (let i = 0; i < list.length; i += 2) add(list[i]!, list[i + 1]!);
    } else {
      const record = headers as Readonly<Record<string, HeaderValue>>;
      for (const name in record) {
        const value = record[name];
        if (value === undefined) continue;
        if (typeof value === 'object') for (const item of value) add(name, item);
        else add(name, String(value));
      }
    }
    if (!hasDate) text += `date: ${this.#connection.date}\r\n`;
    this.#noBody = this.#head || status === 204 || status === 304 || status < 200;
    if (!this.#noBody) {
      if (length !== -1) this.#remaining = length;
      else if (this.#http10) this.keepAlive = false;
      else {
        this.#chunked = true;
        text += 'transfer-encoding: chunked\r\n';
      }
    }
    // An answer given before the request's body arrived whole ends the connection: the rest of
    // that body would be read as the next request.
    if (this.#connection.readingBody) this.keepAlive = false;
    if (!this.keepAlive) text += 'connection: close\r\n';
    else if (this.#http10) text += 'connection: keep-alive\r\n';
    this.#headText = `${text}\r\n`;
    return this;
  }

  /** Writes body bytes; false when the client is slow (wait for onDrain). */
  write(chunk: Buffer): boolean {
    if (this.destroyed || this.finished) return false;
    this.#ensureHead();
    return this.#send(chunk, false);
  }

  end(chunk?: Buffer | string): void {
    if (this.destroyed || this.finished) return;
    this.#ensureHead();
    this.finished = true;
    const data = chunk === undefined ? undefined : typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.#send(data, true);
    this.#connection.answered(this);
  }

  /** Body bytes before writeHead: the head is the default one for the status. */
  #ensureHead(): void {
    if (this.#headText === '' && !this.headersSent) this.writeHead(this.statusCode, {});
  }

  /** Cuts the answer: the connection is closed, so the client sees it incomplete. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.#connection.destroy();
  }

  /** The client went away. */
  clientGone(): void {
    if (this.finished) return;
    this.destroyed = true;
    const callback = this.#onClose;
    this.#onClose = null;
    callback?.();
  }

  #send(chunk: Buffer | undefined, last: boolean): boolean {
    const socket = this.#connection.socket;
    if (!socket.writable) return false;
    let body = chunk;
    if (body !== undefined && body.length > 0) {
      if (this.#noBody) body = undefined;
      else if (this.#remaining !== -1) {
        if (body.length > this.#remaining) {
          // More than the head announced would be read as the start of another answer.
          this.destroy();
          return false;
        }
        this.#remaining -= body.length;
      }
    } else body = undefined;
    const head = this.#headText;
    this.#headText = '';
    if (head !== '') this.headersSent = true;
    if (this.#chunked) {
      if (body === undefined) {
        const text = last ? `${head}0\r\n\r\n` : head;
        return text === '' || socket.write(text, 'latin1');
      }
      socket.cork();
      socket.write(`${head}${body.length.toString(16)}\r\n`, 'latin1');
      socket.write(body);
      const ok = socket.write(last ? '\r\n0\r\n\r\n' : '\r\n', 'latin1');
      socket.uncork();
      return ok;
    }
    if (body === undefined) return head === '' || socket.write(head, 'latin1');
    if (head === '') return socket.write(body);
    if (body.length <= COALESCE_BYTES) {
      // One byte per character in latin1: the head's length is its size.
      const out = Buffer.allocUnsafe(head.length + body.length);
      out.write(head, 0, 'latin1');
      body.copy(out, head.length);
      return socket.write(out);
    }
    socket.cork();
    socket.write(head, 'latin1');
    const ok = socket.write(body);
    socket.uncork();
    return ok;
  }
}
