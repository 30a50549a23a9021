// The browser the e2e tests and the UI benchmark drive: Debian's Chromium, else Playwright's own download.
import fs from 'node:fs';
import { chromium } from 'playwright-core';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launch options for the browser found; a string says why neither is there. */
export function findChromium(): { executablePath?: string } | string {
  if (fs.existsSync(DEBIAN_CHROMIUM)) return { executablePath: DEBIAN_CHROMIUM };
  const own = chromium.executablePath();
  if (own && fs.existsSync(own)) return {};
  return `no browser: neither ${DEBIAN_CHROMIUM} (apt-get install chromium) nor Playwright's Chromium (npx playwright install chromium) is installed`;
}
