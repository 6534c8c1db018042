import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/helpers/seeded-random.js';
import { Http1Server } from './http1-server.js';

// Differential test: the gateway's parser never reads a request that node:http (llhttp, strict
// mode, a common backend parser) would read differently or refuse. Seeded mutations of valid
// requests (inserted CR, LF, NUL, spaces, tabs, obs-text, colons, repeated or re-cased framing
// headers, pipelined requests) go to both servers as raw bytes; every request the gateway's
// server hands over must be one node:http hands over too, at the same position on the
// connection, with the same method, target, header lines and body. Being stricter is allowed.

interface Parsed {
  readonly method: string;
  readonly url: string;
  readonly headers: readonly string[];
  body: string;
}

const SEEDS = [
  'GET /a?b=c HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\r\n',
  'POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello',
  'POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  'GET /x HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n',
  'GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n',
];
const INSERTS = [' ', '\t', '\r', '\n', '\r\n', '\0', '\x0b', '\x7f', '\x80', '\xff', ':', ',', ';', '"', 'a', '0', '-', '\r\n ', '\r\n\r\n'];
const FRAMING = ['Content-Length: 5', 'Content-Length: 0', 'Content-Length: 05', 'content-length:5', 'Transfer-Encoding: chunked', 'transfer-encoding: CHUNKED', 'Transfer-Encoding: identity', 'Connection: close'];
/** More cases or another seed to explore: GITGATE_DIFF_CASES=5000 GITGATE_DIFF_SEED=7. */
const CASES = Number(process.env.GITGATE_DIFF_CASES ?? 500);
const SEED = Number(process.env.GITGATE_DIFF_SEED ?? 20261126);

function mutate(seed: string, next: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  let text = seed;
  const edits = 1 + Math.floor(next() * 2);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * text.length);
    const kind = next();
    if (kind < 0.55) text = text.slice(0, at) + pick(INSERTS) + text.slice(at);
    else if (kind < 0.7) text = text.slice(0, at) + text.slice(at + 1);
    else if (kind < 0.9) {
      // Another framing header after the request line.
      const lineEnd = text.indexOf('\r\n');
      text = `${text.slice(0, lineEnd + 2)}${pick(FRAMING)}\r\n${text.slice(lineEnd + 2)}`;
    } else text += pick(SEEDS);
  }
  return text;
}

let ours: Http1Server;
let node: Server;
const seenByOurs = new Map<string, Parsed[]>();
const seenByNode = new Map<string, Parsed[]>();

/** Requests are told apart by their connection (the client's port), so nothing is added to the bytes sent. */
function track(record: Map<string, Parsed[]>, key: string, parsed: Parsed): void {
  const list = record.get(key) ?? [];
  list.push(parsed);
  record.set(key, list);
}

beforeAll(async () => {
  ours = new Http1Server(
    { headersTimeoutMs: 5000, requestTimeoutMs: 5000, keepAliveTimeoutMs: 5000, maxHeadBytes: 16 * 1024, refusal: () => 'HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n' },
    (req, res) => {
      const parsed: Parsed = { method: req.method, url: req.url, headers: req.rawHeaders, body: '' };
      track(seenByOurs, String(req.socket.remotePort), parsed);
      const done = (): void => {
        res.writeHead(200, { 'content-length': 0 });
        res.end();
      };
      if (req.body === null) return done();
      req.body.on('data', (chunk: Buffer) => (parsed.body += chunk.toString('latin1')));
      req.body.on('end', done);
      req.body.on('error', () => undefined);
    },
  );
  // Host is the gateway's to check (400 ERR_GW_BAD_HOST after parsing): compare parsing only.
  node = createServer({ requireHostHeader: false }, (req, res) => {
    const parsed: Parsed = { method: req.method ?? '', url: req.url ?? '', headers: req.rawHeaders, body: '' };
    track(seenByNode, String(req.socket.remotePort), parsed);
    req.on('data', (chunk: Buffer) => (parsed.body += chunk.toString('latin1')));
    req.on('end', () => {
      res.writeHead(200, { 'content-length': 0 });
      res.end();
    });
  });
  node.on('clientError', (_error, socket) => socket.destroy());
  await Promise.all([new Promise<void>((resolve) => ours.listen(0, '127.0.0.1', resolve)), new Promise<void>((resolve) => node.listen(0, '127.0.0.1', resolve))]);
});

afterAll(async () => {
  ours.closeAllConnections();
  node.closeAllConnections();
  await Promise.all([new Promise((resolve) => ours.close(resolve)), new Promise((resolve) => node.close(resolve))]);
});

describe('the gateway parser against node:http (llhttp)', () => {
  it(`reads no request of ${CASES} mutated ones that node:http reads otherwise or refuses`, { timeout: 120_000 }, async () => {
    const next = seededRandom(SEED);
    const cases = Array.from({ length: CASES }, () => mutate(SEEDS[Math.floor(next() * SEEDS.length)]!, next));
    const disagreements: string[] = [];
    let accepted = 0;
    for (let start = 0; start < cases.length; start += 25) {
      await Promise.all(
        cases.slice(start, start + 25).map(async (bytes, offset) => {
          let found = await compare(bytes, 150);
          // A slow moment on a busy machine is not a disagreement: one more look, with time.
          if (found.problems.length > 0) found = await compare(bytes, 1000);
          accepted += found.accepted;
          for (const problem of found.problems) disagreements.push(`seed ${SEED} case ${start + offset} ${JSON.stringify(bytes)}: ${problem}`);
        }),
      );
    }
    expect(disagreements).toEqual([]);
    // The mutations leave many requests valid: the comparison is not vacuous.
    expect(accepted).toBeGreaterThan(CASES / 4);
  });
});

/** Both servers' readings of the same bytes: the requests the gateway's read, and where node:http differs. */
async function compare(bytes: string, waitMs: number): Promise<{ accepted: number; problems: string[] }> {
  const [mine, theirs] = await Promise.all([send(ours, bytes, seenByOurs, waitMs), send(node, bytes, seenByNode, waitMs)]);
  const problems: string[] = [];
  mine.forEach((request, i) => {
    const other = theirs[i];
    if (other === undefined || JSON.stringify(request) !== JSON.stringify(other)) {
      problems.push(`request ${i} read as ${JSON.stringify(request)}, node:http ${other === undefined ? 'refused it' : `read ${JSON.stringify(other)}`}`);
    }
  });
  return { accepted: mine.length, problems };
}

async function send(server: Http1Server | Server, bytes: string, record: Map<string, Parsed[]>, waitMs: number): Promise<Parsed[]> {
  const { port } = server.address() as { port: number };
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  const key = String(socket.localPort);
  socket.write(bytes, 'latin1');
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  socket.destroy();
  const seen = record.get(key) ?? [];
  record.delete(key);
  return seen;
}
