import { createServer, type Server } from 'node:http';
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
  return server;
}

export function listen(server: Server, address: ListenAddress): Promise<ListenAddress> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      const bound = server.address();
      resolve(typeof bound === 'object' && bound !== null ? { host: bound.address, port: bound.port } : address);
    });
  });
}
