import type { ComponentChildren } from 'preact';
import type { ApiError } from './api.js';

/** An error from the API, said plainly, with its code for support. */
export function ErrorBox({ error }: { error: ApiError | Error }) {
  const code = 'code' in error ? (error as ApiError).code : undefined;
  return (
    <div class="error-box" role="alert">
      {error.message}
      {code !== undefined && <span class="error-code"> ({code})</span>}
    </div>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <div class="notice" role="status">
      {children}
    </div>
  );
}

/** "5 requests / 10s" */
export function formatRateLimit(limit: { limit: number; period: string }): string {
  return `${limit.limit} request${limit.limit === 1 ? '' : 's'} / ${limit.period}`;
}

export function formatDate(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
