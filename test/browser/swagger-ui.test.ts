import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import t from 'tap';
import { ADMIN_KEY, startTestApp } from '../helpers/app.js';

/**
 * The Swagger UI in a real browser (Debian's Chromium, driven by playwright-core; nothing is
 * downloaded), reached over plain HTTP as `127.0.0.1` and as a non-loopback host name: it renders
 * every operation, Authorize and "Try it out" on GET /decisions get 200, and the console shows no
 * error and no request fails. `npm run test:browser`; CI installs Chromium with apt.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HOST_NAME = 'eszl.test';

const ctx = await startTestApp(t);
await ctx.app.listen({ port: 0, host: '127.0.0.1' });
const { port } = ctx.app.server.address() as AddressInfo;
type PathItems = Record<string, Record<string, unknown>>;
const openapi = (await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{ paths: PathItems; webhooks: PathItems }>();
/** The operations of the paths and of the webhooks section: the UI shows each as one block. */
const operationCount = [...Object.values(openapi.paths), ...Object.values(openapi.webhooks)].reduce(
  (sum, item) => sum + Object.keys(item).filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method)).length,
  0,
);

const userDataDir = await mkdtemp(join(tmpdir(), 'eszl-chromium-'));
const browser: BrowserContext = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
    `--host-resolver-rules=MAP ${HOST_NAME} 127.0.0.1`,
  ],
});
t.teardown(async () => {
  await browser.close();
  await rm(userDataDir, { recursive: true, force: true });
});

/** Everything the page complains about: console errors, script errors, failed and refused requests. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()} (${request.failure()?.errorText})`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`status ${response.status()}: ${response.url()}`);
  });
  return problems;
}

for (const host of ['127.0.0.1', HOST_NAME]) {
  t.test(`/docs over http://${host}: every operation, Authorize and Try it out, no console error`, async (t) => {
    const page = await browser.newPage();
    t.teardown(() => page.close());
    const problems = watch(page);

    await page.goto(`http://${host}:${port}/docs`);
    await page.locator('.opblock').nth(operationCount - 1).waitFor({ timeout: 30_000 });
    t.equal(await page.locator('.opblock').count(), operationCount, `renders all ${operationCount} operations`);

    await page.locator('.auth-wrapper button.authorize').click();
    await page.locator('.modal-ux input').first().fill(ADMIN_KEY);
    await page.locator('.modal-ux .auth-btn-wrapper button.authorize').click();
    await page.locator('.modal-ux button.btn-done').click();

    const operation = page.locator('#operations-decisions-listDecisions');
    await operation.locator('.opblock-summary').first().click();
    await operation.locator('button.try-out__btn').click();
    const [answer] = await Promise.all([
      page.waitForResponse((response) => new URL(response.url()).pathname === '/api/v1/decisions'),
      operation.locator('button.execute').click(),
    ]);
    t.equal(answer.status(), 200, 'GET /decisions with the key answers 200');
    t.equal(answer.request().headers().authorization, `Bearer ${ADMIN_KEY}`, 'with the key from Authorize');
    const shown = operation.locator('.live-responses-table tbody .response-col_status');
    await shown.first().waitFor();
    t.equal((await shown.first().innerText()).trim(), '200', 'the UI shows 200');

    t.same(problems, [], 'no console error, no failed request');
  });
}
