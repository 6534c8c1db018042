import { STATUS_CODES } from 'node:http';
import type { Server } from 'node:net';
import { ERROR_BODIES, GATEWAY_ERRORS, type GatewayErrorCode } from './errors.js';
import type { Gateway } from './gateway.js';
import { Http1Server, type Refusal } from './http1-server.js';

/** The request line and header lines together (node:http's default limit, kept). */
export const MAX_HEAD_BYTES = 16 * 1024;

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

const REFUSALS: Readonly<Record<Refusal, GatewayErrorCode>> = {
  'bad-request': 'ERR_GW_BAD_REQUEST',
  'head-too-large': 'ERR_GW_HEADERS_TOO_LARGE',
  timeout: 'ERR_GW_REQUEST_TIMEOUT',
};

/**
 * The gateway's HTTP server, with the limits that keep its work bounded per request. Requests
 * refused before the gateway runs (malformed heads, smuggling attempts, slow heads) still get
 * the gateway's JSON answer, then the connection is closed.
 */
export function createGatewayServer(gateway: Gateway): Http1Server {
  return new Http1Server(
    {
      headersTimeoutMs: 20_000,
      requestTimeoutMs: 300_000,
      keepAliveTimeoutMs: 65_000,
      maxHeadBytes: MAX_HEAD_BYTES,
      refusal: (problem) => rawAnswer(REFUSALS[problem]),
    },
    gateway.handle,
  );
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
