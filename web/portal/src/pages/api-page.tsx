import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, portalApi, type Catalog, type CatalogApi } from '../api.js';
import { KeyPicker } from '../key-picker.js';
import { href } from '../router.js';
import { ErrorBox, formatRateLimit } from '../widgets.js';
import { joinPath } from './catalog-page.js';

interface Props {
  readonly specLink: string;
  readonly catalog: Catalog | undefined;
}

type Loaded = { readonly state: 'loading' } | { readonly state: 'failed'; readonly error: ApiError } | { readonly state: 'ready' };

export function ApiPage({ specLink, catalog }: Props) {
  const baseLink = specLink.replace(/\/versions\/[^/]+$/, '');
  const version = /\/versions\/([^/]+)$/.exec(specLink)?.[1];
  const found = catalog === undefined ? undefined : findApi(catalog, baseLink);
  const keyRef = useRef<string | null>(null);
  const docsRef = useRef<HTMLDivElement>(null);
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });

  useEffect(() => {
    let cancelled = false;
    setLoaded({ state: 'loading' });
    // swagger-ui is a large chunk of its own: loaded with the first API page, not with the app.
    Promise.all([portalApi.spec(specLink), import('../swagger.js')]).then(
      ([spec, { renderSwagger }]) => {
        if (cancelled || docsRef.current === null) return;
        // A new element per document: swagger-ui makes a React root on the element it is given.
        const mount = document.createElement('div');
        docsRef.current.replaceChildren(mount);
        renderSwagger(mount, spec, () => keyRef.current);
        setLoaded({ state: 'ready' });
      },
      (error: unknown) => {
        if (!cancelled) setLoaded({ state: 'failed', error: error instanceof ApiError ? error : new ApiError(0, 'ERR_UI', String(error)) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [specLink]);

  const api = found?.api;
  const shownVersion = version === undefined ? api?.currentVersion : decodeURIComponent(version);
  return (
    <div class="api-page">
      <p class="breadcrumb">
        <a href={href('catalog')}>APIs</a>
        {found?.collection !== undefined && <> / {found.collection}</>} / {api?.name ?? nameOf(baseLink)}
      </p>
      <section class="card api-summary">
        <h1>{api?.name ?? nameOf(baseLink)}</h1>
        {api !== undefined && (
          <dl class="facts">
            <dt>Path</dt>
            <dd>
              <code>{joinPath(found?.prefix ?? '', api.pathPrefix)}</code>
            </dd>
            <dt>Your rate limit</dt>
            <dd>{api.rateLimit === undefined ? 'none' : formatRateLimit(api.rateLimit)}</dd>
            {shownVersion !== undefined && (
              <>
                <dt>Version</dt>
                <dd>{shownVersion}</dd>
              </>
            )}
          </dl>
        )}
        {api?.versions !== undefined && api.versions.length > 0 && (
          <nav class="versions" aria-label="Versions">
            {api.versions.map((v) => (
              <a key={v.name} class={`chip${v.name === shownVersion ? ' current' : ''}`} aria-current={v.name === shownVersion ? 'page' : undefined} href={href('docs', `${baseLink}/versions/${encodeURIComponent(v.name)}`)}>
                {v.name}
                {v.release !== '' && <span class="muted"> {v.release}</span>}
              </a>
            ))}
          </nav>
        )}
        <KeyPicker onChange={(key) => (keyRef.current = key)} />
      </section>
      {loaded.state === 'loading' && <div class="loading">Loading the documentation…</div>}
      {loaded.state === 'failed' &&
        (loaded.error.code === 'ERR_PORTAL_NO_SPEC' ? (
          <div class="notice" role="status">
            This API publishes no OpenAPI document. {loaded.error.message}
          </div>
        ) : (
          <ErrorBox error={loaded.error} />
        ))}
      <div class="docs" ref={docsRef} />
    </div>
  );
}

function findApi(catalog: Catalog, specLink: string): { api: CatalogApi; collection?: string; prefix: string } | undefined {
  const direct = catalog.apis.find((a) => a.specLink === specLink);
  if (direct !== undefined) return { api: direct, prefix: '' };
  for (const collection of catalog.collections) {
    const api = collection.apis.find((a) => a.specLink === specLink);
    if (api !== undefined) return { api, collection: collection.name, prefix: collection.pathPrefix ?? '' };
  }
  return undefined;
}

function nameOf(specLink: string): string {
  return decodeURIComponent(/\/apis\/([^/@]+)/.exec(specLink)?.[1] ?? specLink);
}
