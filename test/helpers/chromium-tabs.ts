import { launch, type Browser } from 'puppeteer-core';
import { CHROMIUM_ARGS } from './browser.js';

/** The flags that keep every page's timers running; people's browsers have none of them. */
const KEEP_AWAKE = ['--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'];

/**
 * Debian's Chromium driven by puppeteer-core, where a page opened after another in the same
 * context is a new tab in the same window, so the first one is really hidden
 * (`document.visibilityState === 'hidden'`) and throttled as for people: timers aligned to 1 s,
 * and, once hidden for the grace period without WebRTC in use, woken once a minute (intensive
 * wake-up throttling). The grace period is 5 minutes in people's browsers; here it is 10 s, so a
 * test sees the minute-long sleeps without waiting 5 minutes (measured with Chromium 156: a
 * hidden page's 250 ms timer chain then fires once a minute). Playwright cannot do this: it keeps
 * every page visible and active.
 */
export function launchChromiumWithTabs(): Promise<Browser> {
  return launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS.filter((a) => !KEEP_AWAKE.includes(a)), '--enable-features=IntensiveWakeUpThrottling:grace_period_seconds/10'],
    ignoreDefaultArgs: KEEP_AWAKE,
  });
}
