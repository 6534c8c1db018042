import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Http1Server, type Http1Handler, type Http1Request, type Http1ServerOptions } from './http1-server.js';

// The gateway's own HTTP/1.1 server, spoken to by raw TCP clients on 127.0.0.1 that write exactly
// the bytes each case needs: framings, pipelining, splits at every byte, half-closes, timeouts.
// The gateway's answers to hostile requests are tested end to end in test/e2e/hostile-requests.

const servers: Http1Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

const OPTIONS: Http1ServerOptions = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 65_000,
  maxHeadBytes: 16 * 1024,
  refusal: (problem) => `HTTP/1.1 ${problem === 'head-too-large' ? 431 : problem === 'timeout' ? 408 : 400} Refused\r\ncontent-length: ${problem.length}\r\nconnection: close\r\n\r\n${problem}`,
};

/** What a handler saw: one entry per request, with its body once read. */
interface Seen {
  readonly request: Http1Request;
  body: string;
}

async function server(handler: Http1Handler, options: Partial<Http1ServerOptions> = {}): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const instance = new Http1Server({ ...OPTIONS, ...options }, (req, res) => {
    seen.push({ request: req, body: '' });
    handler(req, res);
  });
  servers.push(instance);
  await new Promise<void>((resolve) => instance.listen(0, '127.0.0.1', resolve));
  return { port: (instance.address() as { port: number }).port, seen };
}

/** Answers every request with its method and target, after reading its body whole. */
const echo: Http1Handler = (req, res) => {
  const chunks: Buffer[] = [];
  const answer = (): void => {
    const body = Buffer.from(`${req.method} ${req.url} ${Buffer.concat(chunks).toString('latin1')}`);
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
    res.end(body);
  };
  if (req.body === null) return answer();
  req.body.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.body.on('end', answer);
};

interface Client {
  send(bytes: string): void;
  /** Everything received so far. */
  received(): string;
  /** Waits until the received bytes satisfy `done` (or the connection closes). */
  until(done: (received: string) => boolean, timeoutMs?: number): Promise<string>;
  closed(): Promise<void>;
  readonly socket: Socket;
}

async function client(port: number): Promise<Client> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  await new Promise((resolve) => socket.once('connect', resolve));
  let received = '';
  let closed = false;
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of waiters) waiter();
  };
  socket.on('data', (data) => {
    received += data.toString('latin1');
    wake();
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
    wake();
  });
  return {
    socket,
    send: (bytes) => void socket.write(bytes, 'latin1'),
    received: () => received,
    until: (done, timeoutMs = 3000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (done(received) || closed) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(received);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out; received so far: ${JSON.stringify(received)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    closed: () => new Promise((resolve) => (closed ? resolve() : socket.once('close', () => resolve()))),
  };
}

/** Complete answers in `received`, each as status, lower-cased headers and body (Content-Length or chunked framing). */
function answers(received: string): { status: number; headers: Record<string, string>; body: string }[] {
  const out: { status: number; headers: Record<string, string>; body: string }[] = [];
  let rest = received;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) return out;
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
    rest = rest.slice(end + 4);
    let body = '';
    if (headers['content-length'] !== undefined) {
      body = rest.slice(0, Number(headers['content-length']));
      rest = rest.slice(body.length);
    } else if (headers['transfer-encoding'] === 'chunked') {
      for (;;) {
        const lineEnd = rest.indexOf('\r\n');
        const size = parseInt(rest.slice(0, lineEnd), 16);
        rest = rest.slice(lineEnd + 2);
        if (size === 0) {
          rest = rest.slice(2);
          break;
        }
        body += rest.slice(0, size);
        rest = rest.slice(size + 2);
      }
    }
    out.push({ status: Number(statusLine!.split(' ')[1]), headers, body });
  }
}

const count = (n: number) => (received: string) => answers(received).length >= n;
const GET = (target: string, extra = ''): string => `GET ${target} HTTP/1.1\r\nHost: a.test\r\n${extra}\r\n`;

describe('Http1Server: requests', () => {
  it('hands over the method, the target as sent and the header lines in order and case', async () => {
    const { port, seen } = await server(echo);
    const c = await client(port);
    c.send('GET /a/%2e?x=1 HTTP/1.1\r\nHost: a.test\r\nX-Thing:  spaced value \t\r\nx-thing: two\r\n\r\n');
    const [answer] = answers(await c.until(count(1)));
    expect(answer).toMatchObject({ status: 200, body: 'GET /a/%2e?x=1 ' });
    expect(seen[0]!.request.rawHeaders).toEqual(['Host', 'a.test', 'X-Thing', 'spaced value', 'x-thing', 'two']);
    expect(seen[0]!.request.headers).toMatchObject({ host: 'a.test', 'x-thing': 'spaced value, two' });
    expect(seen[0]!.request.body).toBeNull();
  });

  it('parses the same request delivered one byte at a time', async () => {
    const { port, seen } = await server(echo);
    const c = await client(port);
    const request = `POST /b HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\n\r\nhello${GET('/next')}`;
    for (const byte of request) {
      c.send(byte);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const got = answers(await c.until(count(2)));
    expect(got.map((a) => a.body)).toEqual(['POST /b hello', 'GET /next ']);
    expect(seen).toHaveLength(2);
  });

  it('ignores empty lines before a request line', async () => {
    const { port } = await server(echo);
    const c = await client(port);
    c.send(`\r\n\r\n${GET('/x')}`);
    expect(answers(await c.until(count(1)))[0]!.body).toBe('GET /x ');
  });

  it('reads a chunked body with extensions and trailers, and the pipelined request after it', async () => {
    const { port } = await server(echo);
    const c = await client(port);
    c.send(`POST /c HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n${GET('/after')}`);
    expect(answers(await c.until(count(2))).map((a) => a.body)).toEqual(['POST /c abcde', 'GET /after ']);
  });

  it('answers pipelined requests in order, one at a time, even when the first is answered last', async () => {
    let first: (() => void) | undefined;
    const { port, seen } = await server((req, res) => {
      const body = Buffer.from(req.url);
      const answer = (): void => {
        res.writeHead(200, ['content-length', String(body.length)]);
        res.end(body);
      };
      if (req.url === '/slow') first = answer;
      else answer();
    });
    const c = await client(port);
    c.send(GET('/slow') + GET('/2') + GET('/3'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The second request is not even parsed while the first is unanswered.
    expect(seen).toHaveLength(1);
    first!();
    expect(answers(await c.until(count(3))).map((a) => a.body)).toEqual(['/slow', '/2', '/3']);
  });

  it('sends 100 Continue only when the body is read, and closes after an answer given without it', async () => {
    const { port } = await server((req, res) => {
      if (req.url === '/read') return echo(req, res);
      res.writeHead(403, { 'content-length': 0 });
      res.end();
    });
    const reader = await client(port);
    reader.send('POST /read HTTP/1.1\r\nHost: a.test\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n');
    await reader.until((r) => r.includes('100 Continue'));
    reader.send('ok');
    expect(answers((await reader.until(count(2))).replace('HTTP/1.1 100 Continue\r\n\r\n', ''))[0]!.body).toBe('POST /read ok');

    const refused = await client(port);
    refused.send('POST /no HTTP/1.1\r\nHost: a.test\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n');
    await refused.closed();
    expect(refused.received()).not.toContain('100 Continue');
    expect(answers(refused.received())[0]).toMatchObject({ status: 403, headers: { connection: 'close' } });
  });

  it('keeps the connection after an answer that did not read a body already received whole', async () => {
    const { port } = await server((req, res) => {
      res.writeHead(401, { 'content-length': 0 });
      res.end();
    });
    const c = await client(port);
    c.send(`POST /x HTTP/1.1\r\nHost: a.test\r\nContent-Length: 3\r\n\r\nabc${GET('/y')}`);
    const got = answers(await c.until(count(2)));
    expect(got.map((a) => a.status)).toEqual([401, 401]);
    expect(got[0]!.headers.connection).toBeUndefined();
  });

  it('gets no more of a large body than its reader asks for', async () => {
    let body: Http1Request['body'] = null;
    const { port } = await server((req) => {
      body = req.body;
    });
    const c = await client(port);
    c.send(`POST /big HTTP/1.1\r\nHost: a.test\r\nContent-Length: ${8 * 1024 * 1024}\r\n\r\n`);
    const chunk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 128; i++) c.socket.write(chunk);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Nobody reads: the stream holds at most its high-water mark plus one socket read.
    expect(body!.readableLength).toBeLessThanOrEqual(body!.readableHighWaterMark + 64 * 1024);
    expect(c.socket.writableLength).toBeGreaterThan(0);
  });
});

describe('Http1Server: answers', () => {
  it('frames an answer without a length as chunked for HTTP/1.1, close-delimited for HTTP/1.0', async () => {
    const { port } = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write(Buffer.from('ab'));
      res.end(Buffer.from('cd'));
    });
    const modern = await client(port);
    modern.send(GET('/'));
    const [answer] = answers(await modern.until(count(1)));
    expect(answer).toMatchObject({ status: 200, body: 'abcd', headers: { 'transfer-encoding': 'chunked' } });
    expect(answer!.headers.date).toMatch(/GMT$/);

    const old = await client(port);
    old.send('GET / HTTP/1.0\r\nHost: a.test\r\n\r\n');
    await old.closed();
    expect(old.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*connection: close\r\n\r\nabcd$/);
  });

  it('keeps an HTTP/1.0 connection that asks for keep-alive, and closes an HTTP/1.1 one that asks to close', async () => {
    const { port } = await server(echo);
    const old = await client(port);
    old.send('GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const got = answers(await old.until(count(2)));
    expect(got.map((a) => a.headers.connection)).toEqual(['keep-alive', 'keep-alive']);

    const closing = await client(port);
    closing.send(GET('/a', 'Connection: close\r\n') + GET('/b'));
    await closing.closed();
    expect(answers(closing.received()).map((a) => a.body)).toEqual(['GET /a ']);
  });

  it('sends no body for HEAD, 204 and 304, and keeps the connection in step', async () => {
    const { port } = await server((req, res) => {
      const status = req.url === '/204' ? 204 : req.url === '/304' ? 304 : 200;
      res.writeHead(status, { 'content-length': 5 });
      res.end(Buffer.from('hello'));
    });
    const c = await client(port);
    c.send(`HEAD /h HTTP/1.1\r\nHost: a.test\r\n\r\n${GET('/204')}${GET('/304')}${GET('/full')}`);
    await c.until((r) => r.endsWith('hello'));
    expect(c.received().match(/HTTP\/1\.1 \d+/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 204', 'HTTP/1.1 304', 'HTTP/1.1 200']);
    expect(c.received().split('hello')).toHaveLength(2);
  });

  it('never sends more than the Content-Length announced: the connection is cut instead', async () => {
    const { port } = await server((_req, res) => {
      res.writeHead(200, { 'content-length': 2 });
      res.write(Buffer.from('ab'));
      res.end(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'));
    });
    const c = await client(port);
    c.send(GET('/'));
    await c.closed();
    expect(c.received()).toMatch(/\r\n\r\nab$/);
  });

  it('refuses a header value holding CR or LF instead of writing it', async () => {
    let error: unknown;
    const { port } = await server((_req, res) => {
      try {
        res.writeHead(200, { 'x-a': 'a\r\nx-injected: 1' });
      } catch (caught) {
        error = caught;
        res.writeHead(500, { 'content-length': 0 });
      }
      res.end();
    });
    const c = await client(port);
    c.send(GET('/'));
    await c.until(count(1));
    expect(String(error)).toContain('CR, LF or NUL');
    expect(c.received()).not.toContain('x-injected');
  });

  it('tells the handler when the client goes away before the answer', async () => {
    let gone = false;
    const { port } = await server((_req, res) => res.onClose(() => (gone = true)));
    const c = await client(port);
    c.send(GET('/'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    c.socket.destroy();
    await expect.poll(() => gone).toBe(true);
  });

  it('takes a client that ends its side as gone (as node:http does), after answering what it could at once', async () => {
    let gone = false;
    const { port } = await server((req, res) => {
      if (req.url === '/now') return echo(req, res);
      res.onClose(() => (gone = true));
    });
    const c = await client(port);
    c.socket.end(GET('/now') + GET('/later'));
    await c.closed();
    expect(answers(c.received()).map((a) => a.body)).toEqual(['GET /now ']);
    expect(gone).toBe(true);
  });
});

describe('Http1Server: refusals', () => {
  const refused: [string, string, string][] = [
    ['a bare LF line end (refused at once)', 'GET / HTTP/1.1\nHost: a.test\n', 'bad-request'],
    ['an unknown method', 'BREW / HTTP/1.1\r\nHost: a\r\n\r\n', 'bad-request'],
    ['a lower-case method', 'get / HTTP/1.1\r\nHost: a\r\n\r\n', 'bad-request'],
    ['two spaces in the request line', 'GET  / HTTP/1.1\r\nHost: a\r\n\r\n', 'bad-request'],
    ['HTTP/2.0 in the request line', 'GET / HTTP/2.0\r\nHost: a\r\n\r\n', 'bad-request'],
    ['a non-ASCII byte in the target', 'GET /\xff HTTP/1.1\r\nHost: a\r\n\r\n', 'bad-request'],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n', 'bad-request'],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost : a\r\n\r\n', 'bad-request'],
    ['NUL in a value', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n', 'bad-request'],
    ['an empty header name', 'GET / HTTP/1.1\r\n: a\r\n\r\n', 'bad-request'],
    ['two equal Content-Length', 'POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx', 'bad-request'],
    ['a signed Content-Length', 'POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\nx', 'bad-request'],
    ['Content-Length with Transfer-Encoding', 'POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'bad-request'],
    ['a coding other than chunked', 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n', 'bad-request'],
    ['chunked twice', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'bad-request'],
    ['Transfer-Encoding in HTTP/1.0', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'bad-request'],
    ['a malformed chunk size', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'bad-request'],
    ['a chunk longer than its size', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n0\r\n\r\n', 'bad-request'],
    ['a head over the limit', `GET /${'a'.repeat(17 * 1024)} HTTP/1.1\r\n`, 'head-too-large'],
  ];
  it.each(refused)('%s: the refusal, then the connection closes, the handler never runs', async (_name, bytes, problem) => {
    const { port, seen } = await server(echo);
    const c = await client(port);
    c.send(bytes);
    await c.closed();
    expect(c.received()).toContain(`\r\n\r\n${problem}`);
    expect(seen).toHaveLength(0);
  });

  it('answers 408 to a head that does not arrive in time, and closes an idle keep-alive connection', async () => {
    const { port } = await server(echo, { headersTimeoutMs: 200, keepAliveTimeoutMs: 300 });
    const slow = await client(port);
    slow.send('GET / HTTP/1.1\r\nHo');
    await slow.closed();
    expect(slow.received()).toContain('\r\n\r\ntimeout');

    const idle = await client(port);
    idle.send(GET('/'));
    await idle.until(count(1));
    const started = Date.now();
    await idle.closed();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(answers(idle.received())).toHaveLength(1);
  });

  it('fails a body that stops arriving after the request timeout', async () => {
    let error: Error | undefined;
    const { port } = await server(
      (req, res) => {
        req.body!.on('error', (caught: Error) => {
          error = caught;
          res.writeHead(502, { 'content-length': 0 });
          res.end();
        });
        req.body!.resume();
      },
      { requestTimeoutMs: 200 },
    );
    const c = await client(port);
    c.send('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc');
    await c.closed();
    expect(c.received()).toContain('\r\n\r\ntimeout');
    expect(error?.message).toContain('did not arrive in time');
  });

  it('close() closes idle connections at once and busy ones after their answer', async () => {
    let finish: (() => void) | undefined;
    const { port } = await server((req, res) => {
      finish = () => echo(req, res);
    });
    const idle = await client(port);
    const busy = await client(port);
    busy.send(GET('/busy'));
    await expect.poll(() => finish !== undefined).toBe(true);
    const closed = new Promise((resolve) => servers[0]!.close(resolve));
    await idle.closed();
    finish!();
    await busy.closed();
    expect(answers(busy.received())[0]).toMatchObject({ body: 'GET /busy ', headers: {} });
    await closed;
  });
});
