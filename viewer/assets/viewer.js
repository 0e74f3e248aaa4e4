// composenet viewer: the page of `composenet report` (data embedded) and
// `composenet serve` (data from the server's API). Plain JavaScript, no
// library. Every answer comes from composenet's simulator: precomputed into
// the report, or asked from the server; nothing here decides reachability.
(function () {
  'use strict';

  const $ = (s, r) => (r || document).querySelector(s);
  const $$ = (s, r) => Array.from((r || document).querySelectorAll(s));
  const role = (name) => $('[data-role="' + name + '"]');

  // el builds an element; string children become text nodes (never HTML).
  function el(tag, attrs) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (let i = 2; i < arguments.length; i++) {
      const c = arguments[i];
      if (c === undefined || c === null || c === false) continue;
      if (Array.isArray(c)) c.forEach((x) => x != null && e.append(x));
      else e.append(c);
    }
    return e;
  }

  // Verdict colours for the heat map and badges.
  const verdictColour = {
    'delivered': '#2da44e', 'refused': '#fb8f44', 'name-not-resolved': '#8250df',
    'dropped-isolation': '#cf222e', 'dropped-icc': '#a40e26', 'no-route': '#82071e',
    'not-published': '#8c959f', 'loopback-only': '#d4a72c', 'network-none': '#57606a',
    'host-firewall': '#bc4c00', 'not-docker-managed': '#6e7781', 'dropped-direct-access': '#e16f24',
    'no-masquerade': '#9a6700', 'unassigned-address': '#424a53', 'blocked-docker-user': '#bf3989', 'blocked-raw': '#6639ba', 'not-routed': '#0969da', 'invalid-query': '#24292f',
  };

  const live = !document.getElementById('composenet-data');
  let P = null; // the page data (viewer.Page)
  let what = []; // what-ifs applied (serve)
  const sel = { source: '', target: '', port: null, details: null, route: null };
  let view = null; // the diagram's viewBox {x, y, w, h} and its full extent

  // ---- data -------------------------------------------------------------

  async function reportData() {
    const text = document.getElementById('composenet-data').textContent.trim();
    const bin = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const stream = new Blob([bin]).stream().pipeThrough(new DecompressionStream('gzip'));
    return JSON.parse(await new Response(stream).text());
  }

  async function api(path, params) {
    const q = new URLSearchParams(params || {});
    for (const w of what) q.append('what', w);
    const res = await fetch(path + (q.toString() ? '?' + q : ''), { cache: 'no-store' });
    const body = await res.text();
    if (!res.ok) throw new Error(body.trim() || res.statusText);
    return JSON.parse(body);
  }

  // journey returns the sim result for source -> target:port, or an object
  // {missing: text} when the report does not carry it.
  async function journey(source, target, port) {
    const key = source + '|' + target + '|' + port;
    // The server asks the same question as the report: see viewer.Model.Question.
    if (live) return api('/api/journey', { from: source, target: target, port: port });
    if (P.journeys && P.journeys[key]) return P.journeys[key];
    const cli = 'composenet reach ' + source + ' ' + target + (port ? ':' + port : '');
    if (P.verdicts && P.verdicts[key]) {
      return { verdict: P.verdicts[key], missing: 'The hops of this journey are not embedded (' + P.limit + '). Run: ' + cli };
    }
    return { missing: 'This journey is not in the report: it carries each container\'s declared ports (' + portsOf(target).map((p) => p || 'IP level').join(', ') + '). Run: ' + cli + ', or use composenet serve.' };
  }

  function portsOf(name) {
    const t = P.targets.find((x) => x.name === name);
    return t ? t.ports : [''];
  }

  // ---- header, banners ----------------------------------------------------

  function renderHeader() {
    const d = P.topology.daemon;
    role('project').textContent = P.topology.project;
    role('files').textContent = (P.topology.files || []).join(', ');
    role('daemon').textContent = 'daemon: icc=' + d.icc + ' userland-proxy=' + d.userland_proxy + ' ip-masq=' + d.ip_masq;
    role('mode').textContent = live
      ? 'composenet serve ' + P.version + ' · live on ' + P.listen + (P.generation ? ' · model #' + P.generation : '')
      : 'composenet report ' + P.version + ' · offline';
    const pub = role('public');
    pub.hidden = !P.public;
    pub.textContent = P.public ? 'This server listens on ' + P.listen + ', which is not a loopback address: anyone who can reach it sees this project.' : '';
    const err = role('load-error');
    err.hidden = !P.error;
    err.textContent = P.error ? 'The compose files no longer load; showing the last good model.\n' + P.error : '';
    const lim = role('limit');
    lim.hidden = !P.limit;
    lim.textContent = P.limit || '';
    role('lint-count').textContent = P.lint.length ? '(' + P.lint.length + ')' : '';
    role('whatif-tab').hidden = !live;
  }

  // ---- diagram: markup, pan, zoom -------------------------------------------

  function svg() { return $('svg', role('diagram')); }

  function setupDiagram() {
    const s = svg();
    if (!s) return;
    s.removeAttribute('width');
    s.removeAttribute('height');
    const vb = s.viewBox.baseVal;
    view = { x: vb.x, y: vb.y, w: vb.width, h: vb.height, full: { x: vb.x, y: vb.y, w: vb.width, h: vb.height } };
    $$('g[data-kind]', s).forEach((g) => {
      const t = $('title', g);
      if (t) t.remove(); // the native tooltip would only repeat DOT ids
    });
    // A route's line is thin: a wide transparent copy makes it clickable.
    $$('g[data-kind="route"]', s).forEach((g) => {
      const p = $('path', g);
      if (!p) return;
      const hit = p.cloneNode(false);
      hit.setAttribute('class', 'hit');
      hit.removeAttribute('stroke-dasharray');
      p.after(hit);
    });
  }

  function applyView() {
    const s = svg();
    if (s && view) s.setAttribute('viewBox', [view.x, view.y, view.w, view.h].join(' '));
  }

  function zoom(f, cx, cy) {
    if (!view) return;
    if (cx === undefined) { cx = view.x + view.w / 2; cy = view.y + view.h / 2; }
    const w = Math.min(Math.max(view.w * f, view.full.w / 40), view.full.w * 4);
    const k = w / view.w;
    view.x = cx - (cx - view.x) * k;
    view.y = cy - (cy - view.y) * k;
    view.w = w;
    view.h = view.h * k;
    applyView();
  }

  function fit() {
    if (!view) return;
    Object.assign(view, view.full);
    applyView();
  }

  // initialView fits the diagram, unless that would shrink it below 50 %
  // (a long row of containers): then it shows the part around the host at
  // 90 %, where labels are readable, and "fit" shows the whole.
  function initialView() {
    const s = svg();
    if (!s || !view) return;
    const r = role('diagram').getBoundingClientRect();
    const f = view.full;
    const scale = Math.min(r.width / f.w, r.height / f.h);
    if (!(scale < 0.5) || !r.width || !r.height) { fit(); return; }
    const w = r.width / 0.9, h = r.height / 0.9;
    const host = nodeEl('host');
    const c = host ? rootCentre(host) : { x: f.x + w / 2, y: f.y + h / 2 };
    view.w = w;
    view.h = h;
    view.x = Math.min(Math.max(c.x - w / 2, f.x), f.x + f.w - w);
    view.y = Math.min(Math.max(c.y - h / 3, f.y), Math.max(f.y, f.y + f.h - h));
    applyView();
  }

  // svgPoint converts a mouse event to the SVG's user coordinates.
  function svgPoint(ev) {
    const s = svg();
    const r = s.getBoundingClientRect();
    // preserveAspectRatio xMidYMid meet: one scale, centred.
    const k = Math.max(view.w / r.width, view.h / r.height);
    const ox = (r.width * k - view.w) / 2, oy = (r.height * k - view.h) / 2;
    return { x: view.x - ox + (ev.clientX - r.left) * k, y: view.y - oy + (ev.clientY - r.top) * k, k };
  }

  function setupPanZoom() {
    const box = role('diagram');
    let drag = null;
    box.addEventListener('wheel', (ev) => {
      if (!svg()) return;
      ev.preventDefault();
      const p = svgPoint(ev);
      zoom(ev.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y);
    }, { passive: false });
    box.addEventListener('mousedown', (ev) => {
      if (!svg() || ev.button !== 0) return;
      drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, k: svgPoint(ev).k, moved: false };
    });
    window.addEventListener('mousemove', (ev) => {
      if (!drag) return;
      const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 4) { drag.moved = true; box.classList.add('dragging'); }
      if (drag.moved) {
        view.x = drag.vx - dx * drag.k;
        view.y = drag.vy - dy * drag.k;
        applyView();
      }
    });
    window.addEventListener('mouseup', () => {
      if (drag && drag.moved) box.dataset.dragged = '1';
      drag = null;
      box.classList.remove('dragging');
    });
    box.addEventListener('click', (ev) => {
      if (box.dataset.dragged) { delete box.dataset.dragged; return; }
      const g = ev.target.closest('g[data-kind]');
      if (!g) return;
      const kind = g.dataset.kind;
      if (kind === 'container') pickNode(g.dataset.node);
      else if (kind === 'host' || kind === 'internet') pickNode(kind);
      else if (kind === 'network' || kind === 'bridge') showNetwork(g.dataset.network || g.dataset.bridge);
      else if (kind === 'route') showRoute(Number(g.dataset.route));
    });
    role('zoom-in').addEventListener('click', () => zoom(1 / 1.3));
    role('zoom-out').addEventListener('click', () => zoom(1.3));
    role('fit').addEventListener('click', fit);
  }

  function nodeEl(name) {
    const s = svg();
    if (!s) return null;
    if (name === 'host' || name === 'internet') return $('g[data-kind="' + name + '"]', s);
    return $$('g[data-node]', s).find((g) => g.dataset.node === name) || null;
  }

  function bridgeEl(network) {
    const s = svg();
    return s ? $$('g[data-bridge]', s).find((g) => g.dataset.bridge === network) || null : null;
  }

  function centre(g) {
    const b = g.getBBox();
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  }

  // rootCentre is centre in the coordinates of the svg element's viewBox
  // (Graphviz draws inside a translated group).
  function rootCentre(g) {
    const c = centre(g);
    const s = svg();
    const m = s.getScreenCTM().inverse().multiply(g.getScreenCTM());
    return { x: m.a * c.x + m.c * c.y + m.e, y: m.b * c.x + m.d * c.y + m.f };
  }

  function panTo(g) {
    if (!g || !view) return;
    const c = rootCentre(g);
    view.x = c.x - view.w / 2;
    view.y = c.y - view.h / 2;
    applyView();
  }

  // ---- search ---------------------------------------------------------------

  function setupSearch() {
    const input = role('search');
    input.addEventListener('input', search);
    input.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Enter') return;
      ev.preventDefault();
      const first = $('svg g.match');
      if (first) {
        panTo(first);
        if (first.dataset.node) pickNode(first.dataset.node);
        else if (first.dataset.network) showNetwork(first.dataset.network);
      }
    });
  }

  function search() {
    const q = role('search').value.trim().toLowerCase();
    const s = svg();
    if (!s) return;
    let n = 0;
    for (const g of $$('g[data-kind]:not([data-kind="route"])', s)) {
      g.classList.remove('dim', 'match');
      if (!q) continue;
      const hay = [g.dataset.node, g.dataset.service, g.dataset.network, g.dataset.bridge, g.dataset.project, g.textContent].join(' ').toLowerCase();
      if (hay.includes(q)) { g.classList.add('match'); n++; } else g.classList.add('dim');
    }
    for (const g of $$('g.edge', s)) g.classList.toggle('dim', !!q);
    role('search-count').textContent = q ? n + ' match' + (n === 1 ? '' : 'es') : '';
  }

  // ---- selection --------------------------------------------------------------

  function fillPicker() {
    const src = role('source'), tgt = role('target');
    src.replaceChildren(el('option', { value: '', text: '—' }), ...P.sources.map((s) => el('option', { value: s, text: label(s) })));
    tgt.replaceChildren(el('option', { value: '', text: '—' }), ...P.targets.map((t) => el('option', { value: t.name, text: label(t.name) })));
    src.value = P.sources.includes(sel.source) ? sel.source : '';
    tgt.value = P.targets.some((t) => t.name === sel.target) ? sel.target : '';
    fillPorts();
  }

  function label(name) {
    const c = container(name);
    return c && c.service && c.service !== name ? name + ' (' + c.service + ')' : name;
  }

  function fillPorts() {
    const ports = sel.target ? portsOf(sel.target) : [];
    $('#composenet-ports').replaceChildren(...ports.map((p) => el('option', { value: p })));
    const input = role('port');
    if (sel.port === null || (sel.target && !ports.includes(sel.port) && sel.portFromTarget)) {
      sel.port = ports.length ? ports[0] : '';
      sel.portFromTarget = true;
    }
    input.value = sel.port;
  }

  function container(name) { return P.topology.containers.find((c) => c.name === name); }

  // pickNode: the first click picks the source, the second the target;
  // a click after a complete pair starts a new one.
  function pickNode(name) {
    if (name !== 'host' && name !== 'internet') showContainer(name);
    if (!sel.source || (sel.source && sel.target)) {
      sel.source = name;
      sel.target = '';
      clearJourney();
      role('source').value = name;
      role('target').value = '';
      markSelection();
      return;
    }
    if (name === 'host' || name === 'internet') { // only sources
      sel.source = name;
      role('source').value = name;
      markSelection();
      return;
    }
    sel.target = name;
    sel.port = null;
    role('target').value = name;
    fillPorts();
    runJourney();
  }

  function markSelection() {
    const s = svg();
    if (!s) return;
    $$('g.is-source, g.is-target', s).forEach((g) => g.classList.remove('is-source', 'is-target'));
    const a = nodeEl(sel.source), b = nodeEl(sel.target);
    if (a) a.classList.add('is-source');
    if (b) b.classList.add('is-target');
  }

  function setupPicker() {
    role('source').addEventListener('change', (ev) => { sel.source = ev.target.value; markSelection(); });
    role('target').addEventListener('change', (ev) => { sel.target = ev.target.value; sel.port = null; fillPorts(); markSelection(); });
    role('port').addEventListener('change', (ev) => { sel.port = ev.target.value.trim(); sel.portFromTarget = false; });
    role('picker').addEventListener('submit', (ev) => { ev.preventDefault(); sel.port = role('port').value.trim(); runJourney(); });
    role('swap').addEventListener('click', () => {
      if (!sel.target || sel.source === 'host' || sel.source === 'internet') return;
      [sel.source, sel.target] = [sel.target, sel.source];
      sel.port = null;
      role('source').value = sel.source;
      role('target').value = sel.target;
      fillPorts();
      runJourney();
    });
  }

  // ---- tabs ---------------------------------------------------------------------

  function tab(name) {
    $$('[data-tab]').forEach((b) => b.classList.toggle('on', b.dataset.tab === name));
    $$('[data-panel]').forEach((p) => { p.hidden = p.dataset.panel !== name; });
  }

  function setupTabs() {
    $$('[data-tab]').forEach((b) => b.addEventListener('click', () => tab(b.dataset.tab)));
  }

  // ---- journey ------------------------------------------------------------------

  function clearJourney() {
    const s = svg();
    if (s) {
      const o = $('#journey-overlay', s);
      if (o) o.remove();
      $$('g.on-path, g.is-drop', s).forEach((g) => g.classList.remove('on-path', 'is-drop'));
    }
  }

  let journeySeq = 0;
  async function runJourney() {
    markSelection();
    if (!sel.source || !sel.target) return;
    const port = sel.port || '';
    const seq = ++journeySeq;
    const box = role('journey');
    tab('journey');
    let r;
    try {
      r = await journey(sel.source, sel.target, port);
    } catch (e) {
      r = { error: String(e.message || e) };
    }
    if (seq !== journeySeq) return; // a newer question was asked
    clearJourney();
    box.replaceChildren(...journeyView(sel.source, sel.target, port, r));
    if (r.hops) drawPath(r);
  }

  function ms(v) {
    if (!v) return '0 ms';
    if (v < 0.01) return (v * 1000).toFixed(1).replace(/\.0$/, '') + ' µs';
    if (v < 1) return v.toFixed(3).replace(/0+$/, '').replace(/\.$/, '') + ' ms';
    return v.toFixed(2).replace(/0+$/, '').replace(/\.$/, '') + ' ms';
  }

  function journeyView(source, target, port, r) {
    const title = el('h3', { 'data-role': 'journey-title', text: source + ' → ' + target + (port ? ':' + port : ' (IP level)') });
    if (r.error) return [title, el('span', { class: 'verdict unknown', 'data-role': 'verdict', text: 'error' }), el('p', { class: 'note', 'data-role': 'reason', text: r.error })];
    const code = r.verdict || 'unknown';
    const badge = el('span', { class: 'verdict ' + code, 'data-role': 'verdict', 'data-verdict': code, text: code });
    badge.style.background = verdictColour[code] || '';
    const out = [title, el('div', {}, badge, r.latency_ms !== undefined ? el('span', { class: 'note', text: '  one-way ' + ms(forwardMS(r)) }) : null)];
    if (r.missing) {
      out.push(el('p', { class: 'note', 'data-role': 'reason', text: r.missing }));
      out.push(el('ol', { class: 'trace', 'data-role': 'trace' }));
      return out;
    }
    out.push(el('p', { 'data-role': 'reason', text: r.reason }));
    if (r.destination || r.to !== target) out.push(el('p', { class: 'note', text: 'asked: ' + r.from + ' → ' + r.to + (r.port ? ':' + r.port + '/' + r.protocol : '') + (r.destination ? ' · destination ' + r.destination : '') }));
    if (r.client_sees) out.push(el('p', { 'data-role': 'client-sees' }, el('b', { text: 'The client sees: ' }), r.client_sees));
    if (r.dns) out.push(el('h4', { text: 'DNS' }), dnsView(r.dns));
    out.push(el('h4', { text: 'Hops' }));
    out.push(el('ol', { class: 'trace', 'data-role': 'trace' }, r.hops.map((h) =>
      el('li', { class: (h.return ? 'return ' : '') + (h.step === 'drop' ? 'drop' : ''), 'data-step': h.step },
        el('span', { class: 'lat', text: '+' + ms(h.latency_ms) }),
        el('span', { class: 'step', text: (h.return ? '↩ ' : '') + h.step }), ' ', el('b', { text: h.node }),
        el('span', { class: 'detail', text: h.detail })))));
    out.push(el('p', { class: 'note', text: 'total ' + ms(r.latency_ms) + (r.hops.some((h) => h.return) ? ' (with the reply path)' : '') }));
    if (r.blocked_by && r.blocked_by.length) {
      out.push(el('h4', { text: 'Blocked by' }));
      out.push(el('div', { 'data-role': 'blockers' }, r.blocked_by.map((b, i) => el('div', { class: 'blocker' },
        el('b', { text: (i + 1) + '. ' + b.component }),
        el('div', { text: 'rule: ' + b.rule }),
        b.position ? el('div', { class: 'pos', text: 'at: ' + b.position }) : null,
        b.fix ? el('div', { class: 'fix', text: 'fix: ' + b.fix }) : null))));
    }
    if (r.rules && r.rules.length) out.push(el('p', { class: 'note', text: 'rules: ' + r.rules.join(', ') }));
    for (const n of r.notes || []) out.push(el('p', { class: 'note', text: 'note: ' + n }));
    return out;
  }

  function forwardMS(r) {
    return (r.hops || []).filter((h) => !h.return).reduce((a, h) => a + h.latency_ms, 0);
  }

  function dnsView(d) {
    const rows = [el('div', {}, el('code', { text: 'A ' + d.name + '? → ' + d.rcode }), ' ', el('span', { class: 'note', text: 'from ' + (d.source || '') + (d.network ? ' on ' + d.network : '') }))];
    for (const a of d.answers || []) rows.push(el('div', { class: 'mono', text: a.ip + (a.container ? '  ' + a.container : '') + (a.network ? ' (' + a.network + ')' : '') }));
    for (const n of d.notes || []) rows.push(el('div', { class: 'note', text: n }));
    return el('div', { 'data-role': 'dns' }, rows);
  }

  // placeEl returns the diagram element of a typed hop or blocker place
  // (sim.Place: container, network, host, internet).
  function placeEl(x) {
    switch (x.place) {
      case 'container': return nodeEl(x.container);
      case 'network': return bridgeEl(x.network);
      case 'host': return nodeEl('host');
      case 'internet': return nodeEl('internet');
    }
    return null;
  }

  // drawPath draws the journey on the diagram from the result's typed
  // places: the forward hops' containers, bridges, host and internet in
  // order; a blocked journey red and dashed up to the place of its first
  // blocker, marked with a cross, and a thin dotted line from there to the
  // target it was meant for.
  function drawPath(r) {
    const s = svg();
    if (!s) return;
    const chain = [];
    const push = (g) => { if (g && chain[chain.length - 1] !== g) chain.push(g); };
    push(nodeEl(sel.source));
    for (const h of r.hops) {
      if (h.return) break;
      if (h.kind === 'dns') continue; // the lookup happens in the source
      push(placeEl(h));
    }
    if (!r.reachable && r.blocked_by && r.blocked_by.length) push(placeEl(r.blocked_by[0]));
    if (r.reachable) push(nodeEl(sel.target));
    if (chain.length === 0) return;
    const pts = chain.map(centre);
    const root = $('g.graph', s) || s;
    const ns = 'http://www.w3.org/2000/svg';
    const g = document.createElementNS(ns, 'g');
    g.id = 'journey-overlay';
    const poly = (points, cls) => {
      const line = document.createElementNS(ns, 'polyline');
      line.setAttribute('points', points.map((p) => p.x + ',' + p.y).join(' '));
      line.setAttribute('class', cls);
      g.append(line);
    };
    const last = pts[pts.length - 1];
    if (!r.reachable) {
      const tg = nodeEl(sel.target);
      if (tg && chain[chain.length - 1] !== tg) poly([last, centre(tg)], 'journey-intent');
    }
    if (pts.length > 1) poly(pts, 'journey-line' + (r.reachable ? '' : ' blocked'));
    chain.forEach((n) => n.classList.add('on-path'));
    if (!r.reachable) {
      chain[chain.length - 1].classList.add('is-drop');
      for (const [dx, dy] of [[1, 1], [1, -1]]) {
        const x = document.createElementNS(ns, 'line');
        x.setAttribute('x1', last.x - 9 * dx); x.setAttribute('y1', last.y - 9 * dy);
        x.setAttribute('x2', last.x + 9 * dx); x.setAttribute('y2', last.y + 9 * dy);
        x.setAttribute('class', 'journey-drop');
        g.append(x);
      }
    }
    const t = document.createElementNS(ns, 'text');
    t.setAttribute('x', last.x + 14);
    t.setAttribute('y', last.y - 14);
    t.setAttribute('class', 'journey-label');
    t.textContent = r.reachable ? '✓ ' + ms(forwardMS(r)) : '✗ ' + r.verdict;
    g.append(t);
    root.append(g);
    markSelection();
  }

  // ---- details --------------------------------------------------------------

  function kv(rows) {
    return el('table', {}, rows.filter((r) => r[1] !== undefined && r[1] !== '' && r[1] !== null).map(([k, v]) =>
      el('tr', {}, el('th', { text: k }), el('td', {}, v))));
  }

  function showContainer(name) {
    const c = container(name);
    if (!c) return;
    sel.details = name;
    const s = svg();
    if (s) {
      $$('g.selected', s).forEach((g) => g.classList.remove('selected'));
      const g = nodeEl(name);
      if (g) g.classList.add('selected');
    }
    const box = role('details');
    const out = [el('h3', { 'data-role': 'details-title', text: c.name })];
    out.push(kv([['project', P.topology.projects && P.topology.projects.length > 1 ? c.project : ''], ['service', c.service], ['replica', c.replica ? String(c.replica) : ''], ['hostname', c.hostname], ['id', c.id],
      ['network mode', c.network_mode], ['shares', c.netns], ['start order', String(c.start_order)], ['declared at', c.position]]));
    out.push(el('h4', { text: 'Endpoints' }));
    if (!c.endpoints.length) out.push(el('p', { class: 'empty', text: c.netns ? 'uses ' + c.netns + '\'s network namespace' : 'none' }));
    for (const e of c.endpoints) {
      out.push(el('div', { class: 'finding' + (e.gateway ? ' info' : ''), 'data-endpoint': e.network_name },
        el('b', { text: e.network_name }), e.gateway ? el('span', { class: 'tag', text: 'gateway' }) : null, e.static ? el('span', { class: 'tag', text: 'static' }) : null,
        kv([['IPv4', el('code', { text: e.ipv4 })], ['IPv6', e.ipv6 ? el('code', { text: e.ipv6 }) : ''], ['interface', e.interface_name],
          ['DNS names', e.dns_names.length ? el('span', {}, e.dns_names.map((n) => el('span', { class: 'tag', text: n }))) : ''],
          ['aliases', e.aliases.length ? el('span', {}, e.aliases.map((n) => el('span', { class: 'tag', text: n }))) : '']])));
    }
    out.push(el('h4', { text: 'Ports' }));
    const ports = [];
    for (const p of c.ports) ports.push(el('div', { class: 'mono', text: p.host_ip + ':' + p.host_port + ' → ' + p.container_port + '/' + p.protocol + (p.ephemeral ? ' (ephemeral)' : '') + (p.position ? '   ' + p.position : '') }));
    if (c.expose && c.expose.length) ports.push(el('div', { text: 'expose: ' + c.expose.join(', ') }));
    ports.push(el('div', { text: 'listening: ' + (c.listen && c.listen.length ? c.listen.join(', ') : 'not declared (x-composenet.listen); journeys use ' + portsOf(c.name).map((p) => p || 'IP level').join(', ')) }));
    out.push(...ports);
    if (c.links && c.links.length) out.push(el('h4', { text: 'Links' }), ...c.links.map((l) => el('div', { text: l.alias + ' → ' + l.target })));
    if (c.extra_hosts && c.extra_hosts.length) out.push(el('h4', { text: 'extra_hosts' }), ...c.extra_hosts.map((h) => el('div', { class: 'mono', text: h.name + ' ' + h.ip })));
    if (c.dns && c.dns.length) out.push(el('h4', { text: 'dns' }), el('div', { class: 'mono', text: c.dns.join(' ') }));
    const fs = P.lint.filter((f) => f.service && f.service === c.service);
    out.push(el('h4', { text: 'Lint findings' }));
    out.push(fs.length ? el('div', {}, fs.map(findingView)) : el('p', { class: 'empty', text: 'none' }));
    box.replaceChildren(...out);
  }

  function showNetwork(name) {
    const n = P.topology.networks.find((x) => x.name === name);
    if (!n) return;
    const members = P.topology.containers.filter((c) => c.endpoints.some((e) => e.network_name === name));
    const flags = ['internal', 'external', 'attachable', 'enable_ipv6'].filter((f) => n[f]);
    if (!n.icc) flags.push('icc off');
    if (!n.masquerade && !n.internal) flags.push('no masquerade');
    role('details').replaceChildren(el('h3', { 'data-role': 'details-title', text: n.name }),
      kv([['compose key', n.key], ['driver', n.driver], ['bridge', n.bridge], ['subnet', n.subnet + (n.subnet_configured ? '' : ' (chosen by IPAM)')],
        ['gateway', n.gateway], ['IPv6', n.subnet_ipv6], ['flags', flags.join(', ')], ['declared at', n.position]]),
      el('h4', { text: 'Members' }),
      el('table', {}, members.map((c) => {
        const e = c.endpoints.find((x) => x.network_name === name);
        return el('tr', {}, el('td', {}, el('a', { href: '#', onclick: (ev) => { ev.preventDefault(); pickNode(c.name); } , text: c.name })), el('td', { class: 'mono', text: e.ipv4 }), el('td', { text: e.aliases.join(', ') }));
      })));
    tab('details');
  }

  // ---- lint, exposure -------------------------------------------------------

  function findingView(f) {
    return el('div', { class: 'finding ' + f.severity, 'data-code': f.code, onclick: () => focusService(f.service) },
      el('span', { class: 'sev', text: f.severity }), ' ', el('code', { text: f.code }), f.service ? ' · ' + f.service : '',
      el('div', { text: f.message }), f.fix ? el('div', { class: 'note', text: 'fix: ' + f.fix }) : null,
      f.position ? el('div', { class: 'pos', text: f.position + (f.rule ? ' · ' + f.rule : '') }) : null);
  }

  function focusService(service) {
    if (!service) return;
    const c = P.topology.containers.find((x) => x.service === service || x.name === service);
    if (!c) return;
    const g = nodeEl(c.name);
    panTo(g);
    showContainer(c.name);
    tab('details');
  }

  function renderLint() {
    role('lint').replaceChildren(...(P.lint.length ? P.lint.map(findingView) : [el('p', { class: 'empty', text: 'No findings.' })]));
  }

  function renderExposure() {
    const x = P.exposure;
    const out = [el('h4', { text: 'Ways in' })];
    const rows = x.entries.map((e) => el('tr', { class: 'finding', onclick: () => {
      sel.source = 'internet';
      sel.target = e.container;
      sel.port = e.container_port ? e.container_port + '/' + e.protocol : (portsOf(e.container)[0] || '');
      sel.portFromTarget = false;
      role('source').value = 'internet';
      role('target').value = e.container;
      fillPorts();
      runJourney();
    } },
      el('td', { class: 'mono', text: e.host_ip + (e.host_port ? ':' + e.host_port : '') + ' → ' + e.container + (e.container_port ? ':' + e.container_port + '/' + e.protocol : '') }),
      el('td', {}, verdictTag(e.internet, 'internet')), el('td', {}, verdictTag(e.host, 'host'))));
    out.push(el('table', {}, el('tr', {}, el('th', { text: 'binding' }), el('th', { text: 'internet/LAN' }), el('th', { text: 'host' })), rows));
    if (x.surface && x.surface.length) {
      out.push(el('h4', { text: 'Attack surface (reachable from the internet/LAN)' }));
      for (const n of x.surface) out.push(el('div', { class: 'finding', onclick: () => focusService(n.service) },
        el('b', { text: n.service }), el('span', { class: 'note', text: '  depth ' + n.depth + (n.path ? ' · ' + n.path.join(' → ') : '') })));
    }
    for (const n of x.notes || []) out.push(el('p', { class: 'note', text: n }));
    role('exposure').replaceChildren(...out);
  }

  // ---- routes ------------------------------------------------------------------

  // The routes are the exposure report's; the diagram's route i is
  // exposure.routes[i] (data-route).
  function routes() { return (P.exposure && P.exposure.routes) || []; }

  function routeMatch(r) { return (r.hosts && r.hosts.length ? r.hosts.join(',') : '*') + (r.path || ''); }

  function routeBackend(r) { return r.backend + ':' + (r.port ? r.port : '?'); }

  function routeEl(i) {
    const s = svg();
    return s ? $$('g[data-kind="route"]', s).find((g) => g.dataset.route === String(i)) || null : null;
  }

  function renderRoutes() {
    const rs = routes();
    role('routes-tab').hidden = rs.length === 0;
    role('routes-count').textContent = rs.length ? '(' + rs.length + ')' : '';
    role('routes').replaceChildren(el('h4', { text: 'Routes read from labels and environment (not probed)' }),
      ...rs.map((r, i) => el('div', { class: 'finding route ' + (r.hop === 'delivered' ? 'ok' : r.hop ? 'error' : ''), 'data-route': String(i), onclick: () => { showRoute(i); panTo(routeEl(i)); } },
        el('b', { text: (r.hop === 'delivered' ? '✓ ' : r.hop ? '✗ ' : '? ') + routeMatch(r) }), ' → ', el('code', { text: routeBackend(r) }),
        el('div', { class: 'note', text: r.proxy + (r.name ? ' router ' + r.name : '') + (r.hop ? ' · ' + r.hop : ' · not evaluated') }),
        r.position ? el('div', { class: 'pos', text: r.position }) : null)));
    if (sel.route !== undefined && sel.route !== null) {
      if (rs[sel.route]) showRoute(sel.route, true); else { sel.route = null; role('route-detail').replaceChildren(); }
    }
  }

  // showRoute shows route i's rule, backend, position and the simulator's
  // verdict on the proxied hop, and marks its edge on the diagram.
  function showRoute(i, quiet) {
    const r = routes()[i];
    if (!r) return;
    sel.route = i;
    const s = svg();
    if (s) $$('g[data-kind="route"]', s).forEach((g) => g.classList.toggle('selected', g.dataset.route === String(i)));
    $$('[data-role="routes"] [data-route]').forEach((d) => d.classList.toggle('on', d.dataset.route === String(i)));
    const code = r.hop || 'not evaluated';
    const badge = el('span', { class: 'verdict ' + (r.hop ? r.hop : 'unknown'), 'data-role': 'route-verdict', 'data-verdict': r.hop || '', text: code });
    badge.style.background = verdictColour[r.hop] || '';
    const port = r.port ? String(r.port) + (r.port_from && r.port_from !== 'config' ? ' (from ' + r.port_from + ')' : '') : 'unknown (not configured; the image\'s EXPOSE is not read)';
    role('route-detail').replaceChildren(...[
      el('h3', { 'data-role': 'route-title', text: routeMatch(r) + ' → ' + routeBackend(r) }),
      el('div', {}, badge),
      r.hop_reason ? el('p', { 'data-role': 'route-reason', text: r.hop_reason }) : null,
      r.hop ? null : el('p', { class: 'note', 'data-role': 'route-reason', text: 'The backend has no network address: the proxied hop is not evaluated.' }),
      kv([['rule', el('code', { 'data-role': 'route-rule', text: r.rule })], ['proxy', r.proxy + ' (' + r.kind + (r.name ? ', router ' + r.name : '') + ')'],
        ['backend', el('span', { 'data-role': 'route-backend', text: r.backend })], ['port', port], ['TLS', r.tls ? 'yes' : 'no'],
        ['entrypoints', (r.entrypoints || []).join(', ')], ['network', r.network], ['declared at', el('span', { class: 'pos', 'data-role': 'route-position', text: r.position })],
        ['reached via', r.entries && r.entries.length ? r.entries.join(', ') : 'the internet/LAN reaches no published port of ' + r.proxy]]),
      r.hop && r.hop !== 'delivered' ? el('p', { class: 'note', text: 'Ask the journey: ' + r.proxy + ' → ' + r.backend + (r.port ? ':' + r.port : '') + ' for the hops and the fix.' }) : null,
    ].filter(Boolean));
    if (!quiet) tab('routes');
  }

  function verdictTag(v, who) {
    const t = el('span', { class: 'tag', title: who, text: v });
    t.style.borderColor = verdictColour[v] || '';
    t.style.color = verdictColour[v] || '';
    return t;
  }

  // ---- matrix heat map ------------------------------------------------------

  function renderMatrix() {
    const box = role('matrix');
    if (!P.verdicts) {
      box.replaceChildren(el('p', { class: 'empty', text: P.limit || 'No verdicts.' }));
      return;
    }
    const counts = {};
    const head = el('tr', {}, el('th', { text: 'from \\ to' }), P.targets.map((t) => el('th', { class: 'col', title: t.name, text: short(t.name) })));
    const rows = P.sources.map((s) => el('tr', {}, el('th', { title: s, text: short(s) }), P.targets.map((t) => {
      const port = t.ports[0];
      const v = P.verdicts[s + '|' + t.name + '|' + port] || '';
      counts[v] = (counts[v] || 0) + 1;
      const td = el('td', { title: s + ' → ' + t.name + (port ? ':' + port : '') + ': ' + v, 'data-from': s, 'data-to': t.name, 'data-verdict': v });
      td.style.background = s === t.name ? '#eaeef2' : (verdictColour[v] || '#fff');
      return td;
    })));
    const table = el('table', { class: 'heat' }, head, rows);
    table.addEventListener('click', (ev) => {
      const td = ev.target.closest('td[data-from]');
      if (!td) return;
      sel.source = td.dataset.from;
      sel.target = td.dataset.to;
      sel.port = null;
      role('source').value = sel.source;
      role('target').value = sel.target;
      fillPorts();
      runJourney();
    });
    const legend = el('div', { class: 'legend-row' }, Object.keys(counts).sort().map((v) => {
      const i = el('i');
      i.style.background = verdictColour[v] || '#fff';
      return el('span', {}, i, v + ' ' + counts[v]);
    }));
    box.replaceChildren(el('p', { class: 'note', text: 'Each cell is the journey to the target\'s first port (its declared listener, else its first published or exposed port; IP level when it has none). Click a cell for the journey.' }), legend, table);
  }

  function short(s) { return s.length > 22 ? s.slice(0, 21) + '…' : s; }

  // ---- what-ifs (serve) ---------------------------------------------------------

  function renderWhatIf() {
    if (!live) return;
    const box = role('whatif');
    const svc = () => el('select', { 'data-role': 'wi-service' }, P.services.map((s) => el('option', { value: s, text: s })));
    const net = () => el('select', { 'data-role': 'wi-network' }, P.topology.networks.map((n) => el('option', { value: n.key || n.name, text: n.key || n.name })));
    const s1 = svc(), n1 = net(), s2 = svc();
    const add = (w) => { what.push(w); reload(); };
    const d = P.topology.daemon;
    const toggle = (key, on) => el('label', {}, el('input', { type: 'checkbox', 'data-role': 'wi-' + key, checked: on, onchange: (ev) => {
      what = what.filter((w) => !w.startsWith('daemon:' + key + '='));
      what.push('daemon:' + key + '=' + ev.target.checked);
      reload();
    } }), ' ' + key);
    box.replaceChildren(
      el('p', { class: 'note', text: 'What-ifs change the model on the server only; your files are not touched. Every answer on this page is recomputed.' }),
      el('div', { class: 'whatif-row' }, s1, n1,
        el('button', { type: 'button', 'data-role': 'wi-disconnect', text: 'disconnect', onclick: () => add('disconnect:' + s1.value + ':' + n1.value) }),
        el('button', { type: 'button', 'data-role': 'wi-connect', text: 'connect', onclick: () => add('connect:' + s1.value + ':' + n1.value) })),
      el('div', { class: 'whatif-row' }, s2, el('button', { type: 'button', 'data-role': 'wi-stop', text: 'stop', onclick: () => add('stop:' + s2.value) })),
      el('div', { class: 'whatif-row' }, toggle('icc', d.icc), toggle('userland-proxy', d.userland_proxy), toggle('ip-masq', d.ip_masq)),
      el('h4', { text: 'Applied' }),
      what.length ? el('ol', { class: 'applied', 'data-role': 'wi-applied' }, what.map((w, i) => el('li', {}, el('code', { text: w }), ' ',
        el('button', { type: 'button', text: 'undo', onclick: () => { what.splice(i, 1); reload(); } })))) : el('p', { class: 'empty', text: 'none' }),
      what.length ? el('button', { type: 'button', 'data-role': 'wi-reset', text: 'reset all', onclick: () => { what = []; reload(); } }) : null);
  }

  // ---- loading --------------------------------------------------------------------

  function render() {
    renderHeader();
    fillPicker();
    renderLint();
    renderExposure();
    renderRoutes();
    renderMatrix();
    renderWhatIf();
    search();
    markSelection();
    if (sel.details && container(sel.details)) showContainer(sel.details);
    if (sel.source && sel.target) runJourney();
  }

  let loading = null;
  async function reload() {
    const mine = {};
    loading = mine;
    let p;
    try {
      const check = await api('/api/whatif');
      if (check.error) throw new Error(check.error);
      p = await api('/api/page');
    } catch (e) {
      if (loading !== mine) return;
      what.pop(); // the last what-if was refused: drop it and say why
      const err = role('load-error');
      err.hidden = false;
      err.textContent = 'What-if refused: ' + (e.message || e);
      renderWhatIf();
      return;
    }
    if (loading !== mine) return;
    P = p;
    const keep = view && svg() ? { x: view.x, y: view.y, w: view.w, h: view.h } : null;
    role('diagram').innerHTML = P.svg || '<p class="empty-diagram">No diagram.</p>';
    setupDiagram();
    if (keep && view) { Object.assign(view, keep); applyView(); } else initialView();
    render();
    document.body.dataset.generation = String(P.generation || 0);
    document.body.dataset.ready = '1';
  }

  async function main() {
    setupPanZoom();
    setupSearch();
    setupPicker();
    setupTabs();
    if (live) {
      await reload();
      const es = new EventSource('/api/events');
      es.addEventListener('model', () => reload());
      return;
    }
    P = await reportData();
    setupDiagram();
    initialView();
    render();
    document.body.dataset.ready = '1';
  }

  main().catch((e) => {
    const err = role('load-error');
    err.hidden = false;
    err.textContent = 'The viewer could not start: ' + (e && e.message ? e.message : e);
  });
})();
