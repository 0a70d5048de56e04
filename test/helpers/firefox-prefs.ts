// Firefox ESR (Debian's `firefox-esr`, never a downloaded build), driven over WebDriver BiDi by
// puppeteer-core. Shared by web-test-runner.config.mjs and the e2e helpers (test/helpers/firefox.ts).
//
// Facts measured on these machines (../shared/TESTING.md):
// - Firefox gathers NO ICE candidate in a namespace whose only interface is `lo`, whatever the
//   prefs say. test/helpers/netns-veth.sh gives the namespace a veth pair with 192.0.2.10/24
//   (a documentation range) and a default route to nowhere; Firefox then offers 192.0.2.10 host
//   candidates (and, with the loopback pref, 127.0.0.1). Nothing can leave the namespace.
// - Without the fake-streams and permission prefs getUserMedia waits for a prompt nobody answers.

/** Debian's Firefox ESR; FIREFOX_PATH overrides it. */
export const FIREFOX_PATH = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

/** Prefs every test Firefox needs. */
export const FIREFOX_PREFS: Record<string, boolean | number> = {
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.autoplay.default': 0,
  // Several users share one browser: background tabs must keep their timers running.
  'dom.min_background_timeout_value': 4,
  'dom.timeout.enable_budget_timer_throttling': false,
  // Quiet: no update checks, telemetry or first-run pages (nothing may leave the namespace anyway).
  'app.update.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'browser.shell.checkDefaultBrowser': false,
};

/** Launch options for puppeteer-core's `launch()`. */
export const firefoxLaunchOptions = () => ({
  browser: 'firefox',
  executablePath: FIREFOX_PATH,
  headless: true,
  extraPrefsFirefox: FIREFOX_PREFS,
});
