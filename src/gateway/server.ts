import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_BODIES, GATEWAY_ERRORS, type GatewayErrorCode } from './errors.js';
import type { Gateway } from './gateway.js';
import { MAX_HEADER_LINES } from './request-headers.js';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** `8080`, `:8080`, `127.0.0.1:8080`, `[::1]:8080` → host and port (default host all IPv4). */
export function parseListenAddress(text: string, defaultHost = '0.0.0.0'): ListenAddress {
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]*):)?(\d{1,5})$/.exec(text.trim());
  if (match === null || Number(match[2]) > 65535) throw new Error(`"${text}" is not a listen address: write PORT, HOST:PORT or [IPv6]:PORT`);
  const host = match[1] === undefined || match[1] === '' ? defaultHost : match[1].replace(/^\[|\]$/g, '');
  return { host, port: Number(match[2]) };
}

/** The gateway's HTTP server, with the parser limits that keep its work bounded per request. */
export function createGatewayServer(gateway: Gateway): Server {
  const server = createServer(
    {
      // The gateway answers a missing or bad Host itself, with its JSON error body.
      requireHostHeader: false,
      headersTimeout: 20_000,
      requestTimeout: 300_000,
      keepAliveTimeout: 65_000,
    },
    gateway.handle,
  );
  // One line more than the limit, so the gateway sees that the limit was passed (431).
  server.maxHeadersCount = MAX_HEADER_LINES + 1;
  // Requests node:http refuses before the gateway runs (malformed heads, smuggling attempts,
  // CONNECT) still get the gateway's JSON answer, then the connection is closed.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || error.code === 'ECONNRESET') return void socket.destroy();
    socket.end(rawAnswer(error.code === 'HPE_HEADER_OVERFLOW' ? 'ERR_GW_HEADERS_TOO_LARGE' : 'ERR_GW_BAD_REQUEST'));
  });
  server.on('connect', (_req, socket: Duplex) => socket.end(rawAnswer('ERR_GW_BAD_REQUEST')));
  return server;
}

function rawAnswer(code: GatewayErrorCode): string {
  const { status } = GATEWAY_ERRORS[code];
  const body = ERROR_BODIES[code];
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`;
}

/** A listener that cannot be bound: said in one line, without a stack trace. */
export class ListenError extends Error {
  readonly code = 'ERR_LISTEN';
}

const LISTEN_PROBLEMS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the address is already in use (by another gitgate, or another program)',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'no network interface of this machine has that address',
};

export function listen(server: Server, address: ListenAddress): Promise<ListenAddress> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      const problem = LISTEN_PROBLEMS[error.code ?? ''];
      const where = address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
      reject(problem === undefined ? error : new ListenError(`cannot listen on ${where}: ${problem}`, { cause: error }));
    };
    server.once('error', failed);
    server.listen(address.port, address.host, () => {
      server.off('error', failed);
      const bound = server.address();
      resolve(typeof bound === 'object' && bound !== null ? { host: bound.address, port: bound.port } : address);
    });
  });
}
