// Launches Debian's Chromium for the browser journeys, installing it with apt-get first when it is missing:
// the project never downloads a browser of its own.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Install Debian's chromium package if it is not there yet (takes a few minutes; needs root). */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  try {
    execSync('apt-get update && apt-get install -y chromium', { stdio: 'inherit', timeout: 15 * 60_000 });
  } catch (error) {
    throw new Error(
      `${CHROMIUM} is missing and "apt-get install -y chromium" failed; install it as root and run the tests again`,
      {
        cause: error,
      },
    );
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is still missing`);
}

export async function launchBrowser(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
