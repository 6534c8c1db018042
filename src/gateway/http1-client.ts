import { connect, type Socket } from 'node:net';
import { ChunkedDecoder } from './chunked-decoder.js';
import { CONTENT_LENGTH, HEADER_LINE, hasToken, LINE_BREAKING } from './http1-syntax.js';

/**
 * The gateway's own HTTP/1.1 client for requests without a body (GET, HEAD, DELETE...), the
 * hot path of an API gateway. The benchmark measured undici's request machinery at ~20 µs of CPU
 * per proxied request against ~1 µs for this one (bench:gateway; a spike proxy with this client
 * did 1.7x the undici proxy's requests/s). Requests with a body still go through undici.
 *
 * It is strict in what it accepts from a backend: a status line, token header names, one
 * Content-Length or a chunked body (or a body up to the close), a head of at most 64 KiB. Anything
 * else fails the exchange (502) and the connection is closed, never reused: a backend cannot
 * make two answers out of one, nor one out of two.
 */

/** The callbacks of one exchange; the same contract as undici's dispatch handlers. */
export interface Http1Handler {
  /** Called at once; `abort` fails the exchange (and closes its connection). */
  onConnect(abort: (error?: Error) => void): void;
  /** The final head (1xx are skipped); header names and values alternate. Return value ignored. */
  onHeaders(statusCode: number, rawHeaders: string[], resume: () => void): boolean;
  /** A piece of the body; false pauses the backend until `resume` is called. */
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  onError(error: Error): void;
}

export interface Http1Request {
  readonly method: string;
  /** Origin-form target, already canonical (no CR, LF or space). */
  readonly path: string;
  /** Flat name/value list. */
  readonly headers: readonly string[];
}

export interface Http1PoolOptions {
  readonly connections: number;
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  /** An idle connection is closed after this long, before the backend's own keep-alive timeout. */
  readonly idleTimeoutMs?: number;
}

/** Errors carry the codes the gateway maps to 502/504 (undici's, so both clients read alike). */
export class Http1Error extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

const MAX_HEAD_BYTES = 64 * 1024;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [^\r\n]*)?$/;

const enum Body {
  None,
  Length,
  Chunked,
  UntilClose,
}

interface Exchange {
  readonly request: Http1Request;
  readonly handler: Http1Handler;
  connection: Connection | null;
  done: boolean;
}

/** Keep-alive connections to one origin, at most `connections` at once; the rest wait in line. */
export class Http1Pool {
  readonly #host: string;
  readonly #port: number;
  /** The Host header the backend receives (the origin's authority, as undici sends it). */
  readonly #authority: string;
  readonly #options: Required<Http1PoolOptions>;
  readonly #idle: Connection[] = [];
  readonly #queue: Exchange[] = [];
  /** Every connection open (busy or idle): at most options.connections. */
  readonly #connections = new Set<Connection>();
  #closing = false;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(origin: string, options: Http1PoolOptions) {
    const url = new URL(origin);
    this.#host = url.hostname.replace(/^\[|\]$/g, '');
    this.#port = Number(url.port || 80);
    this.#authority = url.host;
    this.#options = { idleTimeoutMs: 4_000, ...options };
  }

  dispatch(request: Http1Request, handler: Http1Handler): void {
    const exchange: Exchange = { request, handler, connection: null, done: false };
    handler.onConnect((error) => this.#abort(exchange, error ?? new Http1Error('UND_ERR_ABORTED', 'the request was aborted')));
    if (exchange.done) return;
    if (this.#closing) return this.#fail(exchange, new Http1Error('UND_ERR_CLOSED', 'the pool is closed'));
    for (const value of request.headers) {
      if (LINE_BREAKING.test(value)) return this.#fail(exchange, new Http1Error('UND_ERR_INVALID_ARG', 'a header holds CR, LF or NUL'));
    }
    // The most recent idle connection, unless it has been idle for longer than the backend keeps it.
    let idle = this.#idle.pop();
    while (idle !== undefined && Date.now() - idle.idleSince >= idle.idleLimitMs) {
      idle.close();
      idle = this.#idle.pop();
    }
    if (idle !== undefined) return idle.start(exchange);
    if (this.#connections.size < this.#options.connections) return this.#newConnection().start(exchange);
    this.#queue.push(exchange);
  }

  /** The head of a request, as one string: one write per request. */
  head(request: Http1Request): string {
    let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${this.#authority}\r\n`;
    const headers = request.headers;
    for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
    return `${head}\r\n`;
  }

  get options(): Required<Http1PoolOptions> {
    return this.#options;
  }

  #newConnection(): Connection {
    const connection = new Connection(this, connect({ host: this.#host, port: this.#port, noDelay: true }));
    this.#connections.add(connection);
    return connection;
  }

  /** A connection finished an exchange and may serve another. */
  released(connection: Connection): void {
    const next = this.#queue.shift();
    if (next !== undefined) return connection.start(next);
    if (this.#closing) return connection.close();
    this.#idle.push(connection);
    connection.idle();
    if (this.#sweeper === undefined) {
      const every = Math.max(50, Math.min(250, this.#options.idleTimeoutMs / 4));
      this.#sweeper = setInterval(() => this.#sweep(), every);
      this.#sweeper.unref();
    }
  }

  /** Closes idle connections before the backend would close them under a request. */
  #sweep(): void {
    const now = Date.now();
    for (let i = this.#idle.length - 1; i >= 0; i--) {
      const connection = this.#idle[i]!;
      if (now - connection.idleSince >= connection.idleLimitMs) {
        this.#idle.splice(i, 1);
        connection.close();
      }
    }
    if (this.#connections.size === 0 && this.#sweeper !== undefined) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }

  /** A connection is gone: a waiting exchange gets a new one. */
  closed(connection: Connection): void {
    this.#connections.delete(connection);
    const at = this.#idle.indexOf(connection);
    if (at !== -1) this.#idle.splice(at, 1);
    const next = this.#queue.shift();
    if (next === undefined) return;
    if (this.#closing) this.#fail(next, new Http1Error('UND_ERR_CLOSED', 'the pool is closed'));
    else this.#newConnection().start(next);
  }

  #abort(exchange: Exchange, error: Error): void {
    if (exchange.done) return;
    if (exchange.connection !== null) return exchange.connection.fail(error);
    const at = this.#queue.indexOf(exchange);
    if (at !== -1) this.#queue.splice(at, 1);
    this.#fail(exchange, error);
  }

  #fail(exchange: Exchange, error: Error): void {
    if (exchange.done) return;
    exchange.done = true;
    exchange.handler.onError(error);
  }

  /** Lets exchanges in flight finish, then closes every connection. */
  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#sweeper);
    for (const connection of this.#idle.splice(0)) connection.close();
  }

  async destroy(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#sweeper);
    for (const exchange of this.#queue.splice(0)) this.#fail(exchange, new Http1Error('UND_ERR_DESTROYED', 'the pool was destroyed'));
    this.#idle.length = 0;
    // An idle connection has no exchange to fail: it is only closed.
    for (const connection of [...this.#connections]) connection.fail(new Http1Error('UND_ERR_DESTROYED', 'the pool was destroyed'));
  }
}

/** One keep-alive connection and the parser of the answers it reads. */
class Connection {
  readonly #pool: Http1Pool;
  readonly #socket: Socket;
  #exchange: Exchange | null = null;
  #connected = false;
  #closed = false;
  /** Bytes of a head not yet complete. */
  #head: Buffer | null = null;
  #headed = false;
  #method = '';
  #body = Body.None;
  #remaining = 0;
  #chunked: ChunkedDecoder | null = null;
  #keepAlive = true;
  #phase: 'connect' | 'headers' | 'body' | 'idle' = 'connect';
  /** The socket's inactivity timeout now: changed only when a phase needs another one. */
  #timeoutMs = 0;
  /** When it became idle (Date.now()), for the pool's sweep. */
  idleSince = 0;
  /**
   * How long it may stay idle: idleTimeoutMs, or less when the backend announced a shorter
   * `Keep-Alive: timeout=N` (one second before it, as undici does).
   */
  idleLimitMs: number;

  constructor(pool: Http1Pool, socket: Socket) {
    this.#pool = pool;
    this.#socket = socket;
    this.idleLimitMs = pool.options.idleTimeoutMs;
    this.#setTimeout(pool.options.connectTimeoutMs);
    socket.once('connect', () => {
      this.#connected = true;
      if (this.#phase === 'connect') this.#phase = 'headers';
      this.#setTimeout(pool.options.headersTimeoutMs);
    });
    socket.on('data', (data: Buffer) => this.#read(data));
    socket.on('end', () => this.#ended());
    socket.on('timeout', () => this.#timedOut());
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.#gone());
  }

  start(exchange: Exchange): void {
    exchange.connection = this;
    this.#exchange = exchange;
    this.#headed = false;
    this.#head = null;
    this.#method = exchange.request.method;
    if (this.#connected) {
      this.#phase = 'headers';
      this.#setTimeout(this.#pool.options.headersTimeoutMs);
    }
    this.#socket.write(this.#pool.head(exchange.request), 'latin1');
  }

  /**
   * Back in the pool. The pool's sweep closes it once idle for idleTimeoutMs: re-arming the
   * socket's timer for each request and each idle time cost measurable CPU per request.
   */
  idle(): void {
    this.#phase = 'idle';
    this.idleSince = Date.now();
  }

  #setTimeout(ms: number): void {
    if (ms === this.#timeoutMs) return;
    this.#timeoutMs = ms;
    this.#socket.setTimeout(ms);
  }

  close(): void {
    this.#socket.destroy();
  }

  /** Fails the exchange in flight, if any, and closes the connection. */
  fail(error: Error): void {
    const exchange = this.#exchange;
    this.#release(false);
    if (exchange !== null && !exchange.done) {
      exchange.done = true;
      exchange.handler.onError(error);
    }
  }

  #read(data: Buffer): void {
    const exchange = this.#exchange;
    if (exchange === null) {
      // An idle connection the backend writes to is out of step: never reuse it.
      return this.close();
    }
    let offset = 0;
    while (offset < data.length && this.#exchange === exchange) {
      if (!this.#headed) {
        offset = this.#readHead(data, offset);
        if (offset < 0) return;
        continue;
      }
      offset = this.#readBody(data, offset);
      if (offset < 0) return;
    }
    // Bytes after a complete answer, with no request asked: the backend is out of step.
    if (offset < data.length && this.#exchange !== exchange) this.close();
  }

  /** Consumes head bytes; returns the next offset, or -1 when the exchange failed. */
  #readHead(data: Buffer, offset: number): number {
    const buffer = this.#head === null ? (offset === 0 ? data : data.subarray(offset)) : Buffer.concat([this.#head, data.subarray(offset)]);
    const end = buffer.indexOf('\r\n\r\n', 0, 'latin1');
    if (end === -1) {
      if (buffer.length > MAX_HEAD_BYTES) return this.#protocolError('the answer head is larger than 64 KiB');
      this.#head = buffer;
      return data.length;
    }
    if (end > MAX_HEAD_BYTES) return this.#protocolError('the answer head is larger than 64 KiB');
    const consumed = end + 4 - (this.#head?.length ?? 0) + offset;
    this.#head = null;
    if (!this.#parseHead(buffer.toString('latin1', 0, end))) return -1;
    return consumed;
  }

  #parseHead(head: string): boolean {
    let lineEnd = head.indexOf('\r\n');
    const status = STATUS_LINE.exec(lineEnd === -1 ? head : head.slice(0, lineEnd));
    if (status === null) return this.#protocolError('the status line is not HTTP/1.x') >= 0;
    const code = Number(status[2]);
    const raw: string[] = [];
    let length = -1;
    let chunked = false;
    let transferEncoding = false;
    let close = status[1] === '0';
    while (lineEnd !== -1) {
      const start = lineEnd + 2;
      lineEnd = head.indexOf('\r\n', start);
      const header = HEADER_LINE.exec(lineEnd === -1 ? head.slice(start) : head.slice(start, lineEnd));
      if (header === null) return this.#protocolError('a header line is malformed or folded, or holds a control character') >= 0;
      const name = header[1]!;
      const value = header[2]!;
      const lower = name.length === 14 || name.length === 17 || name.length === 10 ? name.toLowerCase() : '';
      if (lower === 'content-length') {
        if (!CONTENT_LENGTH.test(value) || (length !== -1 && length !== Number(value))) return this.#protocolError('the Content-Length is invalid or repeated') >= 0;
        // The same length twice is passed on once: a client would refuse two.
        if (length !== -1) continue;
        length = Number(value);
      } else if (lower === 'transfer-encoding') {
        transferEncoding = true;
        chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
      } else if (lower === 'keep-alive') {
        const timeout = /(?:^|[,;\s])timeout=(\d{1,6})/i.exec(value);
        if (timeout !== null) this.idleLimitMs = Math.min(this.#pool.options.idleTimeoutMs, Math.max(0, Number(timeout[1]) * 1000 - 1000));
      } else if (lower === 'connection') {
        const tokens = value.toLowerCase();
        if (hasToken(tokens, 'close')) close = true;
        else if (status[1] === '0' && hasToken(tokens, 'keep-alive')) close = false;
      }
      raw.push(name, value);
    }
    if (code < 200) {
      // 100 Continue, 103 Early Hints: not relayed; the final answer follows on this connection.
      if (code === 101) return this.#protocolError('the backend switched protocols') >= 0;
      return true;
    }
    this.#headed = true;
    this.#keepAlive = !close;
    if (this.#method === 'HEAD' || code === 204 || code === 304) this.#body = Body.None;
    else if (transferEncoding) {
      // A Transfer-Encoding next to a Content-Length overrides it (RFC 9112 6.3); the
      // connection is not reused after such an answer.
      if (length !== -1) this.#keepAlive = false;
      this.#body = chunked ? Body.Chunked : Body.UntilClose;
      this.#chunked = chunked ? new ChunkedDecoder() : null;
    } else if (length !== -1) {
      this.#body = Body.Length;
      this.#remaining = length;
    } else this.#body = Body.UntilClose;
    if (this.#body === Body.UntilClose) this.#keepAlive = false;
    this.#phase = 'body';
    this.#setTimeout(this.#pool.options.bodyTimeoutMs);
    const exchange = this.#exchange!;
    exchange.handler.onHeaders(code, raw, this.#resume);
    if (this.#exchange !== exchange) return false;
    if (this.#body === Body.None || (this.#body === Body.Length && this.#remaining === 0)) this.#complete();
    return true;
  }

  readonly #resume = (): void => {
    this.#socket.resume();
  };

  /** Consumes body bytes; returns the next offset, or -1 when the exchange ended or failed. */
  #readBody(data: Buffer, offset: number): number {
    if (this.#body === Body.Length) {
      const take = Math.min(this.#remaining, data.length - offset);
      this.#remaining -= take;
      this.#deliver(data.subarray(offset, offset + take));
      if (this.#remaining === 0 && this.#exchange !== null) this.#complete();
      return offset + take;
    }
    if (this.#body === Body.UntilClose) {
      this.#deliver(offset === 0 ? data : data.subarray(offset));
      return data.length;
    }
    if (this.#body === Body.None) return this.#protocolError('bytes after an answer without a body');
    return this.#readChunked(data, offset);
  }

  #readChunked(data: Buffer, offset: number): number {
    const decoder = this.#chunked!;
    const exchange = this.#exchange;
    const next = decoder.decode(data, offset, this.#deliver);
    if (next < 0) return this.#protocolError(decoder.error!);
    // The handler may have ended the exchange (a client that went away) while taking a chunk.
    if (decoder.done && this.#exchange === exchange) {
      this.#complete();
      return next;
    }
    return this.#exchange === exchange ? next : -1;
  }

  readonly #deliver = (chunk: Buffer): void => {
    if (chunk.length === 0) return;
    const exchange = this.#exchange;
    if (exchange !== null && !exchange.handler.onData(chunk)) this.#socket.pause();
  };

  #complete(): void {
    const exchange = this.#exchange!;
    const keepAlive = this.#keepAlive;
    this.#release(keepAlive);
    exchange.done = true;
    exchange.handler.onComplete();
  }

  /** Detaches the exchange; the connection goes back to the pool or is closed. */
  #release(reuse: boolean): void {
    this.#exchange = null;
    this.#socket.resume();
    if (reuse && !this.#closed) this.#pool.released(this);
    else this.close();
  }

  #protocolError(message: string): number {
    // Not a reset: a backend that answers invalid HTTP is not asked again.
    this.fail(new Http1Error('UPSTREAM_PROTOCOL_ERROR', `the backend's answer is not valid HTTP/1.1: ${message}`));
    return -1;
  }

  #ended(): void {
    if (this.#exchange !== null && this.#headed && this.#body === Body.UntilClose) return this.#complete();
    this.fail(new Http1Error('ECONNRESET', 'the backend closed the connection'));
  }

  #timedOut(): void {
    if (this.#phase === 'idle' && this.#exchange === null) return this.close();
    const code = !this.#connected ? 'UND_ERR_CONNECT_TIMEOUT' : this.#phase === 'body' ? 'UND_ERR_BODY_TIMEOUT' : 'UND_ERR_HEADERS_TIMEOUT';
    this.fail(new Http1Error(code, `the backend did not answer in time (${code})`));
  }

  #gone(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#exchange !== null) this.fail(new Http1Error('ECONNRESET', 'the connection to the backend closed'));
    this.#pool.closed(this);
  }
}
