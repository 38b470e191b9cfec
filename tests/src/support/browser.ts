// Debian's chromium driven by playwright-core (which never downloads a browser).
// As root, chromium needs --no-sandbox; the network flags stop it from calling
// home on a machine with no route out.
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  // playwright-core gives every launch a fresh, empty user-data-dir.
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // A kiosk speaks without waiting for a touch (issue 12: voice on every screen),
      '--autoplay-policy=no-user-gesture-required',
      // and its camera is chromium's fake device here (a real kiosk grants its own camera by policy).
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
    ],
  });
}
