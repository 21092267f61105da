// Open report.html in headless Chromium at 1400 px and at 420 px and check that it works
// offline and that people can read it: no console error, no network request other than the
// file itself, the expected number of app rows and of coupled-group drawings, a legend, a
// timeline with its date axis; no element wider than the viewport (outside a box that scrolls
// by itself), no text cut, every drawn label inside its box and its drawing. Screenshots of
// the top of the page, the timeline, the first group's and the first app's drawing are saved
// for each width.
//
// Usage: PLAYWRIGHT_DIR=<folder with node_modules/playwright-core> [CHROMIUM=/usr/bin/chromium] \
//   node .ci/browser-check.mjs REPORT.html EXPECTED_APPS EXPECTED_GROUPS ARTIFACTS_DIR
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, expectedApps, expectedGroups, artifacts] = process.argv.slice(2);
if (!file || !expectedApps || !expectedGroups || !artifacts) {
  console.error('usage: browser-check.mjs REPORT.html EXPECTED_APPS EXPECTED_GROUPS ARTIFACTS_DIR');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });
// playwright-core is installed in a scratch folder, not in the repository.
const require = createRequire(join(resolve(process.env.PLAYWRIGHT_DIR || '.'), 'noop.js'));
const { chromium } = require('playwright-core');
const url = pathToFileURL(resolve(file)).href;

// Runs in the page: what is wider than the viewport, cut, or drawn outside its box.
function layoutProblems() {
  const vw = document.documentElement.clientWidth;
  const problems = [];
  const name = (el) => {
    const id = el.id ? `#${el.id}` : '';
    const cls = typeof el.className === 'string' && el.className ? `.${el.className.split(' ').join('.')}` : '';
    const text = (el.textContent || '').trim().slice(0, 50);
    return `<${el.tagName.toLowerCase()}${id}${cls}> "${text}"`;
  };
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const inScroller = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) if (scrolls(p)) return true;
    return false;
  };
  if (document.documentElement.scrollWidth > vw) {
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${vw}`);
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if ((r.right > vw + 0.5 || r.left < -0.5) && !inScroller(el)) {
      problems.push(`wider than the viewport (${Math.round(r.left)}..${Math.round(r.right)} of ${vw}): ${name(el)}`);
    }
    const cs = getComputedStyle(el);
    const clips = ['hidden', 'clip'].includes(cs.overflowX) || cs.textOverflow === 'ellipsis';
    if (clips && el.scrollWidth > el.clientWidth + 1) problems.push(`text cut: ${name(el)}`);
  }
  const inside = (b, a, slack) => b.x >= a.x - slack && b.y >= a.y - slack
    && b.x + b.width <= a.x + a.width + slack && b.y + b.height <= a.y + a.height + slack;
  for (const svg of document.querySelectorAll('svg')) {
    const vb = svg.viewBox.baseVal;
    if (!vb || !vb.width) continue;
    for (const t of svg.querySelectorAll('text')) {
      if (!inside(t.getBBox(), vb, 0.5)) problems.push(`text outside its drawing: "${t.textContent}"`);
    }
  }
  for (const g of document.querySelectorAll('g.node')) {
    const box = g.querySelector('rect');
    const text = g.querySelector('text');
    if (box && text && !inside(text.getBBox(), box.getBBox(), 1)) {
      problems.push(`label outside its box: "${text.textContent}"`);
    }
  }
  return problems;
}

// Distinct colours of a screenshot (sampled, capped at 1000), counted in a blank page: a
// page that rendered nothing is one flat colour.
async function colours(browser, png) {
  const probe = await browser.newPage();
  const n = await probe.evaluate(async (b64) => {
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
  await probe.close();
  return n;
}

// Runs in the page: what must be there.
function contents() {
  const timeline = document.querySelector('figure.timeline svg');
  return {
    apps: document.querySelectorAll('[data-app]').length,
    groups: document.querySelectorAll('figure.drawing[id^="group-drawing-"] g.node').length
      ? document.querySelectorAll('figure.drawing[id^="group-drawing-"]').length : 0,
    appDrawings: document.querySelectorAll('figure.drawing[id^="app-drawing-"]').length,
    legend: document.querySelectorAll('#legend [role="listitem"]').length,
    ticks: timeline ? timeline.querySelectorAll('text.axis').length : 0,
    asOf: timeline ? timeline.querySelectorAll('text.asof').length : 0,
    elements: document.body.querySelectorAll('*').length,
  };
}

const failures = [];
const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'ecaplan-chromium-')), {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
try {
  for (const width of [1400, 420]) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.setViewportSize({ width, height: 900 });
    const requests = [];
    const errors = [];
    page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForTimeout(300);
    const c = await page.evaluate(contents);
    const problems = await page.evaluate(layoutProblems);
    const shots = [['top', null], ['timeline', 'figure.timeline'], ['group', '#group-drawing-1'],
      ['app', 'figure.drawing[id^="app-drawing-"]']];
    let shades = 0;
    for (const [what, selector] of shots) {
      const path = join(artifacts, `report-${width}-${what}.png`);
      if (!selector) shades = await colours(browser, await page.screenshot({ path }));
      else if (await page.$(selector)) await page.locator(selector).first().screenshot({ path });
    }
    const at = `${width} px`;
    console.log(`${at}: ${c.elements} elements, ${c.apps} app rows, ${c.groups} group drawing(s), `
      + `${c.appDrawings} app drawing(s), ${c.legend} legend entries, ${c.ticks} month labels, `
      + `${c.asOf} as-of marker, ${requests.length} requests, ${errors.length} console errors, `
      + `${problems.length} layout problem(s), ${shades} colours in the screenshot`);
    for (const p of problems.slice(0, 20)) console.log(`  ${at}: ${p}`);
    if (c.apps !== Number(expectedApps)) failures.push(`${at}: expected ${expectedApps} apps, found ${c.apps}`);
    if (c.groups !== Number(expectedGroups)) failures.push(`${at}: expected ${expectedGroups} coupled-group drawing(s), found ${c.groups}`);
    if (!c.legend) failures.push(`${at}: no legend`);
    if (shades < 2) failures.push(`${at}: the screenshot is a single colour`);
    if (!c.ticks) failures.push(`${at}: the timeline has no date axis`);
    if (requests.length) failures.push(`${at}: network requests: ${requests.join(', ')}`);
    if (errors.length) failures.push(`${at}: console errors: ${errors.join(' | ')}`);
    if (problems.length) failures.push(`${at}: ${problems.length} layout problem(s), e.g. ${problems[0]}`);
    await page.close();
  }
} finally {
  await browser.close();
}
console.log(`screenshots in ${artifacts}`);
if (failures.length) {
  console.error(`browser-check: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('browser-check: ok');
