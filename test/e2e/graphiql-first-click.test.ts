import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';

/** Debian's chromium; playwright-core never downloads a browser. */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT_DIR = path.resolve('test-results');
const TABS = [
  'ClerkCreatesCard',
  'ClerkListsCards',
  'SupportListsCards',
  'SupportFindsByNumber',
  'ProcessorReadsPending',
  'ProcessorClaimsCards',
  'ProcessorMarksProcessed',
  'KeyAdminRotatesKey',
  'AuditorReadsReveals',
];

const chromiumPresent = existsSync(CHROMIUM);
if (!chromiumPresent && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: .ci/run installs it`);

interface FreshBrowser {
  page: Page;
  /** Console errors, failed requests and uncaught page errors, as the developer tools would list them. */
  problems: string[];
  close(): Promise<void>;
}

/** A new browser profile (nothing stored from an earlier visit) at the given window width. */
async function openFresh(url: string, width: number): Promise<FreshBrowser> {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'transitql-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    headless: true,
    viewport: { width, height: 800 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400 && response.request().method() === 'GET') {
      problems.push(`${response.status()} ${response.url()}`);
    }
  });
  await page.goto(url);
  await page.locator('.graphiql-container').waitFor();
  await page
    .locator('.graphiql-tab')
    .nth(TABS.length - 1)
    .waitFor();
  return {
    page,
    problems,
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Presses GraphiQL's run button and returns the API's JSON answer to the operation sent. */
async function pressRun(page: Page): Promise<{ data?: Record<string, unknown>; errors?: unknown[] }> {
  const answered = page.waitForResponse((response) => response.request().method() === 'POST');
  await page.locator('.graphiql-execute-button').click();
  return (await answered).json();
}

/** A tab is in sight when it lies inside the window and the element at its centre is the tab (not the logo). */
async function tabsOutOfSight(page: Page): Promise<string[]> {
  const viewport = page.viewportSize();
  const hidden: string[] = [];
  for (const tab of await page.locator('.graphiql-tab').all()) {
    const title = (await tab.textContent()) ?? '?';
    const box = await tab.boundingBox();
    if (box === null || viewport === null) {
      hidden.push(title);
      continue;
    }
    const inside =
      box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height;
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    const atCentre = await page.evaluate(
      `document.elementFromPoint(${x}, ${y})?.closest('.graphiql-tab')?.textContent`,
    );
    if (!inside || atCentre !== title) hidden.push(title);
  }
  return hidden;
}

describe.skipIf(!chromiumPresent).each(backendSets())('GraphiQL on a fresh browser profile [$name]', (set) => {
  let backends: Backends;
  let api: TestApi;

  beforeAll(async () => {
    backends = await set.open();
    api = await startTestApi(backends);
  });
  afterAll(async () => {
    await api?.close();
    await backends?.close();
  });

  it('the first Run, with nothing else touched, creates the clerk card; every other tab answers its Run', async () => {
    const browser = await openFresh(api.url, 1280);
    try {
      const { page } = browser;
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      const suffix = set.name === 'embedded' ? '' : `-${set.name.replace(/\W+/g, '-')}`;
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `graphiql-first-load-1280${suffix}.png`) });

      const first = await pressRun(page);
      expect(first.errors).toBeUndefined();
      expect(first.data?.createCreditCard).toMatchObject({
        name: 'Carlos Gardel',
        pan: expect.stringMatching(/^vault:v1:/),
      });
      await expect.poll(async () => (await page.locator('.result-window').textContent()) ?? '').toContain('vault:v1:');
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `graphiql-first-run-1280${suffix}.png`) });

      for (const title of TABS.slice(1)) {
        await page.locator('.graphiql-tab', { hasText: title }).click();
        await page.locator('.graphiql-query-editor', { hasText: title }).waitFor();
        const answer = await pressRun(page);
        expect(answer.errors, title).toBeUndefined();
        expect(answer.data, title).toBeTruthy();
      }
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `graphiql-last-tab-1280${suffix}.png`) });
      expect(browser.problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it.each([1280, 1440])('shows every tab at %i px, with no console error', async (width) => {
    const browser = await openFresh(api.url, width);
    try {
      expect(await browser.page.locator('.graphiql-tab').count()).toBe(TABS.length);
      expect(await tabsOutOfSight(browser.page)).toEqual([]);
      if (set.name === 'embedded') {
        await browser.page.screenshot({ path: path.join(SCREENSHOT_DIR, `graphiql-tabs-${width}.png`) });
      }
      expect(browser.problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it("the docs pane opens on the schema's description, which says what each directive means", async () => {
    const browser = await openFresh(api.url, 1280);
    try {
      const { page } = browser;
      await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
      const docs = page.locator('.graphiql-doc-explorer');
      await docs.getByText('Root Types').waitFor();
      const text = ((await docs.textContent()) ?? '').replace(/\s+/g, ' ');
      expect(text).not.toContain('A GraphQL schema provides a root type for each kind of operation.');
      for (const directive of ['encrypted', 'decryptFor', 'blindIndex', 'requireRole', 'maxItems', 'maxLength']) {
        expect(text, directive).toContain(`@${directive}(`);
      }
      expect(text).toContain('Encryption and access (from the directives):');
      if (set.name === 'embedded') await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'graphiql-docs-root.png') });
      expect(browser.problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('the docs pane of CreditCard.pan shows the contract generated from its directives', async () => {
    const browser = await openFresh(api.url, 1280);
    try {
      const { page } = browser;
      await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
      const docs = page.locator('.graphiql-doc-explorer');
      await docs.getByText('Root Types').waitFor();
      await docs.locator('input').fill('CreditCard');
      await page.getByRole('option', { name: 'CreditCard', exact: true }).first().click();
      await docs.locator('.graphiql-doc-explorer-field-name', { hasText: /^pan$/ }).click();
      await docs.locator('.graphiql-doc-explorer-title', { hasText: /^pan$/ }).waitFor();
      await docs.getByText('Encryption and access (from the directives):').waitFor();
      const text = (await docs.textContent()) ?? '';
      expect(text).toContain('Stored encrypted under the transit key card-pan.');
      expect(text).toContain(
        'processor reads the plaintext of records the policy pending allows (others: the ciphertext).',
      );
      expect(text).toContain('support reads it masked with LAST4');
      expect(text).toContain(
        'at most 2000 values per rolling hour per caller ("2000/h"; past it the field fails with RATE_LIMITED)',
      );
      if (set.name === 'embedded') await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'graphiql-docs-pan.png') });
      expect(browser.problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('GET / sends a browser to GraphiQL and tells other clients where the API is; /favicon.ico is no 404', async () => {
    const root = new URL('/', api.url);
    const browserVisit = await fetch(root, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(browserVisit.status).toBe(302);
    expect(browserVisit.headers.get('location')).toBe('/graphql');
    const client = await fetch(root, { headers: { accept: 'application/json' } });
    expect(client.status).toBe(200);
    expect(await client.json()).toMatchObject({
      service: 'transitql',
      graphql: expect.stringContaining('POST /graphql'),
    });
    expect((await fetch(new URL('/favicon.ico', api.url))).status).toBe(204);
  });
});
