import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, portalApi, SIGNED_OUT_EVENT, type Catalog, type Me } from './api.js';
import { keyring } from './keyring.js';
import { ApiPage } from './pages/api-page.js';
import { CatalogPage } from './pages/catalog-page.js';
import { KeysPage } from './pages/keys-page.js';
import { SignInPage, SignUpPage } from './pages/sign-in-page.js';
import { href, navigate, useRoute } from './router.js';
import { ErrorBox } from './widgets.js';

type Session = { readonly state: 'loading' } | { readonly state: 'signed-out' } | { readonly state: 'signed-in'; readonly me: Me };

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const [catalog, setCatalog] = useState<Catalog | undefined>(undefined);
  const [catalogError, setCatalogError] = useState<ApiError | undefined>(undefined);

  const loadCatalog = useCallback(() => {
    setCatalogError(undefined);
    portalApi.catalog().then(setCatalog, (error: ApiError) => {
      if (error.status === 401) setSession({ state: 'signed-out' });
      else setCatalogError(error);
    });
  }, []);

  useEffect(() => {
    const signedOut = () => setSession({ state: 'signed-out' });
    window.addEventListener(SIGNED_OUT_EVENT, signedOut);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, signedOut);
  }, []);

  useEffect(() => {
    portalApi.me().then(
      (me) => setSession({ state: 'signed-in', me }),
      () => setSession({ state: 'signed-out' }),
    );
  }, []);

  useEffect(() => {
    if (session.state === 'signed-in') loadCatalog();
    else setCatalog(undefined);
  }, [session, loadCatalog]);

  useEffect(() => {
    document.title = catalog?.title ?? 'API portal';
  }, [catalog]);

  const signedIn = (me: Me) => {
    setSession({ state: 'signed-in', me });
    // A deep link (an API's page) opened while signed out is shown once signed in.
    if (route.page === 'signin' || route.page === 'signup') navigate(href('catalog'));
  };
  const signOut = async () => {
    await portalApi.logout().catch(() => undefined);
    for (const name of keyring.names()) keyring.forget(name);
    setSession({ state: 'signed-out' });
    navigate(href('signin'));
  };

  if (session.state === 'loading') return <div class="loading">Loading…</div>;

  if (session.state === 'signed-out') {
    return (
      <div class="auth-layout">
        {route.page === 'signup' ? <SignUpPage invitation={route.invitation} onSignedIn={signedIn} /> : <SignInPage onSignedIn={signedIn} />}
      </div>
    );
  }

  return (
    <div class="layout">
      <header class="topbar">
        <a class="brand" href={href('catalog')}>
          {catalog?.logoUrl !== undefined && <img class="logo" src={catalog.logoUrl} alt="" width={32} height={32} />}
          <span class="brand-title">{catalog?.title ?? 'API portal'}</span>
        </a>
        <nav class="nav" aria-label="Main">
          <a href={href('catalog')} aria-current={route.page === 'catalog' || route.page === 'docs' ? 'page' : undefined}>
            APIs
          </a>
          <a href={href('keys')} aria-current={route.page === 'keys' ? 'page' : undefined}>
            API keys
          </a>
        </nav>
        <div class="account">
          <span class="email" title={session.me.groups.length > 0 ? `groups: ${session.me.groups.join(', ')}` : 'no groups yet'}>
            {session.me.email}
          </span>
          <button type="button" class="link-button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main class="content">
        {catalogError !== undefined && <ErrorBox error={catalogError} />}
        {route.page === 'keys' ? (
          <KeysPage />
        ) : route.page === 'docs' ? (
          <ApiPage specLink={route.specLink} catalog={catalog} />
        ) : route.page === 'not-found' ? (
          <section>
            <h1>Not found</h1>
            <p>
              There is no page at <code>{route.path}</code>. <a href={href('catalog')}>Back to the APIs</a>
            </p>
          </section>
        ) : (
          <CatalogPage catalog={catalog} me={session.me} />
        )}
      </main>
    </div>
  );
}
