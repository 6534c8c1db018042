// The portal's JSON API, same origin, cookie session. Every URL is relative ('./api/'), so the
// app works wherever the portal is mounted (/ or /portals/<name>/).

export interface Version {
  readonly semverVersion: string;
  readonly name: string;
  readonly title: string;
  readonly release: string;
}

export interface CatalogApi {
  readonly name: string;
  readonly specLink: string;
  readonly pathPrefix: string;
  readonly currentVersion?: string;
  readonly versions?: readonly Version[];
  readonly rateLimit?: { readonly limit: number; readonly period: string };
}

export interface CatalogCollection {
  readonly name: string;
  readonly pathPrefix?: string;
  readonly apis: readonly CatalogApi[];
}

export interface Catalog {
  readonly title: string;
  readonly description: string;
  readonly logoUrl?: string;
  readonly apis: readonly CatalogApi[];
  readonly collections: readonly CatalogCollection[];
}

export interface Me {
  readonly email: string;
  readonly groups: readonly string[];
}

export interface KeyInfo {
  readonly name: string;
  readonly suspended: boolean;
  readonly createdAt?: string;
  readonly lastUsedAt?: string | null;
}

/** A failed call: the server's `{"error": {code, message}}`, or what went wrong on the way. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Dispatched on `window` when the portal answers 401 to a signed-in call. */
export const SIGNED_OUT_EVENT = 'portal:signed-out';

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`./${path}`, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'ERR_NETWORK', 'the portal cannot be reached');
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  // A session that ended (expired, signed out elsewhere) takes the app back to the sign-in page.
  if (res.status === 401 && !path.startsWith('auth/')) window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
  if (!res.ok) {
    const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const code = typeof error?.code === 'string' ? error.code : `HTTP_${res.status}`;
    const message = typeof error?.message === 'string' ? error.message : `the portal answered ${res.status} ${res.statusText}`;
    throw new ApiError(res.status, code, message);
  }
  return json as T;
}

export const portalApi = {
  me: () => call<Me>('GET', 'auth/me'),
  login: (email: string, password: string) => call<Me>('POST', 'auth/login', { email, password }),
  logout: () => call<void>('POST', 'auth/logout'),
  signup: (email: string, password: string, invitation?: string) =>
    call<Me>('POST', 'auth/signup', invitation === undefined || invitation === '' ? { email, password } : { email, password, invitation }),
  catalog: () => call<Catalog>('GET', 'api/'),
  /** The OpenAPI document of a spec link (`/apis/x@ns`, `/collections/c/apis/x@ns/versions/v2`). */
  spec: (specLink: string) => call<Record<string, unknown>>('GET', `api${specLink}`),
  keys: () => call<KeyInfo[]>('GET', 'api/tokens'),
  createKey: (name: string) => call<{ token: string }>('POST', 'api/tokens', { name }),
  suspendKey: (name: string, suspend: boolean) => call<void>('POST', 'api/tokens/suspend', { name, suspend }),
  deleteKey: (name: string) => call<void>('DELETE', 'api/tokens', { name }),
};
