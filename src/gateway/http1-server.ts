import { METHODS } from 'node:http';
import { Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { ChunkedDecoder } from './chunked-decoder.js';
import { Http1Response, type ResponseChannel } from './http1-response.js';
import { CONTENT_LENGTH, HEADER_LINE, hasToken } from './http1-syntax.js';

/**
 * The gateway's own HTTP/1.1 server, the other half of the hot path (the client is
 * http1-client.ts). node:http's request and response objects, their streams and events cost
 * about a tenth of the CPU of a proxied request (bench:gateway); this server hands the gateway a
 * plain request (method, target, raw header lines, a body stream only when there is a body) and
 * a response that writes its head and a small body in one write.
 *
 * It is strict, because what it accepts is what every rule is judged on (docs/gateway-security.md):
 * a request line of a known method, an origin-form-or-other target of visible ASCII, HTTP/1.0 or
 * 1.1; header lines of a token name, a colon and a value of visible characters (no folding, no
 * bare CR or LF, no NUL); a head of at most 16 KiB; a body framed by one Content-Length or by
 * `Transfer-Encoding: chunked` alone, never both. Anything else is answered 400 (431 for a head
 * too large) and the connection is closed. Requests on one connection are answered in order, one
 * at a time: the bytes of a pipelined request wait until the answer before them is complete.
 */

export interface Http1ServerOptions {
  /** A connection must send a complete head within this long of its first byte (or of opening). */
  readonly headersTimeoutMs: number;
  /** A request must arrive whole (head and body) within this long. */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  readonly keepAliveTimeoutMs: number;
  /** The largest request line plus header lines. */
  readonly maxHeadBytes: number;
  /** The raw answer to a request refused before the handler runs (it is written, then the connection closed). */
  readonly refusal: (problem: Refusal) => string;
}

export type Refusal = 'bad-request' | 'head-too-large' | 'timeout';
export type Http1Handler = (req: Http1Request, res: Http1Response) => void;

/** The request the handler sees: what the client sent, validated, nothing derived yet. */
export class Http1Request {
  readonly method: string;
  /** The request target as sent (visible ASCII, not yet canonical). */
  readonly url: string;
  /** Header names and values alternate, in the client's order and case. */
  readonly rawHeaders: string[];
  /** The body; null when the request has none (no Content-Length above 0, not chunked). */
  readonly body: Readable | null;
  readonly socket: Socket;
  #headers: Record<string, string> | undefined;

  constructor(method: string, url: string, rawHeaders: string[], body: Readable | null, socket: Socket) {
    this.method = method;
    this.url = url;
    this.rawHeaders = rawHeaders;
    this.body = body;
    this.socket = socket;
  }

  /**
   * Lower-cased names to values, repeated lines joined with ", " (as node:http joins most):
   * built on first use only, for the few requests that need it (version conditions, preflights).
   */
  get headers(): Readonly<Record<string, string>> {
    if (this.#headers !== undefined) return this.#headers;
    const headers: Record<string, string> = Object.create(null) as Record<string, string>;
    const raw = this.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      const before = headers[name];
      headers[name] = before === undefined ? raw[i + 1]! : `${before}, ${raw[i + 1]!}`;
    }
    this.#headers = headers;
    return headers;
  }
}

const METHOD_SET = new Set(METHODS);
/**
 * `METHOD SP target SP HTTP/1.x`; the target in origin form (`/...`), absolute form
 * (`scheme://...`), authority form (`host:port`, CONNECT's) or `*`, as llhttp accepts them: the
 * gateway refuses all but the first itself (400), but no other shape is read as a request.
 */
const REQUEST_LINE = /^([A-Z][A-Z-]*) (\/[\x21-\x7e]*|\*|[A-Za-z][A-Za-z0-9+.-]*:\/\/[\x21-\x7e]+|[A-Za-z0-9.-]+:\d{1,5}) HTTP\/1\.([01])$/;
const TRAILING_TAB = /\t[\t ]*$/;
/** Bytes of pipelined requests kept while an answer is in flight; past it the socket pauses. */
const MAX_PENDING_BYTES = 64 * 1024;
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
/** How long a connection we closed may wait for the client to close its side. */
const LINGER_MS = 5000;

/** The server: a net.Server whose connections speak HTTP/1.1 to the handler. */
export class Http1Server extends Server {
  readonly #connections = new Set<Connection>();
  #sweeper: NodeJS.Timeout | undefined;
  /** The Date header, renewed every second by the sweep. */
  date = new Date().toUTCString();

  constructor(options: Http1ServerOptions, handler: Http1Handler) {
    // Half-open, so that a client's FIN is the connection's to handle (it abandons what is unanswered).
    super({ noDelay: true, allowHalfOpen: true });
    this.on('connection', (socket: Socket) => {
      const connection = new Connection(this, socket, options, handler);
      this.#connections.add(connection);
      socket.once('close', () => this.#connections.delete(connection));
      if (this.#sweeper === undefined) {
        this.date = new Date().toUTCString();
        this.#sweeper = setInterval(() => this.#sweep(), 1000).unref();
      }
    });
    this.once('close', () => clearInterval(this.#sweeper));
  }

  /** Timeouts are checked once a second for every connection, not re-armed on every request. */
  #sweep(): void {
    const now = Date.now();
    this.date = new Date(now).toUTCString();
    for (const connection of this.#connections) connection.check(now);
  }

  /** Stops accepting; idle connections close now, busy ones after their answer (as node:http does). */
  override close(callback?: (error?: Error) => void): this {
    super.close(callback);
    this.closeIdleConnections();
    return this;
  }

  closeIdleConnections(): void {
    for (const connection of this.#connections) connection.closeIfIdle();
  }

  closeAllConnections(): void {
    for (const connection of this.#connections) connection.destroy();
  }
}

const enum State {
  /** Waiting for (the rest of) a head. */
  Head,
  /** Reading the body of the request being answered. */
  Body,
  /** The request is read; its answer is not complete yet. */
  Answering,
  Closed,
}

/** One client connection: its parser, and the exchange in flight. */
class Connection implements ResponseChannel {
  readonly #server: Http1Server;
  readonly #socket: Socket;
  readonly #options: Http1ServerOptions;
  readonly #handler: Http1Handler;
  #state = State.Head;
  /** Bytes read and not yet parsed. */
  #pending: Buffer | null = null;
  /** When the current phase started, for the sweep's timeouts. */
  #since = Date.now();
  #requestStart = 0;
  /** A head has started arriving (or the connection is new): the headers timeout runs. */
  #waitingForHead = true;
  #parsing = false;
  #response: Http1Response | null = null;
  #body: RequestBody | null = null;
  #bodyRemaining = 0;
  #chunked: ChunkedDecoder | null = null;
  #keepAlive = true;

  constructor(server: Http1Server, socket: Socket, options: Http1ServerOptions, handler: Http1Handler) {
    this.#server = server;
    this.#socket = socket;
    this.#options = options;
    this.#handler = handler;
    socket.on('data', (data: Buffer) => this.#read(data));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#closed());
    // As with node:http, a client that ends its side has gone: what it asked and has not been
    // answered yet is abandoned (the upstream request is aborted), and our side ends too.
    socket.on('end', () => {
      this.#abandon('the client ended the connection');
      this.#close();
    });
  }

  /** The Date header value of this second. */
  get date(): string {
    return this.#server.date;
  }

  get socket(): Socket {
    return this.#socket;
  }

  check(now: number): void {
    if (this.#state === State.Head) {
      if (this.#waitingForHead) {
        if (now - this.#since > this.#options.headersTimeoutMs) this.#refuse('timeout');
      } else if (now - this.#since > this.#options.keepAliveTimeoutMs) this.destroy();
    } else if (this.#state === State.Closed) {
      // Our side is closed; a client that does not close its side in time is cut.
      if (now - this.#since > LINGER_MS) this.destroy();
    } else if (this.#state === State.Body && now - this.#requestStart > this.#options.requestTimeoutMs) {
      this.#body?.fail('the request body did not arrive in time');
      if (this.#response?.headersSent === false) this.#refuse('timeout');
      else this.destroy();
    }
  }

  closeIfIdle(): void {
    if (this.#state === State.Head && this.#response === null && this.#pending === null) this.destroy();
    else this.#keepAlive = false;
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #read(data: Buffer): void {
    if (this.#state === State.Closed) return;
    if (this.#state === State.Body) {
      const offset = this.#readBody(data, 0);
      if (offset < 0 || offset === data.length) return;
      data = data.subarray(offset);
    }
    this.#pending = this.#pending === null ? data : Buffer.concat([this.#pending, data]);
    if (this.#state === State.Head) {
      if (!this.#waitingForHead) {
        this.#waitingForHead = true;
        this.#since = Date.now();
      }
      this.#parse();
    } else if (this.#pending.length > MAX_PENDING_BYTES) this.#socket.pause();
  }

  /**
   * Parses and dispatches the requests waiting in #pending, one after another. An answer given
   * at once (a 401) comes back here through #next: the loop, not a recursion, takes the next one.
   */
  #parse(): void {
    if (this.#parsing) return;
    this.#parsing = true;
    try {
      while (this.#state === State.Head && this.#pending !== null) {
        if (!this.#parseHead()) break;
      }
    } finally {
      this.#parsing = false;
    }
  }

  /** One head from #pending, if complete: the request is handed over. False to wait for more bytes. */
  #parseHead(): boolean {
    let buffer = this.#pending!;
    // Empty lines before a request line are ignored (RFC 9112 2.2), and not kept.
    let skipped = 0;
    while (skipped + 1 < buffer.length && buffer[skipped] === 13 && buffer[skipped + 1] === 10) skipped += 2;
    if (skipped > 0) {
      buffer = buffer.subarray(skipped);
      this.#pending = buffer.length === 0 ? null : buffer;
      if (this.#pending === null) return false;
    }
    const end = buffer.indexOf('\r\n\r\n', 0, 'latin1');
    if (end === -1) {
      if (buffer.length > this.#options.maxHeadBytes) return this.#refuse('head-too-large');
      // A line ended by LF alone is refused at once, not waited on until the head is too large.
      if (hasBareLineFeed(buffer)) return this.#refuse('bad-request');
      return false;
    }
    if (end > this.#options.maxHeadBytes) return this.#refuse('head-too-large');
    const head = buffer.toString('latin1', 0, end);
    buffer = buffer.subarray(end + 4);
    this.#pending = buffer.length === 0 ? null : buffer;

    let lineEnd = head.indexOf('\r\n');
    const requestLine = REQUEST_LINE.exec(lineEnd === -1 ? head : head.slice(0, lineEnd));
    if (requestLine === null || !METHOD_SET.has(requestLine[1]!)) return this.#refuse('bad-request');
    const method = requestLine[1]!;
    const http10 = requestLine[3] === '0';
    const rawHeaders: string[] = [];
    let contentLength = -1;
    let transferEncoding: string | undefined;
    let connection = '';
    let expectContinue = false;
    while (lineEnd !== -1) {
      const from = lineEnd + 2;
      lineEnd = head.indexOf('\r\n', from);
      const header = HEADER_LINE.exec(lineEnd === -1 ? head.slice(from) : head.slice(from, lineEnd));
      if (header === null) return this.#refuse('bad-request');
      const name = header[1]!;
      const value = header[2]!;
      rawHeaders.push(name, value);
      // Only names of these lengths can be framing headers: skip the lower-casing otherwise.
      if (name.length !== 14 && name.length !== 17 && name.length !== 10 && name.length !== 6) continue;
      const lower = name.toLowerCase();
      // A tab after a framing header's value: llhttp refuses it or reads another value; refused.
      if (TRAILING_TAB.test(header[0]) && (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection')) return this.#refuse('bad-request');
      if (lower === 'content-length') {
        // One Content-Length, digits only: two (even equal) could be read two ways.
        if (contentLength !== -1 || !CONTENT_LENGTH.test(value)) return this.#refuse('bad-request');
        contentLength = Number(value);
      } else if (lower === 'transfer-encoding') {
        transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
      } else if (lower === 'connection') {
        connection = connection === '' ? value.toLowerCase() : `${connection}, ${value.toLowerCase()}`;
      } else if (lower === 'expect') {
        expectContinue = value.toLowerCase() === '100-continue';
      }
    }
    if (transferEncoding !== undefined) {
      // Chunked alone: another coding could not be forwarded as it is, and with a Content-Length
      // the two framings would disagree (request smuggling).
      if (contentLength !== -1 || http10 || transferEncoding.trim().toLowerCase() !== 'chunked') return this.#refuse('bad-request');
    }
    this.#keepAlive = http10 ? hasToken(connection, 'keep-alive') : !hasToken(connection, 'close');

    const hasBody = transferEncoding !== undefined || contentLength > 0;
    this.#requestStart = Date.now();
    this.#waitingForHead = false;
    this.#chunked = transferEncoding === undefined ? null : new ChunkedDecoder();
    this.#bodyRemaining = contentLength;
    this.#body = hasBody ? new RequestBody(this, expectContinue && !http10) : null;
    const response = new Http1Response(this, method === 'HEAD', http10, this.#keepAlive);
    this.#response = response;
    this.#state = hasBody ? State.Body : State.Answering;
    if (hasBody && this.#pending !== null) {
      const rest = this.#pending;
      this.#pending = null;
      const offset = this.#readBody(rest, 0);
      if (offset < 0) return false;
      if (offset < rest.length) this.#pending = rest.subarray(offset);
    }
    this.#handler(new Http1Request(method, requestLine[2]!, rawHeaders, this.#body, this.#socket), response);
    return true;
  }

  /** Body bytes from `offset`; returns the offset after the body's last byte, or -1 when the connection failed. */
  #readBody(data: Buffer, offset: number): number {
    const body = this.#body!;
    if (this.#chunked === null) {
      const take = Math.min(this.#bodyRemaining, data.length - offset);
      this.#bodyRemaining -= take;
      body.deliver(data.subarray(offset, offset + take));
      offset += take;
    } else {
      offset = this.#chunked.decode(data, offset, body.deliver);
      if (offset < 0) {
        body.fail(`the chunked body is invalid: ${this.#chunked.error}`);
        if (this.#response?.headersSent === false) this.#refuse('bad-request');
        else this.destroy();
        return -1;
      }
    }
    if (this.#bodyRemaining === 0 || this.#chunked?.done === true) {
      body.finish();
      this.#state = State.Answering;
    }
    return offset;
  }

  /** The answer is written: the next request, or the end of the connection. */
  answered(response: Http1Response): void {
    if (response !== this.#response) return;
    // A body still arriving has not been read to its end: the connection is out of step.
    if (this.#state === State.Body) {
      this.#keepAlive = false;
      this.#body?.fail('the answer was sent before the body arrived');
    }
    if (!response.keepAlive || !this.#keepAlive) return this.#close();
    if (this.#state === State.Answering) this.#next();
  }

  #next(): void {
    this.#response = null;
    this.#body = null;
    this.#state = State.Head;
    this.#since = Date.now();
    this.#waitingForHead = this.#pending !== null;
    if (this.#socket.isPaused()) this.#socket.resume();
    this.#parse();
  }

  /** The body of the request in flight is still arriving. */
  get readingBody(): boolean {
    return this.#state === State.Body;
  }

  #close(): void {
    if (this.#state === State.Closed) return;
    this.#state = State.Closed;
    this.#since = Date.now();
    this.#pending = null;
    this.#socket.end();
  }

  /** The request body's reader wants more. */
  resumeBody(): void {
    if (this.#state === State.Body && this.#socket.isPaused()) this.#socket.resume();
  }

  pauseBody(): void {
    this.#socket.pause();
  }

  /** Asked by a body whose client expects `100 Continue` before it sends the body. */
  sendContinue(): void {
    if (this.#response?.headersSent === false && !this.#socket.destroyed) this.#socket.write(CONTINUE, 'latin1');
  }

  #refuse(problem: Refusal): false {
    this.#state = State.Closed;
    this.#since = Date.now();
    this.#pending = null;
    // An exchange in flight (a body that stopped arriving) is over: its own answer is not sent.
    this.#response?.clientGone();
    if (!this.#socket.writable) this.#socket.destroy();
    else this.#socket.end(this.#options.refusal(problem), 'latin1');
    return false;
  }

  #closed(): void {
    this.#state = State.Closed;
    this.#pending = null;
    this.#abandon('the client closed the connection');
  }

  #abandon(reason: string): void {
    this.#body?.fail(reason);
    const response = this.#response;
    this.#response = null;
    response?.clientGone();
  }
}

/** A request body as a stream: bytes as they arrive, with backpressure on the client's socket. */
class RequestBody extends Readable {
  readonly #connection: Connection;
  #expectContinue: boolean;

  #complete = false;

  constructor(connection: Connection, expectContinue: boolean) {
    super();
    this.#connection = connection;
    this.#expectContinue = expectContinue;
    // The gateway may answer without reading the body (401, 403...): a failure then concerns nobody.
    this.on('error', () => undefined);
  }

  /** The body will never arrive whole: its reader (the upstream request) fails. */
  fail(reason: string): void {
    if (!this.#complete) this.destroy(new Error(reason));
  }

  override _read(): void {
    if (this.#expectContinue) {
      // The client waits for this before it sends the body: sent only once the body is wanted.
      this.#expectContinue = false;
      this.#connection.sendContinue();
    }
    this.#connection.resumeBody();
  }

  readonly deliver = (chunk: Buffer): void => {
    if (chunk.length > 0 && !this.push(chunk)) this.#connection.pauseBody();
  };

  finish(): void {
    this.#complete = true;
    this.push(null);
  }
}

function hasBareLineFeed(buffer: Buffer): boolean {
  for (let at = buffer.indexOf(10); at !== -1; at = buffer.indexOf(10, at + 1)) {
    if (at === 0 || buffer[at - 1] !== 13) return true;
  }
  return false;
}
