import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.ts';
import { type Backends, backendSets } from '../support/backends.ts';

/** Debian's chromium; playwright-core never downloads a browser. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const SCREENSHOT_DIR = path.resolve('test-results');
const PLAINTEXT_PAN = '4539296620131157';
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const chromiumPresent = existsSync(CHROMIUM);
if (!chromiumPresent && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: .ci/run installs it`);
if (!chromiumPresent) console.warn(`skipping the GraphiQL browser tests: ${CHROMIUM} is not installed`);

interface Browser {
  page: Page;
  /** Every URL the page requested. */
  requests: string[];
  close(): Promise<void>;
}

async function openBrowser(url: string): Promise<Browser> {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'transitql-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1400, height: 900 },
  });
  const requests: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  await page.locator('.graphiql-container').waitFor();
  return {
    page,
    requests,
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

async function selectTab(page: Page, title: string): Promise<void> {
  await page.locator('.graphiql-tab', { hasText: title }).click();
  await page.locator('.graphiql-query-editor', { hasText: title }).waitFor();
}

/** Runs the active tab's operation with GraphiQL's run button; `resultPane` then shows the answer. */
async function run(page: Page, title: string): Promise<void> {
  const answered = page.waitForResponse(
    (response) => response.request().method() === 'POST' && (response.request().postData() ?? '').includes(title),
  );
  await page.locator('.graphiql-execute-button').click();
  await answered;
}

async function runTab(page: Page, title: string): Promise<void> {
  await selectTab(page, title);
  await run(page, title);
}

function resultPane(page: Page): () => Promise<string> {
  return async () => (await page.locator('.result-window').textContent()) ?? '';
}

/** Replaces the header editor's text the way a user would: select all, type. */
async function setHeaders(page: Page, headers: Record<string, string>): Promise<void> {
  const editor = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror');
  const text = JSON.stringify(headers);
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
  // CodeMirror picks typed text up from its hidden textarea a moment later.
  await expect
    .poll(async () => ((await editor.textContent()) ?? '').replace(/\s|\u200b/g, ''))
    .toContain(text.replace(/\s/g, ''));
}

function nonLocal(requests: string[]): string[] {
  return requests.filter((url) => !url.startsWith('data:') && !LOCAL_HOSTS.has(new URL(url).hostname));
}

async function openDocs(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
  const docs = page.locator('.graphiql-doc-explorer');
  await docs.getByText('Root Types').waitFor();
  await docs.getByText('Query', { exact: true }).click();
  await docs.getByText('creditCards').first().waitFor();
  return (await docs.textContent()) ?? '';
}

describe.skipIf(!chromiumPresent).each(backendSets())('GraphiQL in headless Chromium [$name]', (set) => {
  describe('with development tokens', () => {
    let backends: Backends;
    let api: TestApi;
    let browser: Browser | undefined;

    beforeAll(async () => {
      backends = await set.open();
      api = await startTestApi(backends);
    });
    afterEach(async () => {
      await browser?.close();
      browser = undefined;
    });
    afterAll(async () => {
      await api?.close();
      await backends?.close();
    });

    it('creates a card as clerk (ciphertext), lists it as processor (plaintext), all from localhost', async () => {
      browser = await openBrowser(api.url);
      const { page } = browser;

      await runTab(page, 'ClerkCreatesCard');
      await expect.poll(resultPane(page)).toContain('"createCreditCard"');
      expect(await resultPane(page)()).toContain('"pan": "vault:v1:');
      expect(await resultPane(page)()).not.toContain(PLAINTEXT_PAN);

      await runTab(page, 'ClerkListsCards');
      await expect.poll(resultPane(page)).toContain('"creditCards"');
      expect(await resultPane(page)()).toContain('"pan": "vault:v1:');
      expect(await resultPane(page)()).not.toContain(PLAINTEXT_PAN);

      await runTab(page, 'ProcessorReadsPending');
      await expect.poll(resultPane(page)).toContain('"creditCards"');
      expect(await resultPane(page)()).toContain(`"pan": "${PLAINTEXT_PAN}"`);
      expect(await resultPane(page)()).not.toContain('vault:v1:');

      await mkdir(SCREENSHOT_DIR, { recursive: true });
      const screenshot = set.name === 'embedded' ? 'graphiql.png' : `graphiql-${set.name.replace(/\W+/g, '-')}.png`;
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, screenshot) });

      expect(browser.requests.some((url) => url.includes('/graphiql-assets/graphiql.min.js'))).toBe(true);
      expect(nonLocal(browser.requests)).toEqual([]);
    });

    it('shows UNAUTHENTICATED in the result pane for a missing or an expired token', async () => {
      browser = await openBrowser(api.url);
      const { page } = browser;

      await selectTab(page, 'ClerkListsCards');
      await setHeaders(page, {});
      await run(page, 'ClerkListsCards');
      await expect.poll(resultPane(page)).toContain('Authentication required');
      expect(await resultPane(page)()).toContain('"code": "UNAUTHENTICATED"');

      const expired = await new SignJWT({ roles: ['clerk'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('expired-clerk')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
        .sign(new TextEncoder().encode(backends.config.auth.kind === 'secret' ? backends.config.auth.secret : ''));
      await setHeaders(page, { Authorization: `Bearer ${expired}` });
      await run(page, 'ClerkListsCards');
      await expect.poll(resultPane(page)).toContain('token has expired');
      expect(await resultPane(page)()).toContain('"code": "UNAUTHENTICATED"');
    });
  });

  describe('without development tokens (own secret, placeholder headers)', () => {
    let backends: Backends;
    let api: TestApi;

    beforeAll(async () => {
      backends = await set.open({ AUTH_JWT_SECRET: 'a-test-secret-that-is-not-the-development-one' });
      api = await startTestApi(backends);
    });
    afterAll(async () => {
      await api?.close();
      await backends?.close();
    });

    it('loads the docs pane and shows UNAUTHENTICATED for the placeholder token', async () => {
      const browser = await openBrowser(api.url);
      try {
        const docs = await openDocs(browser.page);
        expect(docs).toContain('creditCards');

        await runTab(browser.page, 'ClerkListsCards');
        await expect.poll(resultPane(browser.page)).toContain('token is malformed');
        expect(await resultPane(browser.page)()).toContain('"code": "UNAUTHENTICATED"');
        expect(nonLocal(browser.requests)).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  });
});
