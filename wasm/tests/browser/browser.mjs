// What both browser tests start with: the static server, Debian's Chromium driven by
// playwright-core with a throw-away profile, and the page's errors collected.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Serves wasm/ and opens Chromium for test `t`; everything is closed after the test.
 *  `options` are extra `launchPersistentContext` options; `userDataDir` (the profile, removed
 *  after the test) also holds a test's own files. */
export async function openBrowser(t, options = {}) {
  const { server, url } = await serve(0);
  t.after(() => server.close());
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'neotalk-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    ...options,
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // node:test runs after-hooks in the order they were added: close Chromium before removing
  // its profile (which it writes to until closed; removing it first failed the hook and left
  // Chromium running).
  t.after(async () => {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
  });
  // Playwright's actions wait without limit by default: a step that cannot happen fails instead.
  context.setDefaultTimeout(30_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  return { url, page, pageErrors, userDataDir };
}
