import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, type TestContext } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { sqliteKind } from '../helpers/stores.js';

/**
 * Browser tests: a real Chromium (Debian's /usr/bin/chromium, driven by playwright-core) clicks
 * through the built web UI (web/dist) served by a whole Watchkeeper listening on a real port, on a
 * fake clock that the test moves. Nothing sleeps: the page is waited on with Playwright's
 * auto-waiting locators and vitest's expect.poll.
 *
 * Without Chromium the suites are skipped with a notice, unless WATCHKEEPER_BROWSER_TESTS=required
 * (CI sets it), in which case they fail.
 */

export const CHROMIUM_PATH = process.env.WATCHKEEPER_CHROMIUM_PATH ?? '/usr/bin/chromium';
export const BROWSER_TESTS_REQUIRED = process.env.WATCHKEEPER_BROWSER_TESTS === 'required';
export const CHROMIUM_MISSING = `chromium not found at ${CHROMIUM_PATH}; install it with apt-get install chromium`;
export const WEB_DIST_MISSING = 'web/dist/index.html is missing: run npm run build:web first';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const webIndex = path.join(repoRoot, 'web/dist/index.html');
export const ARTIFACTS_DIR = path.join(repoRoot, 'test-artifacts/browser');

/** Generous for a 2-core CI machine, still far below the test timeout. */
export const UI_TIMEOUT_MS = 10_000;

/** Passwords are at least 12 characters (PUT /api/v1/users/:name/password). */
export const ALICE_PASSWORD = 'correct horse battery staple';
export const CHECKOUT_KEY = 'browser0checkout0events0v2000000';

/**
 * The organisation the browser tests run against. Alice (admin) is paged first; 5 minutes
 * without an acknowledgement and Bob is paged; 10 more and it starts over once.
 */
export const ORG_YAML = `
users:
  - name: alice
    full_name: Alice Liddell
    email: alice@example.com
    time_zone: Europe/London
    role: admin
    contact_methods:
      - name: work-email
        type: email
        address: alice@example.com
    notification_rules:
      - contact_method: work-email
        delay_minutes: 0
  - name: bob
    full_name: Bob Okafor
    email: bob@example.com
    time_zone: America/New_York
    role: responder
    contact_methods:
      - name: work-email
        type: email
        address: bob@example.com
    notification_rules:
      - contact_method: work-email
        delay_minutes: 0
escalation_policies:
  - name: default
    repeat: 1
    levels:
      - targets:
          - user: alice
        delay_minutes: 5
      - targets:
          - user: bob
        delay_minutes: 10
services:
  - name: Checkout API
    escalation_policy: default
    integrations:
      - name: events-v2
        type: events_v2
        key: ${CHECKOUT_KEY}
`;

function chromiumPresent(): boolean {
  try {
    fs.accessSync(CHROMIUM_PATH, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Prints the skip notice once per vitest run (every test file runs in a fork of the same parent). */
function noticeOnce(message: string): void {
  const marker = path.join(os.tmpdir(), `watchkeeper-browser-skip-${process.ppid}`);
  try {
    fs.writeFileSync(marker, message, { flag: 'wx' });
  } catch {
    return;
  }
  console.warn(`browser tests skipped: ${message}`);
}

/** What each browser test gets: its own Watchkeeper, browser context and page. */
export interface BrowserWorld {
  h: Harness;
  context: BrowserContext;
  page: Page;
}

/**
 * A describe block of browser tests. One Chromium per file; every test gets a fresh Watchkeeper
 * (SQLite in memory, listening on 127.0.0.1, fake clock at 2026-03-08 08:00 UTC) with ORG_YAML
 * applied, and a fresh browser context. A screenshot of the page is saved to
 * test-artifacts/browser/<test name>.png at the end of every test, passed or failed.
 */
export function describeBrowser(name: string, body: (world: () => BrowserWorld) => void): void {
  if (!chromiumPresent() && !BROWSER_TESTS_REQUIRED) {
    noticeOnce(CHROMIUM_MISSING);
    describe.skip(name, () => body(() => {
      throw new Error(CHROMIUM_MISSING);
    }));
    return;
  }

  describe(name, () => {
    let browser: Browser | undefined;
    let current: BrowserWorld | undefined;

    beforeAll(async () => {
      if (!chromiumPresent()) throw new Error(CHROMIUM_MISSING);
      if (!fs.existsSync(webIndex)) throw new Error(WEB_DIST_MISSING);
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
    });

    afterAll(async () => {
      await browser?.close();
    });

    beforeEach(async () => {
      if (!browser) throw new Error('chromium did not start');
      const h = await Harness.start(sqliteKind, { orgYaml: ORG_YAML, listen: true });
      try {
        const context = await browser.newContext({ baseURL: h.baseUrl, viewport: { width: 1280, height: 800 } });
        context.setDefaultTimeout(UI_TIMEOUT_MS);
        context.setDefaultNavigationTimeout(UI_TIMEOUT_MS);
        const page = await context.newPage();
        current = { h, context, page };
      } catch (err) {
        await h.stop();
        throw err;
      }
    });

    afterEach(async (ctx: TestContext) => {
      const world = current;
      current = undefined;
      if (!world) return;
      try {
        const file = await screenshot(world.page, ctx).catch((err: unknown) => `none (${String(err)})`);
        if (ctx.task.result?.state === 'fail') console.error(`screenshot of the failed browser test: ${file}`);
      } finally {
        // The context first: its open event stream would otherwise keep the server from closing.
        await world.context.close().catch(() => undefined);
        await world.h.stop();
      }
    });

    body(() => {
      if (!current) throw new Error('no browser world outside a test');
      return current;
    });
  });
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 150);
}

/** Saves test-artifacts/browser/<suite>-<test>.png and returns its path. */
export async function screenshot(page: Page, ctx: TestContext): Promise<string> {
  const names: string[] = [];
  for (let s = ctx.task.suite; s; s = s.suite) if (s.name) names.unshift(s.name);
  names.push(ctx.task.name);
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${slug(names.join(' '))}.png`);
  if (page.isClosed()) return `${file} (not taken: the page was closed)`;
  await page.screenshot({ path: file, fullPage: true, timeout: UI_TIMEOUT_MS });
  return file;
}

// ---- talking to the server the way other clients do: real HTTP on the harness's port ----

export interface HttpResult {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export async function http(h: Harness, method: string, url: string, opts: { body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpResult> {
  const res = await fetch(`${h.baseUrl}${url}`, {
    method,
    headers: { ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  if (text) {
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
  }
  return { status: res.status, body, headers: res.headers };
}

/** Gives a user a password as the harness's admin (PUT /api/v1/users/:name/password). */
export async function setPassword(h: Harness, user: string, password: string): Promise<void> {
  const res = await http(h, 'PUT', `/api/v1/users/${encodeURIComponent(user)}/password`, {
    body: { password },
    headers: { authorization: `Bearer ${h.adminToken}` },
  });
  if (res.status !== 204) throw new Error(`setting ${user}'s password failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Posts a PagerDuty Events API v2 trigger to POST /v2/enqueue; returns its dedup_key. */
export async function triggerEvent(h: Harness, summary: string, dedupKey: string, routingKey = CHECKOUT_KEY): Promise<string> {
  const res = await http(h, 'POST', '/v2/enqueue', {
    body: { routing_key: routingKey, event_action: 'trigger', dedup_key: dedupKey, payload: { summary, source: 'web-1', severity: 'critical' } },
  });
  if (res.status !== 202) throw new Error(`trigger failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.dedup_key as string;
}

export interface AlertRow {
  id: number;
  status: string;
  summary: string;
  dedup_key: string;
}

/** The alert with this dedup_key, read through the API as the admin. */
export async function alertByDedupKey(h: Harness, dedupKey: string): Promise<AlertRow> {
  const res = await h.api('GET', '/api/v1/alerts?status=triggered,acknowledged,resolved');
  if (res.status !== 200) throw new Error(`listing alerts failed: ${res.status} ${JSON.stringify(res.body)}`);
  const found = (res.body.alerts as AlertRow[]).filter((a) => a.dedup_key === dedupKey);
  if (found.length !== 1) throw new Error(`expected one alert with dedup_key ${dedupKey}, found ${found.length}`);
  return found[0] as AlertRow;
}

export interface PageRow {
  user: { name: string | null };
  status: string;
  level: number;
  destination: string;
}

/** The pages sent for an alert (GET /api/v1/alerts/:id). */
export async function pagesOf(h: Harness, alertId: number): Promise<PageRow[]> {
  const res = await h.api('GET', `/api/v1/alerts/${alertId}`);
  if (res.status !== 200) throw new Error(`reading alert #${alertId} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.pages as PageRow[];
}

// ---- the UI ----

/** Signs in through the form on /login and waits until the app has left the sign-in page. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.pathname !== '/login');
}

/**
 * Follows a link of the main navigation: opens the group that holds it (Respond, On call, Noise,
 * Configure, Insights) unless it is open already, then clicks the link. `name` is the link's text,
 * e.g. 'Maintenance'; a RegExp for a link with a count beside it (/^Handoffs/).
 */
export async function navigateTo(page: Page, name: string | RegExp): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Main' });
  const group = nav.locator('[data-nav-group]').filter({ has: page.getByRole('link', { name, exact: true, includeHidden: true }) });
  if ((await group.count()) > 0) {
    const button = group.getByRole('button');
    if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  }
  await nav.getByRole('link', { name, exact: true }).click();
}

/** The wk_session cookie the browser holds for the harness's server. */
export async function sessionCookie(context: BrowserContext, h: Harness): Promise<string> {
  const cookie = (await context.cookies(h.baseUrl)).find((c) => c.name === 'wk_session');
  if (!cookie) throw new Error('the browser holds no wk_session cookie');
  return `wk_session=${cookie.value}`;
}

/** Polls until fn stops throwing; for server-side state the UI changed. */
export function eventually<T>(fn: () => Promise<T>) {
  return expect.poll(fn, { timeout: UI_TIMEOUT_MS, interval: 50 });
}
