import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { IdentityService } from './identity-service.js';
import { KeyIndex } from './key-index.js';
import { startKeySync, type KeySync } from './key-sync.js';

// The gateway's store connection and the CLI's are two connections to one SQLite file: the CLI
// (`gitgate keys suspend ...`) writes through `cli`, the gateway's index reads through `gateway`.

const INTERVAL_MS = 100;
/** What "within one interval" allows for the timer's own lateness and the read itself. */
const SLACK_MS = 100;

let scratch: string;
let gateway: Store;
let cli: Store;
let identity: IdentityService;
let index: KeyIndex;
const syncs: KeySync[] = [];

beforeEach(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'gitgate-key-sync-'));
  gateway = await openStore({ dataDir: scratch });
  cli = await openStore({ dataDir: scratch });
  identity = new IdentityService(cli.identity);
  index = new KeyIndex();
});

afterEach(async () => {
  for (const sync of syncs.splice(0)) sync.stop();
  await cli.close().catch(() => undefined);
  await gateway.close().catch(() => undefined);
  await rm(scratch, { recursive: true, force: true });
});

async function start(options: { intervalMs?: number; onError?: (error: unknown) => void } = { intervalMs: INTERVAL_MS }): Promise<KeySync> {
  const sync = await startKeySync(gateway.identity, index, options);
  syncs.push(sync);
  return sync;
}

async function createKey(email: string, name: string): Promise<string> {
  const result = await identity.createKey(email, name);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

/** Waits until `check` holds, failing if it takes longer than `withinMs`; returns how long it took. */
async function within(withinMs: number, check: () => void): Promise<number> {
  const started = performance.now();
  await vi.waitFor(check, { timeout: withinMs, interval: 5 });
  return performance.now() - started;
}

describe('startKeySync', () => {
  it('loads every live key before it returns', async () => {
    await identity.addUser('ada@example.com', ['crm']);
    const live = await createKey('ada@example.com', 'live');
    const suspended = await createKey('ada@example.com', 'suspended');
    const deleted = await createKey('ada@example.com', 'deleted');
    await identity.setSuspended('ada@example.com', 'suspended', true);
    await identity.deleteKey('ada@example.com', 'deleted');
    await start();
    expect(index.lookup(live)).toMatchObject({ email: 'ada@example.com', keyName: 'live', groups: ['crm'] });
    expect(index.lookup(suspended)).toBeUndefined();
    expect(index.lookup(deleted)).toBeUndefined();
    expect(index.size).toBe(1);
  });

  it('sees a key created, suspended, resumed and deleted through another connection within one interval', async () => {
    await identity.addUser('ada@example.com', ['crm']);
    await start();
    const key = await createKey('ada@example.com', 'laptop');
    await within(INTERVAL_MS + SLACK_MS, () => expect(index.lookup(key)?.keyName).toBe('laptop'));
    await identity.setSuspended('ada@example.com', 'laptop', true);
    await within(INTERVAL_MS + SLACK_MS, () => expect(index.lookup(key)).toBeUndefined());
    await identity.setSuspended('ada@example.com', 'laptop', false);
    await within(INTERVAL_MS + SLACK_MS, () => expect(index.lookup(key)).toBeDefined());
    await identity.deleteKey('ada@example.com', 'laptop');
    await within(INTERVAL_MS + SLACK_MS, () => expect(index.lookup(key)).toBeUndefined());
  });

  it('updates the groups of a consumer whose groups changed, on every key it holds', async () => {
    await identity.addUser('ada@example.com', ['crm']);
    const one = await createKey('ada@example.com', 'one');
    const two = await createKey('ada@example.com', 'two');
    await start();
    await identity.setGroups('ada@example.com', ['admins', 'crm']);
    await within(INTERVAL_MS + SLACK_MS, () => {
      expect(index.lookup(one)?.groups).toEqual(['admins', 'crm']);
      expect(index.lookup(two)?.groups).toEqual(['admins', 'crm']);
    });
  });

  it('does not bring back a deleted key whose user changes groups later', async () => {
    await identity.addUser('ada@example.com', ['crm']);
    const key = await createKey('ada@example.com', 'laptop');
    await identity.deleteKey('ada@example.com', 'laptop');
    const sync = await start();
    await identity.setGroups('ada@example.com', ['admins']);
    await sync.refresh();
    expect(index.lookup(key)).toBeUndefined();
  });

  it('revokes within one second with the default interval (issue 3: revocation by the CLI)', async () => {
    await identity.addUser('ada@example.com', ['crm']);
    const key = await createKey('ada@example.com', 'laptop');
    await start({});
    expect(index.lookup(key)).toBeDefined();
    await identity.deleteKey('ada@example.com', 'laptop');
    const took = await within(1000, () => expect(index.lookup(key)).toBeUndefined());
    expect(took).toBeLessThan(1000);
  });

  it('refreshes on demand, sharing one read between concurrent callers', async () => {
    await identity.addUser('ada@example.com', ['crm']);
    const sync = await start({ intervalMs: 60_000 });
    const key = await createKey('ada@example.com', 'laptop');
    expect(index.lookup(key)).toBeUndefined();
    const a = sync.refresh();
    const b = sync.refresh();
    expect(b).toBe(a);
    await a;
    expect(index.lookup(key)).toBeDefined();
  });

  it('stops polling when stopped', async () => {
    await identity.addUser('ada@example.com', ['crm']);
    const sync = await start();
    sync.stop();
    const key = await createKey('ada@example.com', 'laptop');
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * 3));
    expect(index.lookup(key)).toBeUndefined();
  });

  it('reports a failed read to onError and keeps the keys it has', async () => {
    await identity.addUser('ada@example.com', ['crm']);
    const key = await createKey('ada@example.com', 'laptop');
    const errors: unknown[] = [];
    await start({ intervalMs: 20, onError: (error) => errors.push(error) });
    await gateway.close();
    await within(1000, () => expect(errors.length).toBeGreaterThan(0));
    expect(index.lookup(key)).toBeDefined();
  });
});
