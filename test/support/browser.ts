import { chromium, type Browser } from 'playwright-core';

/** Headless Chromium as the browser tests run it; without the background-networking flags it tries to reach Google's hosts. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
    timeout: 30_000,
  });
}
