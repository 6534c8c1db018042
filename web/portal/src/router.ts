import { useEffect, useState } from 'preact/hooks';

// Hash routing: the document's own URL never changes, so the portal works at any mount point and
// the server needs no route table of the UI's.

export type Route =
  | { readonly page: 'catalog' }
  | { readonly page: 'signin' }
  | { readonly page: 'signup'; readonly invitation: string }
  | { readonly page: 'keys' }
  | { readonly page: 'docs'; readonly specLink: string }
  | { readonly page: 'not-found'; readonly path: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path = '', query = ''] = raw.split('?', 2);
  const params = new URLSearchParams(query);
  if (path === '' || path === '/') return { page: 'catalog' };
  if (path === '/signin') return { page: 'signin' };
  if (path === '/signup') return { page: 'signup', invitation: params.get('invitation') ?? '' };
  if (path === '/keys') return { page: 'keys' };
  const docs = /^\/docs(\/(?:collections\/[^/]+\/)?apis\/[^/]+(?:\/versions\/[^/]+)?)$/.exec(path);
  if (docs !== null) return { page: 'docs', specLink: docs[1]! };
  return { page: 'not-found', path };
}

export function href(route: 'catalog' | 'signin' | 'signup' | 'keys'): string;
export function href(route: 'docs', specLink: string): string;
export function href(route: Route['page'], specLink?: string): string {
  if (route === 'catalog') return '#/';
  if (route === 'docs') return `#/docs${specLink ?? ''}`;
  return `#/${route}`;
}

export function navigate(to: string): void {
  if (location.hash !== to) location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
