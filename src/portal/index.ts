/** The developer portal: accounts, sessions, the catalog, OpenAPI documents and consumers' keys. */
export { createPortalServer, createInvitation, pickPortal } from './portal-server.js';
export type { PortalServerOptions } from './portal-server.js';
export { PortalView } from './catalog.js';
export type { Catalog, CatalogApi, CatalogCollection } from './catalog.js';
export { SpecFetcher } from './specs.js';
export { isCrossSite } from './origin-check.js';
export { sendJson, sendError, readJson } from './http-json.js';
