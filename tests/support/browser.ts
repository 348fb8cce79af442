import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
} from 'playwright-core';

/** Debian's Chromium (`.ci/run` installs it); Playwright never downloads a browser here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots and other files a test keeps for people to look at (git-ignored). */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../artifacts/', import.meta.url));

/**
 * Headless Chromium with everything that would reach the internet turned off. A launch
 * that hangs (seldom, on a loaded machine) is given up after 30 s and tried once more,
 * instead of holding a suite's set-up until its hook times out.
 */
export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  try {
    return await launchOnce();
  } catch (error) {
    console.warn(`Chromium did not start (${(error as Error).message}); trying once more`);
    return launchOnce();
  }
}

function launchOnce(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A browser context logged in to the dashboard at `base` with `token`. */
export async function loggedInContext(
  browser: Browser,
  base: string,
  token: string,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill('#token', token);
  await page.click('button[type=submit]');
  await page.waitForURL((url) => url.pathname !== '/login');
  await page.close();
  return context;
}
