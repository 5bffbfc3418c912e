// Frenzy report: the interactive timeline, the fault windows, the stuck operations and the
// shrunken witnesses, drawn from the compact data embedded in the page (#frenzy-data).
// Operations are drawn on a canvas (one draw call per visible bar, coalesced per pixel), so a
// 100,000-operation history stays light; the few things a reader must find (fault windows,
// operations that cannot be linearized) are also DOM elements over the canvas.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('frenzy-data').textContent);
  const ops = data.ops;
  const count = ops.id.length;
  const OUTCOMES = ['ok', 'fail', 'info', 'pending'];
  const COLORS = { ok: '#4caf50', fail: '#f0a030', info: '#8e99d6', pending: '#b8bfe6', stuck: '#d62728' };
  const LANE_H = 16, BAR_H = 10, GUTTER = 150, AXIS_H = 22, FAULT_H = 32, MAX_LANES_H = 480;
  const TOP = AXIS_H + FAULT_H; // lanes start below the time axis and the fault labels' strip
  const end = Math.max(data.end, 1);

  // Indexes: event index -> op, ops of each lane, stuck ops, linearization points.
  const byEvent = new Map();
  const laneOps = data.lanes.map(() => []);
  for (let i = 0; i < count; i++) {
    byEvent.set(ops.id[i], i);
    if (ops.done[i] >= 0) byEvent.set(ops.done[i], i);
    laneOps[ops.lane[i]].push(i);
  }
  const stuck = new Set();
  const linPoint = new Map();
  data.partitions.forEach((p, pi) => {
    p.stuck.forEach((id) => { if (byEvent.has(id)) stuck.add(byEvent.get(id)); });
    p.prefix.forEach((id, k) => {
      if (byEvent.has(id)) linPoint.set(byEvent.get(id), { partition: pi, order: k + 1, t: p.points[k] });
    });
  });

  const OUT_COLORS = OUTCOMES.map((o) => COLORS[o]);
  function opEnd(i) { return ops.out[i] >= 2 ? end : ops.ret[i]; }
  function outcome(i) { return OUTCOMES[ops.out[i]]; }
  function fmtTime(us) {
    const a = Math.abs(us);
    if (a >= 1e6) return (us / 1e6).toFixed(a >= 1e7 ? 2 : 3) + ' s';
    if (a >= 1e3) return (us / 1e3).toFixed(a >= 1e4 ? 1 : 2) + ' ms';
    return us.toFixed(0) + ' µs';
  }
  // A tick label precise enough that neighbouring ticks (step µs apart) differ.
  function fmtTick(us, step) {
    const [unit, div] = step >= 1e5 ? ['s', 1e6] : step >= 100 ? ['ms', 1e3] : ['µs', 1];
    const digits = Math.max(0, Math.ceil(-Math.log10(step / div) - 1e-9));
    return (us / div).toFixed(digits) + ' ' + unit;
  }
  // A lane's name: its user and node when the run recorded them, else its process.
  function laneLabel(l) { return data.lane_labels && data.lane_labels[l] ? data.lane_labels[l] : 'p ' + data.lanes[l]; }
  function describe(i) {
    const lines = ['op #' + ops.id[i] + ' · ' + laneLabel(ops.lane[i]) + ' · ' + data.fs[ops.f[i]] + ' · ' + outcome(i) + (stuck.has(i) ? ' · CANNOT BE LINEARIZED' : '')];
    const ret = ops.ret[i];
    lines.push('called ' + fmtTime(ops.call[i]) + (ret >= 0 ? ', returned ' + fmtTime(ret) + ' (' + fmtTime(ret - ops.call[i]) + ')' : ', never returned'));
    const lp = linPoint.get(i);
    if (lp) lines.push('linearized #' + lp.order + ' of the prefix at ' + fmtTime(lp.t));
    lines.push(ops.v[i]);
    return lines.join('\n');
  }
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // The main timeline.
  const box = document.getElementById('timeline');
  const canvas = el('canvas');
  const overlay = el('div', 'overlay');
  const tip = el('div', 'tooltip');
  box.append(canvas, overlay, tip);
  const ctx = canvas.getContext('2d');
  const lanesH = Math.min(data.lanes.length * LANE_H, MAX_LANES_H);
  const height = TOP + lanesH + 4;
  const view = { t0: -end * 0.01, t1: end * 1.01, y: 0 };
  const maxY = Math.max(0, data.lanes.length * LANE_H - lanesH);

  // The drawing width, read from the layout once per draw (reading it per bar would be slow).
  let boxWidth = Math.max(box.clientWidth, 200);
  function width() { return boxWidth; }
  function X(t) { return GUTTER + (t - view.t0) / (view.t1 - view.t0) * (boxWidth - GUTTER); }
  function T(x) { return view.t0 + (x - GUTTER) / (boxWidth - GUTTER) * (view.t1 - view.t0); }
  function laneY(l) { return TOP + l * LANE_H - view.y; }

  // Fault windows: shaded DOM boxes over the canvas, and a list under it.
  const faultBoxes = data.faults.map((f, k) => {
    const div = el('div', 'fault-window fault-' + f.kind);
    div.dataset.kind = f.kind;
    div.dataset.fault = k;
    div.title = f.label + '\n' + fmtTime(f.start) + ' to ' + (f.end >= 0 ? fmtTime(f.end) : 'the end');
    overlay.append(div);
    return div;
  });
  // Their labels, in a layer of their own above every window, so no window's edge crosses them.
  const labelLayer = el('div', 'fault-labels');
  overlay.append(labelLayer);
  const faultLabels = data.faults.map((f) => {
    const span = el('span', 'fault-label row-0', f.label);
    labelLayer.append(span);
    return span;
  });
  // Each label's width in pixels, measured once in the labels' font (and padding).
  const pageFont = getComputedStyle(document.body).fontFamily;
  const labelWidths = data.faults.map((f) => { ctx.font = '11px ' + pageFont; return ctx.measureText(f.label).width + 8; });
  // The labels in the strip above the lanes: each goes whole into the first of two rows where it
  // covers no other label and stays inside the drawing (slid left at the right edge); one that
  // fits nowhere is hidden until the view is zoomed in (its window's tooltip and the list under
  // the timeline still name it).
  function placeFaultLabels(w) {
    const rowEnd = [-Infinity, -Infinity];
    faultBoxes.forEach((div, k) => {
      const span = faultLabels[k];
      span.style.display = 'none';
      if (div.style.display === 'none') return;
      const left = parseFloat(div.style.left), right = left + parseFloat(div.style.width);
      const x = Math.min(left + 3, w - labelWidths[k] - 2);
      const row = rowEnd.findIndex((e) => x >= e + 4);
      if (row < 0 || x < GUTTER || x > right) return;
      span.style.display = '';
      span.className = 'fault-label row-' + row;
      span.style.left = x + 'px';
      rowEnd[row] = x + labelWidths[k];
    });
  }
  // The list: the first few windows, the rest folded under "N more fault windows".
  const FAULTS_LISTED = 12;
  const faultList = document.getElementById('fault-list');
  let moreFaults = faultList;
  if (data.faults.length > FAULTS_LISTED + 1) {
    const folded = el('details');
    folded.append(el('summary', null, (data.faults.length - FAULTS_LISTED) + ' more fault windows'));
    moreFaults = el('ul');
    folded.append(moreFaults);
    const li = el('li', 'fault-more');
    li.append(folded);
    faultList.append(li);
  }
  data.faults.forEach((f, k) => {
    const li = el('li', 'fault-item');
    const a = el('a', null, f.kind);
    a.href = '#fault-' + k;
    li.append(a, ' from ' + fmtTime(f.start) + ' to ' + (f.end >= 0 ? fmtTime(f.end) : 'the end of the history') + ': ' + f.label);
    if (k < FAULTS_LISTED || moreFaults === faultList) faultList.insertBefore(li, faultList.querySelector('.fault-more'));
    else moreFaults.append(li);
  });
  const stuckBoxes = Array.from(stuck).map((i) => {
    const div = el('div', 'op stuck');
    div.dataset.op = ops.id[i];
    div.title = describe(i);
    div.textContent = data.fs[ops.f[i]] + ' #' + ops.id[i];
    overlay.append(div);
    return [i, div];
  });
  // Each stuck box's name's width in its font (9 px) and borders.
  const stuckWidths = new Map(stuckBoxes.map(([, div]) => { ctx.font = '9px ' + pageFont; return [div, ctx.measureText(div.textContent).width + 6]; }));
  let focused = [];

  function place(div, x0, x1, top, h, floor) {
    const w = width();
    if (x1 < GUTTER || x0 > w || top + h < floor || top > height) { div.style.display = 'none'; return; }
    const l = Math.max(x0, GUTTER), r = Math.min(x1, w);
    div.style.display = 'block';
    div.style.left = l + 'px';
    div.style.width = Math.max(r - l, 2) + 'px';
    div.style.top = Math.max(top, floor) + 'px';
    div.style.height = (Math.min(top + h, height) - Math.max(top, floor)) + 'px';
  }

  function drawAxis(w) {
    const span = view.t1 - view.t0;
    const raw = span / Math.max(2, Math.floor((w - GUTTER) / 110));
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
    ctx.fillStyle = '#444';
    ctx.strokeStyle = '#e4e4e4';
    ctx.font = '11px sans-serif';
    ctx.textBaseline = 'middle';
    for (let t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) {
      const x = X(t);
      if (x < GUTTER) continue;
      ctx.beginPath(); ctx.moveTo(x + 0.5, AXIS_H - 4); ctx.lineTo(x + 0.5, height); ctx.stroke();
      const label = fmtTick(t, step);
      if (x + 3 + ctx.measureText(label).width < w) ctx.fillText(label, x + 3, AXIS_H / 2);
    }
    // Which processes are in view, when they do not all fit.
    if (maxY > 0) {
      const first = Math.floor(view.y / LANE_H), last = Math.min(data.lanes.length, Math.ceil((view.y + lanesH) / LANE_H));
      ctx.fillStyle = '#444';
      ctx.fillText((first + 1) + '–' + last + '/' + data.lanes.length, 2, AXIS_H + FAULT_H / 2);
    }
  }

  // How many operations of a lane (sorted by call) were called at or before t.
  function callsUpTo(list, t) {
    let lo = 0, hi = list.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (ops.call[list[mid]] <= t) lo = mid + 1; else hi = mid; }
    return lo;
  }

  // Only the lanes in view, and in each only the operations in view: a process runs one
  // operation at a time, so from the last one called before the view's start to the view's end.
  function drawOps(w) {
    let fill = '';
    const first = Math.max(0, Math.floor(view.y / LANE_H));
    const last = Math.min(data.lanes.length, Math.ceil((view.y + lanesH) / LANE_H) + 1);
    for (let l = first; l < last; l++) {
      const list = laneOps[l], y = laneY(l) + (LANE_H - BAR_H) / 2;
      let lastX = -1, lastC = '';
      for (let k = Math.max(0, callsUpTo(list, view.t0) - 1); k < list.length; k++) {
        const i = list[k];
        if (ops.call[i] > view.t1) break;
        let x0 = X(ops.call[i]);
        const x1 = Math.max(X(opEnd(i)), x0 + 1);
        if (x1 < GUTTER) continue;
        const color = stuck.has(i) ? COLORS.stuck : OUT_COLORS[ops.out[i]];
        // Aggregate when zoomed out: a bar that adds less than a pixel to the lane's last bar of
        // the same colour is already drawn.
        if (color === lastC) {
          if (x0 <= lastX + 0.5 && x1 < lastX + 1) continue;
          x0 = Math.max(x0, lastX);
        }
        if (color !== fill) { ctx.fillStyle = color; fill = color; }
        ctx.fillRect(Math.max(x0, GUTTER), y, Math.min(x1, w) - Math.max(x0, GUTTER), BAR_H);
        lastX = x1; lastC = color;
      }
    }
    ctx.fillStyle = '#111';
    linPoint.forEach((p, i) => {
      const x = X(p.t), y = laneY(ops.lane[i]) + LANE_H / 2;
      if (x < GUTTER || x > w || y < TOP || y > height) return;
      ctx.beginPath(); ctx.arc(x, y, 3, 0, 2 * Math.PI); ctx.fill();
    });
  }

  function drawLanes(w) {
    ctx.font = '11px sans-serif';
    ctx.textBaseline = 'middle';
    for (let l = 0; l < data.lanes.length; l++) {
      const y = laneY(l);
      if (y + LANE_H < TOP || y > height) continue;
      // One band per worker: its lanes share a shade, and a line opens each band.
      const band = data.lane_bands ? data.lane_bands[l] : l;
      if (band % 2 === 0) { ctx.fillStyle = '#f3f3f3'; ctx.fillRect(0, y, w, LANE_H); }
      if (l > 0 && data.lane_bands && data.lane_bands[l - 1] !== band) {
        ctx.fillStyle = '#c8c8c8'; ctx.fillRect(0, y, w, 1);
      }
      ctx.fillStyle = '#333';
      ctx.fillText(laneLabel(l), 4, y + LANE_H / 2);
    }
  }

  function draw() {
    boxWidth = Math.max(box.clientWidth, 200);
    const w = boxWidth, dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(w * dpr); canvas.height = Math.round(height * dpr);
      canvas.style.width = w + 'px'; canvas.style.height = height + 'px';
      box.style.height = height + 'px';
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, height);
    ctx.save();
    ctx.beginPath(); ctx.rect(0, TOP, w, height - TOP); ctx.clip();
    drawLanes(w);
    drawOps(w);
    ctx.restore();
    drawAxis(w);
    data.faults.forEach((f, k) => place(faultBoxes[k], X(f.start), X(f.end >= 0 ? f.end : end), AXIS_H, height, AXIS_H));
    placeFaultLabels(w);
    stuckBoxes.forEach(([i, div]) => {
      place(div, X(ops.call[i]), Math.max(X(opEnd(i)), X(ops.call[i]) + 4), laneY(ops.lane[i]) + 1, LANE_H - 2, TOP);
      // Its name only when it fits whole (zoom in to read it; its tooltip always has it).
      div.classList.toggle('narrow', parseFloat(div.style.width) < stuckWidths.get(div));
    });
    focused.forEach(([i, div]) => place(div, X(ops.call[i]) - 3, Math.max(X(opEnd(i)), X(ops.call[i]) + 4) + 3, laneY(ops.lane[i]) - 1, LANE_H + 2, TOP));
  }

  let pending = false;
  function redraw() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; draw(); });
  }
  function zoom(factor, x) {
    const t = T(x);
    const span = Math.min(Math.max((view.t1 - view.t0) * factor, 5), end * 1.5);
    const at = (x - GUTTER) / (width() - GUTTER);
    view.t0 = t - at * span; view.t1 = view.t0 + span;
    redraw();
  }

  // Focus: show some operations (by op index) in the middle of the view, outlined.
  function focus(indexes) {
    focused.forEach(([, div]) => div.remove());
    if (indexes.length === 0) return;
    let t0 = Infinity, t1 = -Infinity, lane = Infinity;
    indexes.forEach((i) => {
      t0 = Math.min(t0, ops.call[i]);
      t1 = Math.max(t1, ops.ret[i] >= 0 ? ops.ret[i] : ops.call[i] + 1);
      lane = Math.min(lane, ops.lane[i]);
    });
    const pad = Math.max((t1 - t0) * 0.6, 50);
    view.t0 = t0 - pad; view.t1 = t1 + pad;
    view.y = Math.min(Math.max(lane * LANE_H - LANE_H * 2, 0), maxY);
    focused = indexes.map((i) => { const d = el('div', 'focus-ring'); overlay.append(d); return [i, d]; });
    draw();
    box.scrollIntoView({ block: 'center' });
  }
  function route() {
    const h = decodeURIComponent(location.hash.slice(1));
    let m;
    if ((m = /^op-(\d+)$/.exec(h)) && byEvent.has(Number(m[1]))) focus([byEvent.get(Number(m[1]))]);
    else if ((m = /^anomaly-(\d+)$/.exec(h)) && data.partitions[m[1]]) {
      const p = data.partitions[m[1]];
      const ids = p.stuck.concat(p.prefix.slice(-1));
      focus(ids.filter((id) => byEvent.has(id)).map((id) => byEvent.get(id)));
    } else if ((m = /^fault-(\d+)$/.exec(h)) && data.faults[m[1]]) {
      const f = data.faults[m[1]];
      const fe = f.end >= 0 ? f.end : end;
      const pad = (fe - f.start) * 0.2 + 1;
      focus([]);
      view.t0 = f.start - pad; view.t1 = fe + pad;
      draw();
      box.scrollIntoView({ block: 'center' });
    }
  }

  box.addEventListener('wheel', (e) => {
    e.preventDefault();
    const r = canvas.getBoundingClientRect();
    if (e.shiftKey) { view.y = Math.min(Math.max(view.y + e.deltaY, 0), maxY); redraw(); }
    else zoom(Math.exp(e.deltaY * 0.002), e.clientX - r.left);
  }, { passive: false });
  let drag = null;
  box.addEventListener('mousedown', (e) => { drag = { x: e.clientX, y: e.clientY, t0: view.t0, t1: view.t1, vy: view.y }; box.classList.add('dragging'); });
  window.addEventListener('mouseup', () => { drag = null; box.classList.remove('dragging'); });
  window.addEventListener('mousemove', (e) => {
    if (!drag) return;
    const dt = (e.clientX - drag.x) / (width() - GUTTER) * (drag.t1 - drag.t0);
    view.t0 = drag.t0 - dt; view.t1 = drag.t1 - dt;
    view.y = Math.min(Math.max(drag.vy - (e.clientY - drag.y), 0), maxY);
    redraw();
  });
  box.addEventListener('mousemove', (e) => {
    const r = canvas.getBoundingClientRect();
    const x = e.clientX - r.left, y = e.clientY - r.top;
    const l = Math.floor((y - TOP + view.y) / LANE_H);
    let hit = -1;
    if (!drag && y > TOP && x > GUTTER && l >= 0 && l < laneOps.length) {
      const list = laneOps[l], t = T(x), tol = 3 * (view.t1 - view.t0) / (width() - GUTTER);
      const lo = callsUpTo(list, t + tol);
      for (let k = lo - 1; k >= 0 && k >= lo - 50; k--) { if (opEnd(list[k]) >= t - tol) { hit = list[k]; break; } }
    }
    if (hit < 0) { tip.style.display = 'none'; return; }
    tip.textContent = describe(hit);
    tip.style.display = 'block';
    tip.style.left = Math.min(x + 14, width() - 320) + 'px';
    tip.style.top = (y + 14) + 'px';
  });
  box.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
  document.getElementById('zoom-in').addEventListener('click', () => zoom(0.5, (GUTTER + width()) / 2));
  document.getElementById('zoom-out').addEventListener('click', () => zoom(2, (GUTTER + width()) / 2));
  document.getElementById('zoom-reset').addEventListener('click', () => { focus([]); focused = []; view.t0 = -end * 0.01; view.t1 = end * 1.01; view.y = 0; draw(); });
  window.addEventListener('resize', redraw);
  window.addEventListener('hashchange', route);

  // The shrunken witnesses: each drawn on its own as a small SVG timeline.
  const SVG = 'http://www.w3.org/2000/svg';
  function svgEl(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach((k) => e.setAttribute(k, attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  }
  // `name value` when it is at most `room` pixels wide in the context's font; else, for an
  // object, `name key: value, ...` with as many whole fields as fit and an ellipsis; else `name`.
  function fitted(name, value, room) {
    const fits = (text) => ctx.measureText(text).width <= room;
    if (fits(name + ' ' + value)) return name + ' ' + value;
    let fields;
    try { fields = JSON.parse(value); } catch (e) { return name; }
    if (!fields || typeof fields !== 'object' || Array.isArray(fields)) return name;
    let label = name;
    for (const [k, v] of Object.entries(fields)) {
      const next = label + (label === name ? ' ' : ', ') + k + ': ' + (typeof v === 'string' ? v : JSON.stringify(v));
      if (!fits(next + ' …')) return label + ' …';
      label = next;
    }
    return label;
  }

  // Each witness beside its sentence: its operations, one row per process (labelled like the
  // timeline's), and the fault windows in force over its span, shaded and named.
  document.querySelectorAll('.witness[data-partition]').forEach((holder) => {
    const p = data.partitions[Number(holder.dataset.partition)];
    const idx = p.witness.filter((id) => byEvent.has(id)).map((id) => byEvent.get(id)).slice(0, 400);
    if (idx.length === 0) { holder.append(el('p', 'hint', 'No witness was kept for this one.')); return; }
    const procs = Array.from(new Set(idx.map((i) => ops.lane[i]))).sort((a, b) => a - b);
    const first = Math.min(...idx.map((i) => ops.call[i]));
    const finite = idx.map((i) => (ops.ret[i] >= 0 ? ops.ret[i] : ops.call[i]));
    const last = Math.max(...finite);
    const pad = (last - first) * 0.08 + 1;
    const t0 = Math.max(first - pad, 0), t1 = last + pad;
    const faults = data.faults.filter((f) => f.start <= t1 && (f.end < 0 || f.end >= t0));
    const W = 620, LH = 30, G = 130, FH = faults.length ? 18 * Math.min(faults.length, 3) : 0, H = FH + procs.length * LH + 24;
    const sx = (t) => G + (Math.min(Math.max(t, t0), t1) - t0) / (t1 - t0) * (W - G - 10);
    const svg = svgEl('svg', { class: 'witness-svg', viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, role: 'img' });
    faults.forEach((f, k) => {
      const x0 = sx(f.start), x1 = sx(f.end >= 0 ? f.end : end);
      const g = svgEl('g', { class: 'fault fault-' + f.kind });
      g.append(svgEl('title', {}, f.label + ': ' + fmtTime(f.start) + ' to ' + (f.end >= 0 ? fmtTime(f.end) : 'the end')));
      g.append(svgEl('rect', { x: x0, y: 0, width: Math.max(x1 - x0, 1), height: H - 16 }));
      // Whole: from the window's start, or ending at the drawing's right edge when that is nearer.
      ctx.font = '11px sans-serif';
      const right = x0 + 3 + ctx.measureText(f.label).width > W - 4;
      g.append(svgEl('text', { x: right ? W - 4 : x0 + 3, y: 12 + 18 * (k % 3), class: 'fault-text', 'text-anchor': right ? 'end' : 'start' }, f.label));
      svg.append(g);
    });
    procs.forEach((l, row) => svg.append(svgEl('text', { x: 4, y: FH + row * LH + 22, class: 'lane-label' }, laneLabel(l))));
    idx.forEach((i) => {
      const row = procs.indexOf(ops.lane[i]);
      const x0 = sx(ops.call[i]);
      const x1 = Math.max(ops.out[i] >= 2 ? sx(t1) : sx(ops.ret[i]), x0 + 3);
      const g = svgEl('g', { class: 'op ' + outcome(i) + (stuck.has(i) ? ' stuck' : ''), 'data-op': ops.id[i] });
      g.append(svgEl('title', {}, describe(i)));
      g.append(svgEl('rect', { x: x0, y: FH + row * LH + 14, width: x1 - x0, height: 12, rx: 2 }));
      // The operation and as much of its value as fits whole in the drawing (its tooltip and
      // the evidence table give all of it); one that would run past the right edge ends there.
      ctx.font = (stuck.has(i) ? 'bold ' : '') + '11px sans-serif';
      const label = fitted(data.fs[ops.f[i]] + ' #' + ops.id[i], ops.v[i], W - 4 - G);
      const right = x0 + 2 + ctx.measureText(label).width > W - 4;
      g.append(svgEl('text', { x: right ? W - 4 : x0 + 2, y: FH + row * LH + 11, class: 'op-label', 'text-anchor': right ? 'end' : 'start' }, label));
      svg.append(g);
    });
    svg.append(svgEl('text', { x: G, y: H - 2, class: 'axis' }, fmtTime(t0)));
    svg.append(svgEl('text', { x: W - 10, y: H - 2, class: 'axis', 'text-anchor': 'end' }, fmtTime(t1)));
    holder.append(svg);
  });

  const drawStart = performance.now();
  draw();
  const drawMs = performance.now() - drawStart;
  // A second draw of the same view: what each zoom or pan step costs.
  const redrawStart = performance.now();
  draw();
  const redrawMs = performance.now() - redrawStart;
  route();
  const stats = document.getElementById('render-stats');
  stats.dataset.ops = count;
  stats.dataset.ms = Math.round(performance.now());
  stats.dataset.drawMs = drawMs.toFixed(1);
  stats.dataset.redrawMs = redrawMs.toFixed(1);
  stats.textContent = 'Timeline: ' + count + ' operations on ' + data.lanes.length + ' processes, ' + data.faults.length +
    ' fault windows; drawn in ' + drawMs.toFixed(1) + ' ms (again in ' + redrawMs.toFixed(1) + ' ms), ready ' + Math.round(performance.now()) + ' ms after the page started loading.';
}());
