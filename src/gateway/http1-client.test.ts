import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Http1Pool, type Http1Handler, type Http1PoolOptions } from './http1-client.js';

// The gateway's own HTTP/1.1 client against raw TCP backends on 127.0.0.1:0 that write exactly
// the bytes each case needs: framings, splits at every awkward place, invalid answers, timeouts.

interface Backend {
  readonly origin: string;
  /** Connections accepted so far. */
  connections(): number;
  /** Request heads received, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

const servers: Server[] = [];
const pools: Http1Pool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.destroy()));
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A backend that calls `answer` for each request head it reads on a connection. */
async function backend(answer: (socket: Socket, head: string, index: number) => void): Promise<Backend> {
  const requests: string[] = [];
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (data) => {
      buffered += data.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        requests.push(head);
        answer(socket, head, requests.length - 1);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    connections: () => connections,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function pool(origin: string, options: Partial<Http1PoolOptions> = {}): Http1Pool {
  const created = new Http1Pool(origin, { connections: 4, connectTimeoutMs: 2_000, headersTimeoutMs: 2_000, bodyTimeoutMs: 2_000, ...options });
  pools.push(created);
  return created;
}

interface Result {
  status?: number;
  headers?: string[];
  body: string;
  error?: { code: string; message: string };
}

/** One exchange; resolves when it completes or fails. */
function send(target: Http1Pool, method = 'GET', path = '/x', headers: string[] = [], hooks: Partial<Http1Handler> = {}): Promise<Result> {
  return new Promise((resolve) => {
    const result: Result = { body: '' };
    target.dispatch(
      { method, path, headers },
      {
        onConnect: (abort) => hooks.onConnect?.(abort),
        onHeaders: (status, raw, resume) => {
          result.status = status;
          result.headers = raw;
          hooks.onHeaders?.(status, raw, resume);
          return true;
        },
        onData: (chunk) => {
          result.body += chunk.toString('latin1');
          return hooks.onData?.(chunk) ?? true;
        },
        onComplete: () => resolve(result),
        onError: (error) => {
          result.error = { code: (error as unknown as { code: string }).code, message: error.message };
          resolve(result);
        },
      },
    );
  });
}

/** Writes the pieces one by one, a few milliseconds apart (separate TCP segments). */
function trickle(socket: Socket, pieces: readonly string[], thenEnd = false): void {
  let at = 0;
  const next = () => {
    if (at < pieces.length) {
      socket.write(pieces[at++]!, 'latin1');
      setTimeout(next, 3);
    } else if (thenEnd) socket.end();
  };
  next();
}

/** Waits (polling) until `done` holds or the time is up: timers run late on a busy machine. */
async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  for (const end = Date.now() + timeoutMs; !done() && Date.now() < end; ) await new Promise((resolve) => setTimeout(resolve, 20));
}

const OK = (body: string, extra = '') => `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

describe('Http1Pool: framings', () => {
  it('sends one request head with the origin as Host and the headers as given', async () => {
    const b = await backend((socket) => socket.write(OK('hi')));
    const answer = await send(pool(b.origin), 'GET', '/a/b?c=1', ['x-one', '1', 'X-Two', 'two words']);
    expect(answer).toEqual({ status: 200, headers: ['content-type', 'text/plain', 'content-length', '2'], body: 'hi' });
    expect(b.requests[0]).toBe(`GET /a/b?c=1 HTTP/1.1\r\nhost: ${b.origin.slice(7)}\r\nx-one: 1\r\nX-Two: two words`);
  });

  it('reads a Content-Length body and a head split across segments, then reuses the connection', async () => {
    const b = await backend((socket, _head, i) => trickle(socket, ['HTTP/1.1 200 OK\r\ncontent-le', `ngth: 11\r\nx-n: ${i}\r`, '\n\r\nhello', ' world']));
    const target = pool(b.origin);
    expect((await send(target)).body).toBe('hello world');
    const second = await send(target);
    expect(second.body).toBe('hello world');
    expect(second.headers).toEqual(['content-length', '11', 'x-n', '1']);
    expect(b.connections()).toBe(1);
  });

  it('decodes a chunked body with extensions and trailers, split anywhere, and reuses the connection', async () => {
    const raw = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nx-trailer: t\r\n\r\n';
    const b = await backend((socket) => trickle(socket, raw.match(/[\s\S]{1,3}/g)!));
    const target = pool(b.origin);
    const first = await send(target);
    expect(first.body).toBe('hello 0123456789');
    expect(first.headers).toEqual(['transfer-encoding', 'chunked']);
    expect((await send(target)).body).toBe('hello 0123456789');
    expect(b.connections()).toBe(1);
  });

  it('reads a body without length up to the close, and does not reuse that connection', async () => {
    const b = await backend((socket) => trickle(socket, ['HTTP/1.1 200 OK\r\nx: y\r\n\r\npart one, ', 'part two'], true));
    const target = pool(b.origin);
    expect((await send(target)).body).toBe('part one, part two');
    expect((await send(target)).body).toBe('part one, part two');
    expect(b.connections()).toBe(2);
  });

  it.each([
    ['HEAD with a Content-Length', 'HEAD', 'HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n'],
    ['204', 'GET', 'HTTP/1.1 204 No Content\r\ncontent-length: 5\r\n\r\n'],
    ['304', 'GET', 'HTTP/1.1 304 Not Modified\r\ncontent-length: 5\r\n\r\n'],
  ])('%s has no body, and the connection is reused', async (_name, method, answer) => {
    const b = await backend((socket) => socket.write(answer));
    const target = pool(b.origin);
    expect((await send(target, method)).body).toBe('');
    expect((await send(target, method)).error).toBeUndefined();
    expect(b.connections()).toBe(1);
  });

  it('passes the same Content-Length given twice on once', async () => {
    const b = await backend((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nContent-Length: 2\r\n\r\nok'));
    const answer = await send(pool(b.origin));
    expect({ headers: answer.headers, body: answer.body }).toEqual({ headers: ['content-length', '2'], body: 'ok' });
  });

  it('skips 100 Continue and 103 Early Hints: the handler sees the final answer only', async () => {
    const b = await backend((socket) => socket.write(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n${OK('done')}`));
    const answer = await send(pool(b.origin));
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: 'done' });
  });

  it('HTTP/1.0 and Connection: close answers are not reused', async () => {
    const b = await backend((socket, _head, i) => socket.write(i % 2 === 0 ? 'HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok' : OK('ok', 'connection: close\r\n')));
    const target = pool(b.origin);
    for (let i = 0; i < 2; i++) expect((await send(target)).body).toBe('ok');
    expect(b.connections()).toBe(2);
  });

  it('a Transfer-Encoding next to a Content-Length wins, and the connection is not reused', async () => {
    const b = await backend((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n'));
    const target = pool(b.origin);
    expect((await send(target)).body).toBe('ok');
    await send(target);
    expect(b.connections()).toBe(2);
  });
});

describe('Http1Pool: answers that are not valid HTTP/1.1 fail the exchange and close the connection', () => {
  it.each([
    ['a status line that is not HTTP/1.x', 'HTTP/2 200 OK\r\n\r\n'],
    ['a status line without a code', 'HTTP/1.1 OK\r\n\r\n'],
    ['a folded header', 'HTTP/1.1 200 OK\r\nx-a: 1\r\n  continued\r\ncontent-length: 0\r\n\r\n'],
    ['a header name with a space', 'HTTP/1.1 200 OK\r\nbad name: 1\r\ncontent-length: 0\r\n\r\n'],
    ['a control character in a value', 'HTTP/1.1 200 OK\r\nx-a: a\x01b\r\ncontent-length: 0\r\n\r\n'],
    ['a NUL in a value', 'HTTP/1.1 200 OK\r\nx-a: a\0b\r\ncontent-length: 0\r\n\r\n'],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nab'],
    ['a Content-Length that is not a number', 'HTTP/1.1 200 OK\r\ncontent-length: 1x\r\n\r\na'],
    ['a negative Content-Length', 'HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n'],
    ['a malformed chunk size', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n'],
    ['a chunk longer than its size', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n'],
    ['101 Switching Protocols', 'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n'],
    ['a head larger than 64 KiB', `HTTP/1.1 200 OK\r\n${'x-big: '.concat('a'.repeat(1000), '\r\n').repeat(70)}\r\n`],
  ])('%s', async (_name, answer) => {
    const b = await backend((socket) => socket.write(answer));
    const target = pool(b.origin);
    const result = await send(target);
    expect(result.error?.code).toBe('UPSTREAM_PROTOCOL_ERROR');
    // The next exchange gets a new connection.
    await send(target);
    expect(b.connections()).toBe(2);
  });

  it('bytes after a complete answer: that connection is not reused', async () => {
    const b = await backend((socket) => socket.write(`${OK('ok')}HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nevil`));
    const target = pool(b.origin);
    expect((await send(target)).body).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await send(target);
    expect(second.body).toBe('ok');
    expect(b.connections()).toBe(2);
  });

  it('a request header value holding CR or LF is refused before anything is sent', async () => {
    const b = await backend((socket) => socket.write(OK('ok')));
    const result = await send(pool(b.origin), 'GET', '/x', ['x-a', 'one\r\nx-injected: two']);
    expect(result.error?.code).toBe('UND_ERR_INVALID_ARG');
    expect(b.requests).toEqual([]);
  });
});

describe('Http1Pool: connections, timeouts, errors', () => {
  it('a refused connection fails with ECONNREFUSED', async () => {
    const b = await backend(() => undefined);
    await b.close();
    expect((await send(pool(b.origin))).error?.code).toBe('ECONNREFUSED');
  });

  it('a backend that never answers: UND_ERR_HEADERS_TIMEOUT; one that stops in the body: UND_ERR_BODY_TIMEOUT', async () => {
    const silent = await backend(() => undefined);
    expect((await send(pool(silent.origin, { headersTimeoutMs: 150 }))).error?.code).toBe('UND_ERR_HEADERS_TIMEOUT');
    const stalled = await backend((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc'));
    const result = await send(pool(stalled.origin, { bodyTimeoutMs: 150 }));
    expect(result.error?.code).toBe('UND_ERR_BODY_TIMEOUT');
    expect(result.body).toBe('abc');
  });

  it('a backend that closes in the middle of an answer: ECONNRESET', async () => {
    const b = await backend((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc'));
    expect((await send(pool(b.origin))).error?.code).toBe('ECONNRESET');
  });

  it('keeps at most `connections` connections; the other exchanges wait their turn', async () => {
    let open = 0;
    let most = 0;
    const b = await backend((socket) => {
      open++;
      most = Math.max(most, open);
      setTimeout(() => {
        open--;
        socket.write(OK('ok'));
      }, 20);
    });
    const target = pool(b.origin, { connections: 2 });
    const answers = await Promise.all(Array.from({ length: 7 }, () => send(target)));
    expect(answers.every((a) => a.body === 'ok')).toBe(true);
    expect(b.connections()).toBe(2);
    expect(most).toBe(2);
  });

  it('a backend that closes an idle connection: the next exchange opens another, without an error', async () => {
    let closed = 0;
    const b = await backend((socket) => {
      socket.once('close', () => closed++);
      socket.end(OK('ok', 'connection: keep-alive\r\n'));
    });
    const target = pool(b.origin);
    expect((await send(target)).body).toBe('ok');
    // The client saw the close and let the connection go (the backend sees its socket closed).
    await until(() => closed === 1, 3_000);
    expect((await send(target)).body).toBe('ok');
    expect(b.connections()).toBe(2);
  });

  it('closes connections idle for idleTimeoutMs', async () => {
    let closed = 0;
    const b = await backend((socket) => {
      socket.once('close', () => closed++);
      socket.write(OK('ok'));
    });
    const target = pool(b.origin, { idleTimeoutMs: 100 });
    await send(target);
    await until(() => closed === 1, 3_000);
    expect(closed).toBe(1);
  });

  it("follows a backend's shorter Keep-Alive timeout (closing one second before it)", async () => {
    const closedAfter: number[] = [];
    const b = await backend((socket, _head, i) => {
      const since = Date.now();
      socket.once('close', () => closedAfter.push(Date.now() - since));
      socket.write(OK('ok', `keep-alive: timeout=${i === 0 ? 2 : 1}\r\n`));
    });
    const target = pool(b.origin, { idleTimeoutMs: 4_000 });
    await send(target);
    await until(() => closedAfter.length === 1, 3_500);
    // Closed after about one second idle, well before the pool's four.
    expect(closedAfter).toHaveLength(1);
    expect(closedAfter[0]).toBeGreaterThanOrEqual(950);
    expect(closedAfter[0]).toBeLessThan(3_000);
    // timeout=1: never idle long enough to be reused; the next exchange opens a new connection.
    await send(target);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await send(target);
    expect(b.connections()).toBe(3);
  });

  it('abort() fails the exchange and closes its connection', async () => {
    const b = await backend((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nabc'));
    let abort: ((error?: Error) => void) | undefined;
    const pending = send(pool(b.origin), 'GET', '/x', [], { onConnect: (a) => (abort = a), onData: () => (abort!(new Error('client gone')), true) });
    const result = await pending;
    expect(result.error?.message).toBe('client gone');
  });

  it('a handler that cannot take more pauses the backend until it resumes', async () => {
    const b = await backend((socket) => trickle(socket, ['HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nab', 'cd', 'ef']));
    let resume: (() => void) | undefined;
    let paused = 0;
    const result = await send(pool(b.origin), 'GET', '/x', [], {
      onHeaders: (_s, _h, r) => (resume = r, true),
      onData: () => {
        paused++;
        setTimeout(() => resume!(), 30);
        return false;
      },
    });
    expect(result.body).toBe('abcdef');
    expect(paused).toBeGreaterThanOrEqual(2);
  });
});
