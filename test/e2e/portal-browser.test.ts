// Issue 6, "Browser tests": the developer portal's UI (web/portal) in real headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core), against a real control plane, gateway
// and portal started in-process on the bundled example (examples/airlines) with its demo
// backends. A consumer signs in, browses the catalog, opens an API's docs, creates a key and copies
// it, calls the API through the gateway from the docs' try-it console (200), deletes the key
// (401 within a second), suspends and resumes another, and signs up. Screenshots of each step go to
// test-artifacts/portal/. Every request the pages make must stay on this machine.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { buildRevision, readDirectorySnapshot, startDemoUpstreams, stopDemoUpstreams } from '../../src/control/index.js';
import { IdentityService } from '../../src/identity/index.js';
import { cleanup, defer, refusedPort, ROOT, startGateway, tempDir } from '../helpers/gateway-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const UI_DIR = path.join(ROOT, 'web/portal/dist');
const ARTIFACTS = path.join(ROOT, 'test-artifacts/portal');
const EMAIL = 'browser@airlines.example';
const PASSWORD = 'a long browser password';
// Without the background-networking flags Chromium calls home at start (refused here, and a
// request that leaves the machine); see the node machine notes.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
/** An API every consumer may call, with room in its rate limit (the CRM ones allow 5 per 10 s). */
const TIME_URL = () => `${gatewayUrl}/world-time/now`;

// Expressions run in the page (the project's tsconfig has no DOM library to type them with).
const PAGE_WIDTH = 'document.documentElement.scrollWidth';

let context: BrowserContext;
let page: Page;
let portalUrl = '';
let gatewayUrl = '';
/** Every URL any page of the browser asked for. */
const requested: string[] = [];
const pageErrors: string[] = [];
const consoleErrors: string[] = [];
/** The key copied from the copy-once dialog. */
let copiedKey = '';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: npm test (scripts/test.sh) installs Debian's chromium`);
  buildUiWhenMissing();
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const old of readdirSync(ARTIFACTS)) if (old.endsWith('.png')) rmSync(path.join(ARTIFACTS, old));

  // The example's backends listen on fixed ports (17001...); the copy gets free ones, so a running
  // `npm start` or another test cannot collide with this one.
  const dir = await tempDir('portal-browser-res');
  cpSync(path.join(ROOT, 'examples/airlines'), dir, { recursive: true });
  await movePorts(dir);
  const snapshot = await readDirectorySnapshot(dir);
  const built = buildRevision(snapshot.inputs, snapshot.revision, { readProblems: snapshot.problems });
  if (!built.ok) throw new Error('the copied example does not build');
  const upstreams = await startDemoUpstreams(built.config);
  defer(() => stopDemoUpstreams(upstreams));

  const { serve, gateway } = await startGateway({
    dir,
    dataDir: await tempDir('portal-browser-data'),
    portal: { listen: { host: '127.0.0.1', port: 0 }, signup: 'open', uiDir: UI_DIR },
  });
  const portal = serve.portalAddress!;
  portalUrl = `http://127.0.0.1:${portal.port}/`;
  gatewayUrl = `http://127.0.0.1:${gateway.port}`;
  const added = await new IdentityService(serve.store.identity).addUser(EMAIL, ['admin', 'crm-user'], PASSWORD);
  expect(added.ok).toBe(true);

  const profile = await tempDir('portal-browser-profile');
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: DESKTOP });
  defer(() => context.close());
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: portalUrl.slice(0, -1) });
  context.on('request', (request) => requested.push(request.url()));
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
}, 120_000);

afterAll(cleanup);

/** A screenshot of the whole page, kept as a test artifact. */
async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The header's navigation (pages have other links named like its own). */
function nav() {
  return page.getByRole('navigation', { name: 'Main' });
}

function keepFailure(name: string): void {
  onTestFailed(async () => {
    await page?.screenshot({ path: path.join(ARTIFACTS, `failed-${name}.png`), fullPage: true }).catch(() => undefined);
  });
}

/** What a fetch from the page (the portal's origin, through the gateway's CORS) gets. */
async function callFromPage(url: string, key: string): Promise<number> {
  return page.evaluate(async ([target, bearer]) => (await fetch(target!, { headers: { authorization: `Bearer ${bearer}` } })).status, [url, key]);
}

describe('the developer portal in Chromium', () => {
  it('asks to sign in, and says clearly when the password is wrong', async () => {
    keepFailure('sign-in');
    await page.goto(portalUrl);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot('01-sign-in');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('wrong email or password');
    await shot('02-sign-in-error');
  });

  it('signs in and shows the catalog: title, logo, APIs, collections, versions and rate limits', async () => {
    keepFailure('catalog');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Traefik Airlines', level: 1 }).waitFor();
    expect(await page.title()).toBe('Traefik Airlines');
    expect(await page.locator('.topbar img.logo').getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    await expect.poll(() => page.locator('.topbar .logo').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await page.getByText('Every API of Traefik Airlines').waitFor();
    const direct = page.locator('section', { has: page.getByRole('heading', { name: 'APIs', exact: true }) });
    await direct.getByRole('link', { name: 'employee-api' }).waitFor();
    const crm = page.locator('section.collection', { has: page.getByRole('heading', { name: /collection crm/ }) });
    await crm.getByRole('link', { name: 'customer-api' }).waitFor();
    expect(await crm.locator('h2 code').textContent()).toBe('/crm');
    // The versioned API lists its versions, the current one marked.
    const customers = direct.locator('.api-card', { has: page.getByRole('link', { name: 'customer-api' }) });
    expect(await customers.locator('.versions .chip').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('v1'), expect.stringContaining('v2')]));
    expect(await customers.locator('.chip.current').textContent()).toContain('v2');
    // The consumer's own limit per API: the CRM users' 5 per 10s on the CRM collection.
    const employeesInCrm = crm.locator('.api-card', { has: page.getByRole('link', { name: 'employee-api' }) });
    expect(await employeesInCrm.locator('.facts').textContent()).toMatch(/Your rate limit\s*\d+ requests? \/ \d+(s|m|ms)/);
    expect(await employeesInCrm.locator('.facts').textContent()).toContain('/crm/employees');
    await shot('03-catalog');
  });

  it('fits a phone-sized screen', async () => {
    keepFailure('phone');
    await page.setViewportSize(PHONE);
    await page.getByRole('heading', { name: 'Traefik Airlines', level: 1 }).waitFor();
    // Nothing wider than the screen: no sideways scrolling.
    expect(await page.evaluate<number>(PAGE_WIDTH)).toBeLessThanOrEqual(PHONE.width);
    const card = await page.locator('.api-card').first().boundingBox();
    expect(card!.width).toBeGreaterThan(PHONE.width * 0.8);
    await shot('04-catalog-phone');
    await page.setViewportSize(DESKTOP);
  });

  it("opens an API's docs: swagger-ui renders its operations, with the gateway as server", async () => {
    keepFailure('docs');
    await page.locator('section', { has: page.getByRole('heading', { name: 'APIs', exact: true }) }).locator('.api-card', { has: page.getByRole('link', { name: 'employee-api' }) }).getByRole('link', { name: 'Documentation' }).click();
    expect(new URL(page.url()).hash).toBe('#/docs/apis/employee-api@apps');
    await page.locator('.opblock').first().waitFor();
    const paths = await page.locator('.opblock-summary-path').allTextContents();
    expect(paths.map((p) => p.replace(/\u200b/g, ''))).toEqual(expect.arrayContaining(['/employees/{id}', '/employees']));
    expect(await page.locator('.swagger-ui .servers select').inputValue()).toBe(gatewayUrl);
    await shot('05-api-docs');
  });

  it("switches an API's docs between its versions", async () => {
    keepFailure('versions');
    await nav().getByRole('link', { name: 'APIs', exact: true }).click();
    await page.locator('section', { has: page.getByRole('heading', { name: 'APIs', exact: true }) }).getByRole('link', { name: 'customer-api' }).click();
    await page.locator('.swagger-ui .info .title', { hasText: 'customer-api v2' }).waitFor();
    await page.getByRole('navigation', { name: 'Versions' }).getByRole('link', { name: /^v3/ }).click();
    expect(new URL(page.url()).hash).toBe('#/docs/apis/customer-api@apps/versions/v3');
    await page.locator('.swagger-ui .info .title', { hasText: 'customer-api v3' }).waitFor();
    expect(await page.locator('.swagger-ui .info .title').count()).toBe(1);
    expect(await page.locator('.versions .chip[aria-current="page"]').textContent()).toContain('v3');
    await shot('06-api-docs-version');
  });

  it('creates a key: the copy-once dialog shows it and copies it to the clipboard', async () => {
    keepFailure('create-key');
    await nav().getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByText('You have no keys yet.').waitFor();
    await page.getByLabel('New key name').fill('browser');
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: /Your new key/ });
    await dialog.waitFor();
    const shown = await dialog.getByLabel('API key').inputValue();
    expect(shown).toMatch(/\S{20,}/);
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await dialog.getByRole('button', { name: 'Copied' }).waitFor();
    copiedKey = await page.evaluate<string>('navigator.clipboard.readText()');
    expect(copiedKey).toBe(shown);
    await shot('07-key-created');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // The key itself is never shown again: the list has its name and status only.
    const row = page.locator('tr[data-key="browser"]');
    expect(await row.locator('.status').textContent()).toBe('active');
    expect(await page.content()).not.toContain(copiedKey);
    await shot('08-keys');
  });

  it("calls the API through the gateway from the docs' try-it console with the key (200)", async () => {
    keepFailure('try-it');
    await nav().getByRole('link', { name: 'APIs', exact: true }).click();
    await page.locator('section', { has: page.getByRole('heading', { name: 'APIs', exact: true }) }).getByRole('link', { name: 'employee-api' }).click();
    await page.locator('.opblock').first().waitFor();
    // The key created in this tab is the one the console uses.
    expect(await page.getByLabel('Key for “Try it out”').inputValue()).toBe('browser');
    const answer = await tryIt(page, '42');
    expect(answer.status).toBe(200);
    expect(answer.authorization).toBe(`Bearer ${copiedKey}`);
    expect(JSON.parse(answer.body)).toMatchObject({ api: 'apps/employee-api', consumer: EMAIL, item: { id: '42' } });
    expect(await page.locator('.live-responses-table tr.response .response-col_status').first().textContent()).toContain('200');
    await shot('09-try-it-200');
    expect(await callFromPage(`${gatewayUrl}/employees/7`, copiedKey)).toBe(200);
  });

  it('deletes the key in the UI: the gateway refuses it within a second (401)', async () => {
    keepFailure('delete-key');
    await nav().getByRole('link', { name: 'API keys' }).click();
    await page.locator('tr[data-key="browser"]').getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: /Delete the key/ });
    await confirm.waitFor();
    await shot('10-delete-confirm');
    const deleted = page.waitForResponse((r) => r.url().endsWith('/api/tokens') && r.request().method() === 'DELETE');
    await confirm.getByRole('button', { name: 'Delete key' }).click();
    expect((await deleted).status()).toBe(204);
    const since = Date.now();
    let status = 0;
    while (Date.now() - since < 1_000) {
      status = await callFromPage(`${gatewayUrl}/employees/7`, copiedKey);
      if (status === 401) break;
      await page.waitForTimeout(50);
    }
    expect(status).toBe(401);
    expect(Date.now() - since).toBeLessThan(1_000);
    await page.getByText('You have no keys yet.').waitFor();
    await shot('11-key-deleted');
    // The docs' console says so too, with the key the consumer pastes.
    await nav().getByRole('link', { name: 'APIs', exact: true }).click();
    await page.locator('section', { has: page.getByRole('heading', { name: 'APIs', exact: true }) }).getByRole('link', { name: 'employee-api' }).click();
    await page.locator('.opblock').first().waitFor();
    await page.getByLabel('Key for “Try it out”').selectOption({ label: 'paste a key…' });
    await page.getByLabel('API key').fill(copiedKey);
    const answer = await tryIt(page, '43');
    expect(answer.status).toBe(401);
    await shot('12-try-it-401');
  });

  it('suspends and resumes a key: refused while suspended, accepted again after', async () => {
    keepFailure('suspend');
    await nav().getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('New key name').fill('ci-robot');
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: /Your new key/ });
    const key = await dialog.getByLabel('API key').inputValue();
    await dialog.getByRole('button', { name: 'Done' }).click();
    // The gateway's key index follows the store every 250 ms: a new key works within that.
    await expect.poll(() => callFromPage(TIME_URL(), key), { timeout: 1_000, interval: 50 }).toBe(200);
    const row = page.locator('tr[data-key="ci-robot"]');
    await row.getByRole('button', { name: 'Suspend' }).click();
    await row.getByRole('button', { name: 'Resume' }).waitFor();
    expect(await row.locator('.status').textContent()).toBe('suspended');
    await expect.poll(() => callFromPage(TIME_URL(), key), { timeout: 1_000, interval: 50 }).toBe(401);
    await shot('13-key-suspended');
    await row.getByRole('button', { name: 'Resume' }).click();
    await row.getByRole('button', { name: 'Suspend' }).waitFor();
    await expect.poll(() => callFromPage(TIME_URL(), key), { timeout: 1_000, interval: 50 }).toBe(200);
    await page.setViewportSize(PHONE);
    expect(await page.evaluate<number>(PAGE_WIDTH)).toBeLessThanOrEqual(PHONE.width);
    await shot('14-keys-phone');
    await page.setViewportSize(DESKTOP);
  });

  it('signs out, and signs a new consumer up (errors from the API shown as they are)', async () => {
    keepFailure('sign-up');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(async () => (await fetch('./api/')).status)).toBe(401);
    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    await page.getByLabel('Email').fill('newcomer@airlines.example');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('ERR_ID_PASSWORD_WEAK');
    await shot('15-sign-up-error');
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Create account' }).click();
    // Signed in at once; with no groups yet, only what any consumer may call is listed.
    await page.locator('.topbar .email', { hasText: 'newcomer@airlines.example' }).waitFor();
    await page.getByRole('link', { name: 'world-time-api' }).waitFor();
    expect(await page.locator('.api-card h3').allTextContents()).toEqual(['world-time-api']);
    await shot('16-signed-up');
  });

  it('goes back to sign-in when the session ends, and then to the page the consumer was on', async () => {
    keepFailure('session');
    await context.clearCookies();
    await nav().getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).hash).toBe('#/keys');
    await page.goto(`${portalUrl}#/docs/apis/world-time-api@apps`);
    await page.getByLabel('Email').fill('newcomer@airlines.example');
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.opblock').first().waitFor();
    expect(new URL(page.url()).hash).toBe('#/docs/apis/world-time-api@apps');
    await shot('17-deep-link');
  });

  it('works the same under a path (/portals/<name>/): relative URLs, hash routes, the cookie scoped to it', async () => {
    keepFailure('base-path');
    await context.clearCookies();
    await page.goto(`${portalUrl}portals/airlines-portal/#/keys`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    expect((await context.cookies()).map((c) => c.path)).toEqual(['/portals/airlines-portal/']);
    await nav().getByRole('link', { name: 'APIs', exact: true }).click();
    await page.getByRole('heading', { name: 'Traefik Airlines', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/portals/airlines-portal/');
    await shot('18-under-a-path');
  });

  it('made no request that left this machine, and broke no content-security rule', () => {
    expect(requested.length).toBeGreaterThan(10);
    const outside = requested.filter((url) => {
      const parsed = new URL(url);
      if (parsed.protocol === 'data:' || parsed.protocol === 'blob:' || parsed.protocol === 'about:') return false;
      return !['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
    });
    expect(outside).toEqual([]);
    expect(requested.some((url) => url.startsWith(gatewayUrl))).toBe(true);
    expect(pageErrors).toEqual([]);
    expect(consoleErrors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
  });
});

/**
 * Expands GET /employees/{id}, turns on "Try it out", fills the id and executes; returns what
 * the gateway answered the browser.
 */
async function tryIt(on: Page, id: string): Promise<{ status: number; authorization: string | undefined; body: string }> {
  const operation = on.locator('.opblock-get', { has: on.locator('[data-path="/employees/{id}"]') });
  if (!(await operation.locator('.opblock-body').isVisible())) await operation.locator('.opblock-summary').click();
  const tryOut = operation.locator('button.try-out__btn');
  if ((await tryOut.textContent())?.includes('Try it out')) await tryOut.click();
  await operation.locator('tr[data-param-name="id"] input').fill(id);
  const answered = on.waitForResponse((r) => r.url() === `${gatewayUrl}/employees/${id}` && r.request().method() === 'GET');
  await operation.locator('button.execute').click();
  const response = await answered;
  await operation.locator('.live-responses-table').waitFor();
  return { status: response.status(), authorization: (await response.request().allHeaders()).authorization, body: await response.text() };
}

function buildUiWhenMissing(): void {
  if (existsSync(path.join(UI_DIR, 'index.html'))) return;
  const build = spawnSync('npx', ['vite', 'build', '--config', 'web/portal/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the portal UI did not build:\n${build.stdout}${build.stderr}`);
}

/** Gives each of the example's backend ports (170xx) a free one, in every file. */
async function movePorts(dir: string): Promise<void> {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => path.join(dir, f));
  const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
  const ports = new Set([...texts.values()].flatMap((text) => [...text.matchAll(/\b170\d\d\b/g)].map((m) => m[0])));
  const moved = new Map<string, string>();
  for (const port of ports) {
    let free = String(await refusedPort());
    while ([...moved.values()].includes(free)) free = String(await refusedPort());
    moved.set(port, free);
  }
  for (const [file, text] of texts) writeFileSync(file, text.replace(/\b170\d\d\b/g, (port) => moved.get(port)!));
}
