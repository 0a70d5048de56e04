// Browser tests of core/ and components/: real Chromium or, with WTR_BROWSER=firefox, real
// Firefox ESR (Debian's, never a downloaded one), real RTCPeerConnections on loopback, real relays
// started by the relay plugin. Run through `npm test`, which puts this inside a network namespace
// with only `lo` (and, for Firefox, the veth pair of test/helpers/netns-veth.sh; see test/run.sh).
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import * as puppeteerCore from 'puppeteer-core';
import { firefoxLaunchOptions } from './test/helpers/firefox-prefs.ts';
import { defaultReporter, summaryReporter } from '@web/test-runner';
import { relayPlugin } from './test/helpers/wtr-relay-plugin.ts';
import { meshRelayPlugin } from './relay/wtr-plugin.ts';
import { wtrCountReporter } from './test/helpers/count-reporter.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu',
  // Pages in the background must keep their timers and frames: several users share one browser.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

const group = process.env.WTR_FILES;
const firefox = process.env.WTR_BROWSER === 'firefox';

// Firefox goes through the same launcher with puppeteer-core as its driver (WebDriver BiDi), which
// is all @web/test-runner-puppeteer adds — without the full `puppeteer` package and its downloads.
// puppeteer-core 25 follows setViewport with BiDi's emulation.setScreenOrientationOverride, which
// Debian's Firefox ESR 140 does not know ("unknown command"): every session would fail before its
// first test. The viewport itself is set (both commands go out together); only that unknown
// follow-up is let go. puppeteer then leaves page.viewport() unset and skips its touch-change
// reload, neither of which the test runner uses.
const tolerateOldFirefox = (page) => {
  const setViewport = page.setViewport.bind(page);
  page.setViewport = (viewport) => setViewport(viewport).catch((error) => {
    if (!String(error?.message).includes('unknown command emulation.setScreenOrientationOverride')) throw error;
  });
  return page;
};
const browser = firefox
  ? chromeLauncher({ puppeteer: puppeteerCore, launchOptions: firefoxLaunchOptions(), createPage: async ({ context }) => tolerateOldFirefox(await context.newPage()) })
  : chromeLauncher({
    launchOptions: {
      executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    },
  });

export default {
  files: group ? group.split(',') : ['test/core/**/*.test.ts', 'test/components/**/*.test.ts'],
  nodeResolve: true,
  // One page at a time: a background page gets no animation frames, and fixtures wait for one.
  concurrency: 1,
  concurrentBrowsers: 1,
  // meshRelayPlugin is the one the package exports for sites' own tests (tested here too).
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' }), relayPlugin(), meshRelayPlugin()],
  browsers: [browser],
  testFramework: { config: { timeout: 30000 } },
  browserStartTimeout: 60000,
  testsStartTimeout: 60000,
  testsFinishTimeout: 10 * 60000,
  reporters: [
    process.env.CI ? summaryReporter({ flatten: true }) : defaultReporter(),
    wtrCountReporter(process.env.COUNT_FILE ?? `.test-results/${firefox ? 'wtr-firefox' : 'wtr'}.json`),
  ],
};
