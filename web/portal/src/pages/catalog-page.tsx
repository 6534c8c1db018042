import type { Catalog, CatalogApi, Me } from '../api.js';
import { href } from '../router.js';
import { formatRateLimit } from '../widgets.js';

interface Props {
  readonly catalog: Catalog | undefined;
  readonly me: Me;
}

export function CatalogPage({ catalog, me }: Props) {
  if (catalog === undefined) return <div class="loading">Loading the APIs…</div>;
  const empty = catalog.apis.length === 0 && catalog.collections.length === 0;
  return (
    <div class="catalog">
      <section class="hero">
        <h1>{catalog.title}</h1>
        {catalog.description !== '' && <p class="muted">{catalog.description}</p>}
      </section>
      {empty && (
        <div class="notice" role="status">
          {me.groups.length === 0
            ? 'Your account has no groups yet, so there is no API you may call. Ask an administrator to add you to a group.'
            : 'None of your groups may call an API through this portal yet.'}
        </div>
      )}
      {catalog.apis.length > 0 && (
        <section aria-labelledby="apis-title">
          <h2 id="apis-title">APIs</h2>
          <ApiGrid apis={catalog.apis} prefix="" />
        </section>
      )}
      {catalog.collections.map((collection) => (
        <section class="collection" key={collection.name} aria-labelledby={`collection-${collection.name}`}>
          <h2 id={`collection-${collection.name}`}>
            <span class="tag">collection</span> {collection.name}
            {collection.pathPrefix !== undefined && <code class="path">{collection.pathPrefix}</code>}
          </h2>
          <ApiGrid apis={collection.apis} prefix={collection.pathPrefix ?? ''} />
        </section>
      ))}
    </div>
  );
}

function ApiGrid({ apis, prefix }: { apis: readonly CatalogApi[]; prefix: string }) {
  return (
    <ul class="api-grid">
      {apis.map((api) => (
        <li class="card api-card" key={api.specLink}>
          <h3>
            <a href={href('docs', api.specLink)}>{api.name}</a>
          </h3>
          <dl class="facts">
            <dt>Path</dt>
            <dd>
              <code>{joinPath(prefix, api.pathPrefix)}</code>
            </dd>
            {api.currentVersion !== undefined && (
              <>
                <dt>Version</dt>
                <dd>{api.currentVersion}</dd>
              </>
            )}
            <dt>Your rate limit</dt>
            <dd>{api.rateLimit === undefined ? 'none' : formatRateLimit(api.rateLimit)}</dd>
          </dl>
          {api.versions !== undefined && api.versions.length > 0 && (
            <div class="versions" aria-label={`Versions of ${api.name}`}>
              {api.versions.map((version) => (
                <a class={`chip${version.name === api.currentVersion ? ' current' : ''}`} key={version.name} href={href('docs', `${api.specLink}/versions/${encodeURIComponent(version.name)}`)} title={version.title || version.release}>
                  {version.name}
                  {version.release !== '' && <span class="muted"> {version.release}</span>}
                </a>
              ))}
            </div>
          )}
          <a class="button" href={href('docs', api.specLink)}>
            Documentation
          </a>
        </li>
      ))}
    </ul>
  );
}

export function joinPath(prefix: string, path: string): string {
  if (prefix === '' || prefix === '/') return path;
  return path === '/' ? prefix : `${prefix.replace(/\/+$/, '')}${path}`;
}
