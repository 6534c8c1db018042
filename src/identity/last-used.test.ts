import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { IdentityService } from './identity-service.js';
import { KeyIndex, type Consumer } from './key-index.js';
import { createLastUsedRecorder, type LastUsedRecorder } from './last-used.js';

let scratch: string;
let store: Store;
let identity: IdentityService;
const recorders: LastUsedRecorder[] = [];

beforeEach(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'gitgate-last-used-'));
  store = await openStore({ dataDir: scratch });
  identity = new IdentityService(store.identity);
  await identity.addUser('ada@example.com', ['crm']);
});

afterEach(async () => {
  for (const recorder of recorders.splice(0)) await recorder.stop();
  await store.close();
  await rm(scratch, { recursive: true, force: true });
});

function recorder(intervalMs?: number): LastUsedRecorder {
  const created = createLastUsedRecorder(store.identity, intervalMs);
  recorders.push(created);
  return created;
}

/** A consumer as the gateway gets it: a real key, through the index. */
async function consumer(name: string): Promise<Consumer> {
  const created = await identity.createKey('ada@example.com', name);
  if (!created.ok) throw new Error(created.message);
  const index = new KeyIndex();
  index.apply((await store.identity.changesSince(0)).keys);
  return index.lookup(created.value)!;
}

const lastUsed = async (name: string) => (await identity.listKeys()).find((k) => k.name === name)?.lastUsedAt;

describe('createLastUsedRecorder', () => {
  it('writes nothing until flushed, then the time of use', async () => {
    const before = Date.now();
    const laptop = await consumer('laptop');
    const uses = recorder(60_000);
    uses.record(laptop);
    expect(await lastUsed('laptop')).toBeNull();
    await uses.flush();
    const at = await lastUsed('laptop');
    expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // The clock is refreshed once a second, not per request.
    expect(Date.parse(at!)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(at!)).toBeLessThanOrEqual(Date.now());
  });

  it('keeps one entry per key, whatever the number of requests, and only touches used keys', async () => {
    const laptop = await consumer('laptop');
    await consumer('idle');
    const uses = recorder(60_000);
    for (let i = 0; i < 1000; i++) uses.record(laptop);
    const touch = vi.spyOn(store.identity, 'touchKeys');
    await uses.flush();
    expect(touch).toHaveBeenCalledTimes(1);
    expect([...touch.mock.calls[0]![0].keys()]).toEqual([laptop.keyHash]);
    await uses.flush();
    expect(touch).toHaveBeenCalledTimes(1);
    expect(await lastUsed('idle')).toBeNull();
  });

  it('flushes on its own every interval', async () => {
    const laptop = await consumer('laptop');
    const uses = recorder(50);
    uses.record(laptop);
    await vi.waitFor(async () => expect(await lastUsed('laptop')).not.toBeNull(), { timeout: 1000, interval: 10 });
  });

  it('flushes what is pending when stopped', async () => {
    const laptop = await consumer('laptop');
    const uses = recorder(60_000);
    uses.record(laptop);
    await uses.stop();
    expect(await lastUsed('laptop')).not.toBeNull();
  });

  it('does not make gateways reload: recording use is not an identity change', async () => {
    const laptop = await consumer('laptop');
    const { sequence } = await store.identity.changesSince(0);
    const uses = recorder(60_000);
    uses.record(laptop);
    await uses.flush();
    expect(await store.identity.changesSince(sequence)).toEqual({ sequence, keys: [] });
  });
});
