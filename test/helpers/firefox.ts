import { launch, type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { firefoxLaunchOptions } from './firefox-prefs.js';

/**
 * Debian's Firefox ESR over WebDriver BiDi (puppeteer-core), for e2e tests that mix browsers.
 * Needs the namespace's veth pair (test/helpers/netns-veth.sh): with only `lo` Firefox gathers
 * no ICE candidate at all. Prefs: test/helper./firefox-prefs.js.
 */
export function launchFirefox(): Promise<Browser> {
  return launch(firefoxLaunchOptions() as Parameters<typeof launch>[0]);
}

/** A separate Firefox user: its own context (storage) and one page. */
export async function newFirefoxUser(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.on('pageerror', (err) => process.stderr.write(`[firefox page error] ${(err as Error).message}\n`));
  return { context, page };
}
