import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError, sendJson } from '../portal/index.js';

const MAX_BODY = 1024 * 1024;

/**
 * `POST /hooks/git`: GitHub's `X-Hub-Signature-256` HMAC over the raw body, with the secret from
 * GITGATE_WEBHOOK_SECRET. A missing or wrong signature is refused with 401 before anything is
 * fetched; the body is never used as configuration, only as a signal to fetch now.
 */
export function webhookHandler(secret: string | undefined, trigger: () => void) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (secret === undefined || secret === '') {
      return sendError(res, 401, 'ERR_HOOK_NOT_CONFIGURED', 'webhooks are off: set GITGATE_WEBHOOK_SECRET');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) return sendError(res, 413, 'ERR_HOOK_TOO_LARGE', 'the webhook body is too large');
      chunks.push(chunk);
    }
    const header = req.headers['x-hub-signature-256'];
    if (typeof header !== 'string' || !isValidSignature(Buffer.concat(chunks), header, secret)) {
      return sendError(res, 401, 'ERR_HOOK_SIGNATURE', 'missing or wrong X-Hub-Signature-256');
    }
    trigger();
    sendJson(res, 202, { status: 'fetching' });
  };
}

export function isValidSignature(body: Buffer, header: string, secret: string): boolean {
  if (!header.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice(7), 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function signWebhook(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
