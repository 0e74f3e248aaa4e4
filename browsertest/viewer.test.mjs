// Browser test of composenet's viewer, in Debian's chromium through
// playwright-core: `make viewer-test` (not part of `make test`).
//
// For each bundled example (and a traefik project with routes) it writes
// the report, opens it from disk and checks the page's contract (data-node / data-service / data-network on
// the diagram, verdict codes in [data-role=verdict], hops in
// [data-role=trace]), the guide's claims on the e-commerce example, that
// the page logs no console error and that no request leaves file://. Then
// it runs `composenet serve` on a copy of the e-commerce example: a
// journey through the API, a what-if, a broken and a repaired compose file
// pushed to the open page. Screenshots go to browsertest/out/.
//
// Environment: COMPOSENET (the composenet binary, default ../bin/composenet),
// CHROMIUM (default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const bin = resolve(process.env.COMPOSENET || join(root, 'bin/composenet'));
const out = join(here, 'out');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

let failures = 0;
let checks = 0;
function check(ok, what) {
  checks++;
  if (!ok) { failures++; console.log('FAIL ' + what); } else console.log('ok   ' + what);
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });

// watch records console errors, page errors and every request of a page.
function watch(page) {
  const w = { errors: [], requests: [] };
  page.on('console', (m) => { if (m.type() === 'error') w.errors.push(m.text().slice(0, 300)); });
  page.on('pageerror', (e) => w.errors.push(String(e).slice(0, 300)));
  page.on('request', (r) => w.requests.push(r.url()));
  return w;
}

async function newPage() {
  const ctx = await browser.newContext({ viewport: { width: 1500, height: 900 } });
  const page = await ctx.newPage();
  return { page, w: watch(page), ctx };
}

async function pick(page, service) {
  await page.locator(`svg [data-service="${service}"]`).first().click();
}

async function verdict(page) {
  await page.waitForSelector('[data-role=verdict]');
  return (await page.locator('[data-role=verdict]').textContent()).trim();
}

// --- report, every bundled example --------------------------------------

const examples = [
  { name: 'ecommerce', file: 'examples/ecommerce/compose.yaml' },
  { name: 'secure', file: 'examples/secure/compose.yaml' },
  { name: 'production', file: 'examples/production/compose.yaml' },
  // A large real project: Sentry self-hosted, 57 containers.
  { name: 'sentry', file: 'topology/testdata/corpus/sentry-self-hosted/docker-compose.yml' },
  // Reverse-proxy routes: traefik labels, one route the proxy cannot reach.
  { name: 'routes', file: 'render/testdata/routes/traefik.yaml' },
  // Three projects on one host: a group per project on the diagram.
  { name: 'projects', file: 'render/testdata/projects/app/compose.yaml', with: ['render/testdata/projects/proxy', 'render/testdata/projects/admin'] },
];

for (const ex of examples) {
  const html = join(out, ex.name + '.html');
  const withArgs = (ex.with || []).flatMap((d) => ['--with', join(root, d)]);
  execFileSync(bin, ['report', '-f', join(root, ex.file), ...withArgs, '-o', html], { stdio: ['ignore', 'ignore', 'pipe'] });
  const inspect = JSON.parse(execFileSync(bin, ['inspect', '--format', 'json', '-f', join(root, ex.file), ...withArgs], { stdio: ['ignore', 'pipe', 'ignore'] }));
  const { page, w, ctx } = await newPage();
  await page.goto(pathToFileURL(html).href);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
  const nodes = await page.locator('svg [data-node]').evaluateAll((gs) => gs.map((g) => g.dataset.node).sort());
  check(JSON.stringify(nodes) === JSON.stringify(inspect.containers.map((c) => c.name).sort()), `${ex.name}: every container is a [data-node] (${nodes.length})`);
  const nets = await page.locator('svg [data-network]').evaluateAll((gs) => gs.map((g) => g.dataset.network).sort());
  check(JSON.stringify(nets) === JSON.stringify(inspect.networks.map((n) => n.name).sort()), `${ex.name}: every network is a [data-network] (${nets.length})`);
  const svc = await page.locator('svg [data-service]').evaluateAll((gs) => gs.every((g) => g.dataset.service !== undefined));
  check(svc, `${ex.name}: container nodes carry data-service`);
  if (ex.name !== 'routes' && ex.name !== 'projects') check(await page.locator('[data-role=routes-tab]').isHidden(), `${ex.name}: no Routes tab without routes`);

  if (ex.name === 'ecommerce') {
    // The guide's claims: the gateway cannot reach the database; the order
    // service can.
    await pick(page, 'gateway');
    await pick(page, 'database');
    const v1 = await verdict(page);
    check(v1 === 'name-not-resolved', `ecommerce: gateway -> database is name-not-resolved (got ${v1})`);
    check(await page.locator('[data-role=trace] li').count() >= 1, 'ecommerce: the blocked journey lists its hops');
    check(await page.locator('[data-role=blockers] .blocker').count() >= 1, 'ecommerce: the blocked journey lists its blockers');
    // The lookup fails in the gateway's own resolver: the drop is marked
    // there, with the intended target joined by a dotted line.
    check(await page.locator('svg g.is-drop[data-node="api-gateway"]').count() === 1, 'ecommerce: the drop is marked at the gateway (its resolver)');
    check(await page.locator('svg .journey-intent').count() === 1, 'ecommerce: the intended target is joined to the drop');
    await page.screenshot({ path: join(out, 'ecommerce-blocked.png') });

    await pick(page, 'order-service');
    await pick(page, 'database');
    const v2 = await verdict(page);
    check(v2 === 'delivered', `ecommerce: order-service -> database is delivered (got ${v2})`);
    const hops = await page.locator('[data-role=trace] li').count();
    check(hops >= 4, `ecommerce: the delivered journey lists its hops (${hops})`);
    check(await page.locator('svg .journey-line:not(.blocked)').count() === 1, 'ecommerce: the delivered path is drawn');
    await page.screenshot({ path: join(out, 'ecommerce-delivered.png') });

    // Details of a container.
    await page.locator('[data-tab=details]').click();
    const title = (await page.locator('[data-role=details-title]').textContent()).trim();
    check(title === 'postgres-db', `ecommerce: details show the last clicked container (${title})`);
    const details = await page.locator('[data-role=details]').textContent();
    check(details.includes('172.18.0.2') && details.includes('database') && details.includes('0.0.0.0:5432'), 'ecommerce: details list the address, the DNS names and the published port');
    await page.screenshot({ path: join(out, 'ecommerce-details.png') });

    // Search, lint, matrix click-through.
    await page.fill('[data-role=search]', 'payment');
    check(await page.locator('svg g.match').count() >= 1, 'ecommerce: search marks the matching node');
    await page.fill('[data-role=search]', '');
    await page.locator('[data-tab=lint]').click();
    check(await page.locator('[data-role=lint] .finding').count() >= 1, 'ecommerce: lint findings are listed');
    await page.locator('[data-tab=matrix]').click();
    await page.locator('td[data-from="internet"][data-to="postgres-db"]').click();
    const v3 = await verdict(page);
    check(v3 === 'delivered', `ecommerce: matrix click-through: internet -> postgres-db:5432 is delivered (published on 0.0.0.0), got ${v3}`);
    await page.locator('[data-tab=matrix]').click();
    await page.screenshot({ path: join(out, 'ecommerce-matrix.png') });
  } else if (ex.name === 'secure') {
    // A blocked journey that travels: the internet aims at a container
    // address; the host's raw PREROUTING drops it (R7-9).
    await page.selectOption('[data-role=source]', 'internet');
    await page.selectOption('[data-role=target]', 'secure-database-1');
    await page.click('[data-role=go]');
    const v = await verdict(page);
    check(v === 'dropped-direct-access', `secure: internet -> database is dropped-direct-access (got ${v})`);
    check(await page.locator('svg .journey-line.blocked').count() === 1, 'secure: the blocked path is drawn red and dashed');
    check(await page.locator('svg g.is-drop[data-kind="host"]').count() === 1, 'secure: the drop is marked at the host');
    await page.screenshot({ path: join(out, 'secure-blocked.png') });
  } else if (ex.name === 'routes') {
    // Routes are drawn (route i is exposure.routes[i]) and listed; a click
    // on a route's edge or list entry shows its rule, backend, position
    // and the simulator's verdict, and marks the edge.
    const drawn = await page.locator('svg g[data-kind="route"]').evaluateAll((gs) => gs.map((g) => g.dataset.route));
    check(JSON.stringify(drawn) === '["0","1"]', `routes: both routes are drawn as [data-kind=route] (${drawn})`);
    check(await page.locator('svg g[data-route="0"].blocked').count() === 1, 'routes: the route traefik cannot reach is drawn blocked');
    check(await page.locator('[data-role=routes-tab]').isVisible(), 'routes: the Routes tab is shown');
    await page.locator('svg g[data-route="0"] text').first().click();
    check(await page.locator('[data-panel=routes]').isVisible(), 'routes: a click on the edge opens the Routes panel');
    const rv = (await page.locator('[data-role=route-verdict]').textContent()).trim();
    check(rv === 'dropped-isolation', `routes: traefik -> admin:3000 is dropped-isolation (got ${rv})`);
    const rt = (await page.locator('[data-role=route-title]').textContent()).trim();
    check(rt === 'admin.example.com → admin:3000', `routes: the title is the rule and the backend (${rt})`);
    check((await page.locator('[data-role=route-rule]').textContent()) === 'Host(`admin.example.com`)', 'routes: the rule as written');
    check(/traefik\.yaml:29:7$/.test(await page.locator('[data-role=route-position]').textContent()), 'routes: the position of the label');
    check((await page.locator('[data-role=route-reason]').textContent()).includes('share no network'), 'routes: the reason of the verdict');
    check(await page.locator('svg g[data-route="0"].selected').count() === 1, 'routes: the clicked edge is marked');
    check(!/null|undefined/.test(await page.locator('[data-role=route-detail]').textContent()), 'routes: no null or undefined in the route details');
    await page.screenshot({ path: join(out, 'routes-blocked.png') });
    await page.locator('[data-role=routes] [data-route="1"]').click();
    const rv2 = (await page.locator('[data-role=route-verdict]').textContent()).trim();
    check(rv2 === 'delivered', `routes: a click in the list: traefik -> api:8080 is delivered (got ${rv2})`);
    check((await page.locator('[data-role=route-title]').textContent()).trim() === 'api.example.com/v1 → api:8080', 'routes: the listed route shows its rule and backend');
    check(await page.locator('svg g[data-route="1"].selected').count() === 1 && await page.locator('svg g[data-route="0"].selected').count() === 0, 'routes: the mark moves to the listed route');
    await page.screenshot({ path: join(out, 'routes.png') });
  } else if (ex.name === 'projects') {
    // Each project is a group on the diagram holding its own containers;
    // a container's details name its project.
    const groups = await page.locator('svg g[data-kind="project"]').evaluateAll((gs) => gs.map((g) => g.dataset.project));
    check(JSON.stringify(groups) === '["proxy","admin","app"]', `projects: one group per project in up order (${groups})`);
    await pick(page, 'app/db');
    await page.locator('[data-tab=details]').click();
    const details = await page.locator('[data-role=details]').textContent();
    check(/project\s*app/.test(details), 'projects: the details of app/db name its project');
    check(await page.locator('svg g[data-kind="route"]').count() === 2, 'projects: traefik\'s routes to both app projects are drawn');
    await page.screenshot({ path: join(out, 'projects.png') });
  } else if (ex.name === 'sentry') {
    // 57 containers in one row: the page opens around the host at a
    // readable size; search + Enter pans to a node and picks it.
    const t0 = Date.now();
    for (const name of ['sentry-self-hosted-web-1', 'sentry-self-hosted-postgres-1']) {
      await page.fill('[data-role=search]', name);
      await page.press('[data-role=search]', 'Enter');
    }
    const v = await verdict(page);
    check(v === 'delivered', `sentry: web -> postgres is ${v} (${Date.now() - t0} ms for two clicks)`);
    await page.screenshot({ path: join(out, 'sentry.png') });
  } else {
    await page.screenshot({ path: join(out, ex.name + '.png') });
  }
  check(w.errors.length === 0, `${ex.name}: no console errors ${w.errors.join(' | ')}`);
  const away = w.requests.filter((u) => !u.startsWith('file://'));
  check(away.length === 0, `${ex.name}: no request leaves file:// ${away.join(' ')}`);
  await ctx.close();
}

// The guide's production file as written: real Compose rejects it, and so
// does report, with the positioned error.
try {
  execFileSync(bin, ['report', '-f', join(root, 'examples/production/compose.guide.yaml'), '-o', join(out, 'guide.html')], { stdio: ['ignore', 'ignore', 'pipe'] });
  check(false, 'production/compose.guide.yaml: report refuses it');
} catch (e) {
  check(e.status === 2 && /compose\.guide\.yaml:\d+:\d+: services\.user-service\.container_name/.test(String(e.stderr)), 'production/compose.guide.yaml: report exits 2 with the positioned error');
}

// --- serve: the live page on a copy of the e-commerce example ------------

{
  const dir = mkdtempSync(join(tmpdir(), 'composenet-serve-'));
  cpSync(join(root, 'examples/ecommerce/compose.yaml'), join(dir, 'compose.yaml'));
  const file = join(dir, 'compose.yaml');
  const good = readFileSync(file, 'utf8');
  const proc = spawn(bin, ['serve', '-f', file, '--poll', '100ms'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise((res, rej) => {
    let outText = '';
    proc.stdout.on('data', (d) => { outText += d; const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(outText); if (m) res(m[0]); });
    proc.on('exit', (c) => rej(new Error('serve exited ' + c)));
    setTimeout(() => rej(new Error('serve printed no URL')), 20000);
  });
  check(/^http:\/\/127\.0\.0\.1:\d+\/$/.test(url), `serve: listens on loopback and prints its URL (${url})`);
  const { page, w, ctx } = await newPage();
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  check(await page.locator('svg [data-node]').count() === 6, 'serve: the diagram marks every container');
  await pick(page, 'order-service');
  await pick(page, 'database');
  check(await verdict(page) === 'delivered', 'serve: order-service -> database is delivered (asked from the server)');

  // What-if: stop the database; the server recomputes.
  await page.locator('[data-tab=whatif]').click();
  await page.locator('[data-role=wi-stop]').locator('xpath=..').locator('select').selectOption('database');
  await page.locator('[data-role=wi-stop]').click();
  await page.waitForFunction(() => (document.querySelector('[data-role=verdict]') || {}).textContent === 'name-not-resolved', null, { timeout: 20000 });
  check(true, 'serve: what-if stop database: order-service -> database becomes name-not-resolved');
  check(await page.locator('svg [data-node="postgres-db"]').count() === 0, 'serve: the stopped container leaves the diagram');
  await page.locator('[data-tab=whatif]').click();
  check((await page.locator('[data-role=wi-applied]').textContent()).includes('stop:database'), 'serve: the applied what-if is listed');
  await page.screenshot({ path: join(out, 'serve-whatif.png') });
  await page.locator('[data-role=wi-reset]').click();
  await page.waitForFunction(() => (document.querySelector('[data-role=verdict]') || {}).textContent === 'delivered', null, { timeout: 20000 });
  check(true, 'serve: resetting the what-ifs gives delivered again');

  // A what-if composenet cannot model is refused with its reason, and the
  // page keeps working.
  await page.locator('[data-tab=whatif]').click();
  await page.locator('[data-role=wi-service]').first().selectOption('gateway');
  await page.locator('[data-role=wi-network]').first().selectOption('backend-network');
  await page.locator('[data-role=wi-connect]').click();
  await page.waitForSelector('[data-role=load-error]:not([hidden])', { timeout: 20000 });
  const refused = await page.locator('[data-role=load-error]').textContent();
  check(/What-if refused: .*R8-7/.test(refused), 'serve: connecting the gateway to backend-network is refused with its rule (R8-7)');
  check(await page.locator('[data-role=wi-applied]').count() === 0, 'serve: the refused what-if is not applied');

  // The files change: the open page follows.
  writeFileSync(file, good.replace('    networks:\n      - frontend-network\n    depends_on:', '    networks:\n      - frontend-network\n      - backend-network\n    depends_on:'));
  await page.waitForSelector('body[data-generation="2"]', { timeout: 20000 });
  await pick(page, 'gateway');
  await pick(page, 'database');
  const v = await verdict(page);
  check(v === 'delivered', `serve: after the gateway joins backend-network in the file, gateway -> database is ${v}`);
  writeFileSync(file, 'services:\n  web:\n    image: x\n    networks: [nope]\n');
  await page.waitForSelector('[data-role=load-error]:not([hidden])', { timeout: 20000 });
  const msg = await page.locator('[data-role=load-error]').textContent();
  check(/compose\.yaml:4:16: services\.web\.networks\.nope/.test(msg), 'serve: a broken file shows its positioned error');
  check(await page.locator('svg [data-node]').count() === 6, 'serve: and the last good model stays');
  await page.screenshot({ path: join(out, 'serve-error.png') });
  writeFileSync(file, good);
  await page.waitForSelector('body[data-generation="3"]', { timeout: 20000 });
  check(await page.locator('[data-role=load-error]').isHidden(), 'serve: the repaired file clears the error');

  check(w.errors.length === 0, `serve: no console errors ${w.errors.join(' | ')}`);
  const origin = new URL(url).origin;
  const away = w.requests.filter((u) => !u.startsWith(origin + '/'));
  check(away.length === 0, `serve: no request leaves ${origin} ${away.join(' ')}`);
  await ctx.close();
  proc.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

// --- serve on a non-loopback address: only with --addr, and the page says so

{
  const proc = spawn(bin, ['serve', '-f', join(root, 'examples/secure/compose.yaml'), '--addr', '0.0.0.0:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise((res, rej) => {
    let t = '';
    proc.stdout.on('data', (d) => { t += d; const m = /http:\/\/0\.0\.0\.0:(\d+)\//.exec(t); if (m) res(m[1]); });
    proc.on('exit', (c) => rej(new Error('serve exited ' + c)));
    setTimeout(() => rej(new Error('serve printed no URL')), 20000);
  });
  const { page, w, ctx } = await newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  const banner = await page.locator('[data-role=public]');
  check(await banner.isVisible() && /not a loopback address/.test(await banner.textContent()), 'serve --addr 0.0.0.0:0: the page says it is served beyond loopback');
  check(w.errors.length === 0, `serve --addr: no console errors ${w.errors.join(' | ')}`);
  await page.screenshot({ path: join(out, 'serve-public.png') });
  await ctx.close();
  proc.kill('SIGTERM');
}

await browser.close();
console.log(`${checks - failures}/${checks} checks passed; screenshots in ${out}`);
process.exit(failures ? 1 : 0);
