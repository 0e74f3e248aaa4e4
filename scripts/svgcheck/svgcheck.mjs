// svgcheck: render SVG files in headless Chromium and measure what a reader sees.
// Adapted from the project's shared svgcheck tool; the checks are the same (overlapping
// text, text spilling out of its Graphviz node, text cut off at the drawing's edge), plus
// the limits of issue 12: width, aspect ratio and the smallest text size at 100%.
//
// Usage: node svgcheck.mjs [--json] [--max-width PX] [--max-aspect R] [--min-font PX] [--png DIR] FILE.svg...
// --png DIR also writes a screenshot of each drawing at 100% to DIR/NAME.png, for looking at it.
// Exit 1 when any file has a defect or breaks a limit, 2 on a usage error.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const args = process.argv.slice(2);
const opt = { json: false, maxWidth: Infinity, maxAspect: Infinity, minFont: 0, png: '' };
const files = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--json') opt.json = true;
  else if (a === '--max-width') opt.maxWidth = +args[++i];
  else if (a === '--max-aspect') opt.maxAspect = +args[++i];
  else if (a === '--min-font') opt.minFont = +args[++i];
  else if (a === '--png') opt.png = args[++i];
  else if (a.startsWith('--')) { console.error(`svgcheck: unknown flag ${a}`); process.exit(2); }
  else files.push(a);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage();
let bad = 0;
const results = [];
for (const file of files) {
  const svg = readFileSync(file, 'utf8').replace(/^<\?xml[^>]*>\s*/, '').replace(/<!DOCTYPE[^>]*>\s*/, '');
  await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
  // Embedded fonts (@font-face) must be in use before anything is measured.
  await page.evaluate(() => document.fonts.ready);
  const r = await page.evaluate(() => {
    const svg = document.querySelector('svg');
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim() !== '');
    // A text's box is its line box; keep its middle half vertically (the x-height band), so that
    // stacked lines that merely share ascender/descender space are not counted.
    const rects = texts.map(t => { const b = t.getBoundingClientRect(); const q = b.height / 4; return { x0: b.left, y0: b.top + q, x1: b.right, y1: b.bottom - q, s: t.textContent.trim() }; });
    const overlaps = [];
    const pad = 0.5; // ignore touching boxes
    for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) {
      const a = rects[i], b = rects[j];
      const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0), h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
      // glyph boxes include line spacing: count an overlap only when it covers a real share of the smaller box
      if (w > pad && h > pad) {
        const area = w * h, small = Math.min((a.x1 - a.x0) * (a.y1 - a.y0), (b.x1 - b.x0) * (b.y1 - b.y0));
        if (area > 0.15 * small) overlaps.push([a.s, b.s]);
      }
    }
    const spills = [];
    for (const g of svg.querySelectorAll('g.node')) {
      const shape = g.querySelector('polygon, path, ellipse, rect');
      if (!shape) continue;
      const s = shape.getBoundingClientRect();
      for (const t of g.querySelectorAll('text')) {
        const b = t.getBoundingClientRect();
        if (b.left < s.left - 1 || b.right > s.right + 1 || b.top < s.top - 1 || b.bottom > s.bottom + 1) spills.push(t.textContent.trim());
      }
    }
    const clipped = texts.filter(t => { const b = t.getBoundingClientRect(); return b.left < box.left - 1 || b.right > box.right + 1 || b.top < box.top - 1 || b.bottom > box.bottom + 1; }).map(t => t.textContent.trim());
    // Text size as displayed at 100%: the computed font size times the SVG's user-unit scale.
    const ctm = svg.getScreenCTM();
    const scale = ctm ? Math.hypot(ctm.a, ctm.b) : 1;
    let minFont = Infinity, minText = '';
    for (const t of texts) {
      const m = t.getScreenCTM();
      const px = parseFloat(getComputedStyle(t).fontSize) * (m ? Math.hypot(m.a, m.b) : scale);
      if (px < minFont) { minFont = px; minText = t.textContent.trim(); }
    }
    const families = [...new Set(texts.map(t => getComputedStyle(t).fontFamily))];
    return { width: Math.round(box.width), height: Math.round(box.height), texts: rects.length, overlaps, spills, clipped,
      minFont: +minFont.toFixed(1), minText, families };
  });
  if (opt.png) {
    const el = await page.$('svg');
    await el.screenshot({ path: join(opt.png, basename(file).replace(/\.svg$/, '') + '.png') });
  }
  r.file = file;
  r.aspect = +(Math.max(r.width, r.height) / Math.max(1, Math.min(r.width, r.height))).toFixed(2);
  r.limits = [];
  if (r.width > opt.maxWidth) r.limits.push(`width ${r.width}px > ${opt.maxWidth}px`);
  if (r.aspect > opt.maxAspect) r.limits.push(`aspect ${r.aspect} > ${opt.maxAspect}`);
  if (r.minFont < opt.minFont) r.limits.push(`text "${r.minText}" is ${r.minFont}px < ${opt.minFont}px`);
  if (r.overlaps.length || r.spills.length || r.clipped.length || r.limits.length) bad++;
  results.push(r);
}
await browser.close();
if (opt.json) console.log(JSON.stringify(results, null, 1));
else for (const r of results) {
  console.log(`${r.file}: ${r.width}x${r.height}px aspect ${r.aspect}, ${r.texts} texts (smallest ${r.minFont}px), ${r.overlaps.length} overlapping pairs, ${r.spills.length} spilling, ${r.clipped.length} clipped at the edge`);
  for (const l of r.limits) console.log(`  over the limit: ${l}`);
  for (const [a, b] of r.overlaps.slice(0, 8)) console.log(`  overlap: "${a}" / "${b}"`);
  for (const s of r.spills.slice(0, 8)) console.log(`  spills out of its node: "${s}"`);
  for (const s of r.clipped.slice(0, 8)) console.log(`  clipped at the drawing's edge: "${s}"`);
}
process.exit(bad ? 1 : 0);
