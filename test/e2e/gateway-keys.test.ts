import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  cli,
  createConsumers,
  createKey,
  defer,
  errorBody,
  ROOT,
  runCli,
  send,
  sleep,
  startEchoUpstream,
  startGateway,
  tempDir,
  writeResources,
  yaml,
  type Address,
  type Answer,
  type ConsumerKey,
} from '../helpers/gateway-fixtures.js';

// Issue 3, acceptance: a key revoked by the CLI is refused within one second. DESIGN.md:
// "Revocation reaches every gateway within a second". The CLI runs as its own process on the
// same data directory as the running gateway, which picks the change up by itself.

const POLL_MS = 50;
const WITHIN_MS = 1000;
let gw: Address;
let dataDir = '';
let who: Record<'suspended' | 'deleted' | 'regrouped', ConsumerKey>;

beforeAll(async () => {
  const upstream = await startEchoUpstream('keys');
  const dir = await tempDir('keys-res');
  dataDir = await tempDir('keys-data');
  await writeResources(dir, [
    ...yaml.backend('app', [upstream.port]),
    yaml.api({ name: 'orders', pathPrefix: '/orders', service: 'app' }),
    yaml.access({ name: 'buyers', groups: ['buyer'], apis: ['orders'] }),
    yaml.gateway('main', ['buyers']),
  ]);
  who = await createConsumers(dataDir, { suspended: ['buyer'], deleted: ['buyer'], regrouped: ['buyer'] });
  ({ gateway: gw } = await startGateway({ dir, dataDir }));
});

afterAll(cleanup);

function call(key: string): Promise<Answer> {
  return send(gw, { path: '/orders/1', key });
}

/**
 * Polls every 50 ms until an answer has `status`; returns the time from `since` to that answer
 * (or the time waited when it never came, which fails the caller's expectation).
 */
async function msUntil(key: string, status: number, since: number): Promise<{ ms: number; answer: Answer }> {
  for (;;) {
    const answer = await call(key);
    const ms = performance.now() - since;
    if (answer.status === status || ms > 3 * WITHIN_MS) return { ms, answer };
    await sleep(POLL_MS);
  }
}

describe('revocation through the CLI', () => {
  it('a suspended key is refused within one second, and works again within one second of resume', async () => {
    const { key, email, keyName } = who.suspended;
    expect((await call(key)).status).toBe(200);

    await cli(['keys', 'suspend', '--email', email, '--name', keyName, '--data-dir', dataDir]);
    const refused = await msUntil(key, 401, performance.now());
    expect(refused.answer.json).toEqual(errorBody('ERR_GW_KEY_INVALID'));
    expect(refused.ms).toBeLessThan(WITHIN_MS);
    // Refused for good, not by chance.
    for (let i = 0; i < 3; i++) expect((await call(key)).status).toBe(401);

    await cli(['keys', 'resume', '--email', email, '--name', keyName, '--data-dir', dataDir]);
    const back = await msUntil(key, 200, performance.now());
    expect(back.answer.status).toBe(200);
    expect(back.ms).toBeLessThan(WITHIN_MS);
  });

  it('a deleted key is refused within one second, and cannot be resumed', async () => {
    const { key, email, keyName } = who.deleted;
    expect((await call(key)).status).toBe(200);

    await cli(['keys', 'delete', '--email', email, '--name', keyName, '--data-dir', dataDir]);
    const refused = await msUntil(key, 401, performance.now());
    expect(refused.answer.json).toEqual(errorBody('ERR_GW_KEY_INVALID'));
    expect(refused.answer.headers['www-authenticate']).toMatch(/^Bearer\b/);
    expect(refused.ms).toBeLessThan(WITHIN_MS);

    const resume = await runCli(['keys', 'resume', '--email', email, '--name', keyName, '--data-dir', dataDir]);
    expect(resume.code).not.toBe(0);
    await sleep(400); // more than one sync interval
    expect((await call(key)).status).toBe(401);
  });

  it('a key created while the gateway runs is accepted within one second', async () => {
    const key = await createKey(dataDir, who.deleted.email, 'second');
    const accepted = await msUntil(key, 200, performance.now());
    expect(accepted.answer.status).toBe(200);
    expect(accepted.ms).toBeLessThan(WITHIN_MS);
  });

  it("a user's new groups apply to their keys within one second", async () => {
    const { key, email } = who.regrouped;
    expect((await call(key)).status).toBe(200);
    await cli(['users', 'set-groups', '--email', email, '--groups', 'someone-else', '--data-dir', dataDir]);
    const forbidden = await msUntil(key, 403, performance.now());
    expect(forbidden.answer.json).toEqual(errorBody('ERR_GW_FORBIDDEN'));
    expect(forbidden.ms).toBeLessThan(WITHIN_MS);
  });
});

describe('the CLI next to another writer', () => {
  // The store's busy timeout is meant to make concurrent writers wait instead of failing
  // (src/store/sqlite.ts). Other processes do write the same database: the gateway records when
  // keys were last used, the portal creates keys. Here another process commits small write
  // transactions back to back (as the last-used recorder does, only more often) while the CLI
  // creates keys: none may fail with "database is locked".
  it('key commands succeed while another process writes', async () => {
    const writer = spawn(process.execPath, ['-e', OTHER_WRITER, path.join(dataDir, 'gitgate.db')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => writer.on('close', () => resolve()));
    defer(() => writer.kill('SIGKILL'));
    try {
      await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));
      const email = who.regrouped.email;
      const runs = await Promise.all([1, 2, 3].map((i) => runCli(['keys', 'create', '--email', email, '--name', `busy-${i}`, '--data-dir', dataDir])));
      expect(runs.map((run) => ({ code: run.code, stderr: run.stderr.split('\n')[0] }))).toEqual(runs.map(() => ({ code: 0, stderr: '' })));
    } finally {
      writer.kill('SIGTERM');
      await exited;
    }
  });
});

/** Commits one small write every millisecond until killed; prints a line once it started. */
const OTHER_WRITER = `
const db = new (require('better-sqlite3'))(process.argv[1]);
db.pragma('busy_timeout = 5000');
const touch = db.prepare("UPDATE api_keys SET last_used_at = ? WHERE name = 'main'");
const pause = new Int32Array(new SharedArrayBuffer(4));
process.stdout.write('writing\\n');
const end = Date.now() + 20000;
while (Date.now() < end) {
  db.exec('BEGIN IMMEDIATE');
  touch.run(new Date().toISOString());
  db.exec('COMMIT');
  Atomics.wait(pause, 0, 0, 1);
}
`;
