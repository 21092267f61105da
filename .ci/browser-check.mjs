// Open report.html in headless Chromium and check it works offline: no console error, no
// network request other than the file itself, a screenshot that is not one flat colour, and
// the expected number of app rows in the DOM.
//
// Usage: PLAYWRIGHT_DIR=<folder with node_modules/playwright-core> \
//   node .ci/browser-check.mjs REPORT.html EXPECTED_APPS SCREENSHOT.png
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, expectedApps, shot] = process.argv.slice(2);
if (!file || !expectedApps || !shot) {
  console.error('usage: browser-check.mjs REPORT.html EXPECTED_APPS SCREENSHOT.png');
  process.exit(2);
}
// playwright-core is installed in a scratch folder, not in the repository.
const require = createRequire(join(resolve(process.env.PLAYWRIGHT_DIR || '.'), 'noop.js'));
const { chromium } = require('playwright-core');

const url = pathToFileURL(resolve(file)).href;
// A fresh profile each run (Playwright takes it as userDataDir, not as --user-data-dir).
const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'ecaplan-chromium-')), {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const failures = [];
try {
  const page = await browser.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(300);

  const apps = await page.$$eval('[data-app]', (rows) => rows.length);
  const png = await page.screenshot({ path: shot, fullPage: false });
  // Count distinct colours of the screenshot in a blank page (no extra npm package needed).
  const probe = await browser.newPage();
  const colours = await probe.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const cx = c.getContext('2d');
    cx.drawImage(img, 0, 0);
    const d = cx.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length && seen.size < 1000; i += 4 * 7) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  }, png.toString('base64'));

  console.log(`apps in DOM: ${apps} (expected ${expectedApps})`);
  console.log(`network requests besides the file: ${requests.length}`);
  console.log(`console errors: ${errors.length}`);
  console.log(`screenshot colours (sampled, capped at 1000): ${colours}`);
  if (apps !== Number(expectedApps)) failures.push(`expected ${expectedApps} apps, found ${apps}`);
  if (requests.length) failures.push(`network requests: ${requests.join(', ')}`);
  if (errors.length) failures.push(`console errors: ${errors.join(' | ')}`);
  if (colours < 2) failures.push('screenshot is a single colour');
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`browser-check: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('browser-check: ok');
