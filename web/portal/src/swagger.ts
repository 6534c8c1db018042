import 'swagger-ui-dist/swagger-ui.css';
import SwaggerUI, { type SwaggerRequest } from 'swagger-ui-dist/swagger-ui-es-bundle.js';

/**
 * Renders an OpenAPI document with swagger-ui, bundled into the app (no CDN). Its "Try it out"
 * console calls the gateway (the document's `servers`, rewritten by the portal); each of those
 * requests gets `Authorization: Bearer <key>` from `currentKey()`, and only requests to an origin
 * the document's servers name get it, so a key never goes anywhere else.
 */
export function renderSwagger(domNode: HTMLElement, spec: Record<string, unknown>, currentKey: () => string | null): void {
  const origins = serverOrigins(spec);
  SwaggerUI({
    domNode,
    spec,
    // The app routes with the hash: swagger-ui's deep links would take it over.
    deepLinking: false,
    // The default validator badge loads an image from validator.swagger.io: nothing leaves here.
    validatorUrl: null,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
    docExpansion: 'list',
    presets: [SwaggerUI.presets.apis],
    requestInterceptor: (request: SwaggerRequest) => {
      const key = currentKey();
      if (key !== null && key !== '' && origins.has(originOf(request.url)) && !hasAuthorization(request.headers)) {
        request.headers.Authorization = `Bearer ${key}`;
      }
      return request;
    },
  });
}

function serverOrigins(spec: Record<string, unknown>): Set<string> {
  const servers = Array.isArray(spec.servers) ? (spec.servers as { url?: unknown }[]) : [];
  const out = new Set<string>();
  for (const server of servers) if (typeof server.url === 'string') out.add(originOf(server.url));
  out.delete('');
  return out;
}

function originOf(url: string): string {
  try {
    return new URL(url, location.href).origin;
  } catch {
    return '';
  }
}

function hasAuthorization(headers: Record<string, string>): boolean {
  return Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
}
