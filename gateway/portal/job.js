// One job: state and progress, live residual plots (uPlot, log scale) fed by the SSE stream,
// monitors, output tail, files, checkpoints ("restart from here") and campaign segments.
import { api, el, badge, when, hours, mayChange, toast } from './api.js';

const ACTIVE = ['submitting', 'pending', 'running', 'requeued'];
// Client-side cap: beyond this many points a series is halved by min/max decimation, so a run of
// 10^6 iterations stays smooth (the server decimates the history the page starts from).
const CAP = 60000;

function decimate(xs, ys, max) {
  if (xs.length <= max) return [xs, ys];
  const size = Math.ceil(xs.length / (max / 2));
  const ox = [], oy = [];
  for (let s = 0; s < xs.length; s += size) {
    let lo = s, hi = s;
    for (let i = s; i < Math.min(s + size, xs.length); i++) {
      if (ys[i] < ys[lo]) lo = i;
      if (ys[i] > ys[hi]) hi = i;
    }
    for (const i of lo <= hi ? [lo, hi] : [hi, lo]) {
      if (ox[ox.length - 1] !== xs[i]) { ox.push(xs[i]); oy.push(ys[i]); }
    }
  }
  return [ox, oy];
}

class Series {
  constructor(x = [], y = []) { this.x = x; this.y = y.map((v) => (v > 0 ? v : null)); }
  push(x, y) {
    this.x.push(x); this.y.push(y > 0 ? y : null);
    if (this.x.length > CAP) [this.x, this.y] = decimate(this.x, this.y, CAP / 2);
  }
}

function plot(target, title, xLabel, yLabel, log) {
  const width = Math.max(360, target.clientWidth - 28);
  const sci = (u, vals) => vals.map((v) => (v === null || v === undefined ? '' : v.toExponential(0)));
  return new uPlot({
    title, width, height: 240,
    scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
    axes: [{ label: xLabel }, log ? { label: yLabel, size: 70, values: sci } : { label: yLabel, size: 70 }],
    series: [{ label: xLabel }, { label: yLabel, stroke: '#0b5cad', width: 1.5, points: { show: false } }],
  }, [[], []], target);
}

function parseCsv(text) {
  const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
  const head = (lines.shift() || '').split(',').map((s) => s.trim());
  const cols = head.map(() => []);
  for (const l of lines) l.split(',').forEach((v, i) => { if (cols[i]) cols[i].push(Number(v)); });
  return { head, cols };
}

export async function jobView(main, id) {
  let job = (await api('GET', `/jobs/${id}`)).data;
  if (!job || job.error) { main.replaceChildren(el('p', { class: 'bad' }, (job && job.message) || 'Not found')); return; }
  const canChange = mayChange(job.project_id);
  const stateEl = el('span', { id: 'job-state' });
  const reasonEl = el('p', { class: 'muted', id: 'job-reason' });
  const prog = el('progress', { id: 'progress', max: 1, value: 0, 'aria-label': 'Simulated time reached' });
  const progText = el('span', { id: 'progress-text' }, '–');
  const cancelBtn = el('button', { class: 'danger', type: 'button', id: 'cancel', hidden: !canChange, onclick: async () => {
    if (!confirm(`Cancel job ${id}?`)) return;
    const r = await api('POST', `/jobs/${id}/cancel`);
    toast(r.ok ? 'Cancelling…' : (r.data && r.data.message) || 'Cancel failed');
  } }, 'Cancel job');
  const nlBox = el('div', { class: 'plot panel', id: 'plot-nonlinear' });
  const linBox = el('div', { class: 'plot panel', id: 'plot-linear' });
  const monBox = el('div', { class: 'plot panel', id: 'plot-monitors' });
  const timeBox = el('div', { class: 'plot panel', id: 'plot-time' });
  const monSel = el('select', { id: 'monitor-column', 'aria-label': 'Monitor to plot' });
  const tail = el('pre', { class: 'tail', id: 'output', tabindex: 0, 'aria-label': 'Job output (end)' }, '…');
  const files = el('tbody');
  const ckpts = el('tbody');
  const segs = el('tbody');
  const counts = el('span', { id: 'counts', class: 'muted' });
  main.replaceChildren(
    el('h1', {}, `Job ${id}: ${job.name} `, stateEl),
    reasonEl,
    el('div', { class: 'facts' },
      el('span', {}, 'Project ', el('b', {}, job.project)), el('span', {}, 'User ', el('b', {}, job.user)),
      el('span', {}, 'Ranks ', el('b', {}, String(job.ranks))), el('span', {}, 'Walltime ', el('b', {}, `${job.walltime_s} s`)),
      el('span', {}, 'Reserved ', el('b', {}, hours(job.reserved.core_hours)), ' core'),
      el('span', {}, 'Scheduler ', el('b', {}, `${job.backend} ${job.scheduler_id || ''}`)),
      el('span', {}, 'Submitted ', el('b', {}, when(job.submitted_at)))),
    el('p', {}, el('label', { for: 'progress' }, 'Progress '), prog, ' ', progText, ' ', cancelBtn),
    el('h2', {}, 'Residuals ', counts),
    el('div', { class: 'grid2' }, nlBox, linBox),
    el('div', { class: 'grid2' },
      el('div', {}, el('h2', {}, 'Monitors ', monSel), monBox),
      el('div', {}, el('h2', {}, 'Simulated time'), timeBox)),
    el('h2', {}, 'Output (end)'), tail,
    el('h2', {}, 'Segments'),
    el('table', { id: 'segments' }, el('thead', {}, el('tr', {}, ['Segment', 'Action', 'Exit', 'Signal', 'Reason', 'Start', 'End'].map((h) => el('th', { scope: 'col' }, h)))), segs),
    el('h2', {}, 'Checkpoints'),
    el('table', { id: 'checkpoints' }, el('thead', {}, el('tr', {}, ['File', 'Size', 'Written', ''].map((h) => el('th', { scope: 'col' }, h)))), ckpts),
    el('h2', {}, 'Files'),
    el('table', { id: 'files' }, el('thead', {}, el('tr', {}, ['Path', 'Size', 'Modified'].map((h) => el('th', { scope: 'col' }, h)))), files));

  const nlPlot = plot(nlBox, 'Nonlinear |R|', 'Newton iteration', '|R|', true);
  const linPlot = plot(linBox, 'Linear |r|', 'Krylov iteration', '|r|', true);
  const monPlot = plot(monBox, 'Monitor', 'time [s]', 'value', false);
  const timePlot = plot(timeBox, 'Simulated vs wall time', 'wall [s]', 'simulated [s]', false);

  const h = (await api('GET', `/jobs/${id}/residuals/history?max_points=4000`)).data;
  const nl = new Series(h.nonlinear.x, h.nonlinear.y);
  const lin = new Series(h.linear.x, h.linear.y);
  const steps = new Series(h.steps.x, h.steps.y.map((v) => v || 1e-300));
  let nlCount = h.counts.nonlinear, linCount = h.counts.linear, dirty = true;
  const live = { nonlinear: 0, linear: 0, ended: false };
  window.__galvana = { job: id, counts: () => ({ nonlinear: nlCount, linear: linCount, live_nonlinear: live.nonlinear, plotted: nlPlot.data[0].length }), state: () => job.state, ended: () => live.ended };

  function showProgress(fraction, eta) {
    if (typeof fraction !== 'number') return;
    prog.value = fraction;
    progText.textContent = `${(100 * fraction).toFixed(1)} %` + (typeof eta === 'number' && fraction < 1 ? ` — about ${Math.round(eta)} s left` : '');
  }
  if (h.progress) showProgress(h.progress.fraction, h.progress.eta_s);

  function redraw() {
    if (dirty) {
      nlPlot.setData([nl.x, nl.y]);
      linPlot.setData([lin.x, lin.y]);
      timePlot.setData([steps.x, steps.y]);
      counts.textContent = `(${nlCount.toLocaleString('en')} Newton, ${linCount.toLocaleString('en')} Krylov iterations)`;
      dirty = false;
    }
  }
  const drawTimer = setInterval(redraw, 250);
  redraw();

  // The live stream, from just after the history.
  const es = new EventSource(`/api/v1/jobs/${id}/residuals?last_event_id=${h.last_seq}`);
  es.addEventListener('nonlinear', (e) => { const v = JSON.parse(e.data); nl.push(nlCount++, v.norm); live.nonlinear++; dirty = true; });
  es.addEventListener('linear', (e) => { const v = JSON.parse(e.data); lin.push(linCount++, v.norm); live.linear++; dirty = true; });
  es.addEventListener('step', (e) => { const v = JSON.parse(e.data); steps.push(v.wall_s, v.time || 1e-300); dirty = true; });
  es.addEventListener('progress', (e) => { const v = JSON.parse(e.data); showProgress(v.fraction, v.eta_s); });
  es.addEventListener('end', () => { es.close(); live.ended = true; refresh(); });

  let stdout = null;
  let monitorsAt = 0;
  async function refreshFiles() {
    const f = (await api('GET', `/jobs/${id}/files`)).data.files;
    files.replaceChildren(...f.map((x) => el('tr', {},
      el('td', {}, el('a', { href: `/api/v1/jobs/${id}/files/${x.path}?download=true`, download: x.path.split('/').pop() }, x.path)),
      el('td', { class: 'num' }, (x.size || 0).toLocaleString('en')), el('td', {}, when(x.modified)))));
    const out = f.find((x) => /^job\/job-[^/]*\.out$/.test(x.path));
    stdout = out ? out.path : null;
    const c = (await api('GET', `/jobs/${id}/checkpoints`)).data.checkpoints;
    ckpts.replaceChildren(...c.map((x) => el('tr', {},
      el('td', {}, x.path), el('td', { class: 'num' }, (x.size || 0).toLocaleString('en')), el('td', {}, when(x.modified)),
      el('td', {}, canChange && job.kind === 'run' ? el('button', { type: 'button', onclick: () => restartFrom(x.path) }, 'Restart from here') : ''))));
    if (!c.length) ckpts.replaceChildren(el('tr', {}, el('td', { colspan: 4, class: 'muted' }, 'No checkpoints yet.')));
    const mon = f.find((x) => x.path === 'job/run/monitors.csv' || x.path === 'job/task-000/monitors.csv');
    if (mon && mon.modified !== monitorsAt) {
      monitorsAt = mon.modified;
      const r = await fetch(`/api/v1/jobs/${id}/files/${mon.path}`, { credentials: 'same-origin' });
      const { head, cols } = parseCsv(await r.text());
      if (!monSel.options.length) {
        monSel.replaceChildren(...head.slice(1).map((c) => el('option', { value: c }, c)));
        const pick = head.findIndex((c) => /mean/.test(c));
        if (pick > 0) monSel.value = head[pick];
        monSel.onchange = () => { monitorsAt = 0; refreshFiles(); };
      }
      const k = head.indexOf(monSel.value);
      if (k > 0) { monPlot.series[1].label = monSel.value; monPlot.setData([cols[0], cols[k]]); }
    }
  }
  async function restartFrom(path) {
    if (!confirm(`Start a new job from ${path}?`)) return;
    const r = await api('POST', `/jobs/${id}/restart`, { checkpoint: path });
    if (r.ok) location.href = `/portal/jobs/${r.data.id}`;
    else toast((r.data && r.data.message) || 'Restart failed');
  }
  async function refreshTail() {
    if (!stdout) return;
    const r = await fetch(`/api/v1/jobs/${id}/files/${stdout}?tail=6000`, { credentials: 'same-origin' });
    if (r.ok) { tail.textContent = await r.text(); tail.scrollTop = tail.scrollHeight; }
  }
  async function refresh() {
    job = (await api('GET', `/jobs/${id}`)).data;
    stateEl.replaceChildren(badge(job.state));
    reasonEl.textContent = job.reason || '';
    cancelBtn.hidden = !canChange || !ACTIVE.includes(job.state);
    const t = job.campaign && job.campaign.tasks[0];
    if (t) {
      if (typeof t.progress === 'number' && t.progress > prog.value) showProgress(t.progress);
      segs.replaceChildren(...t.segments.map((s) => el('tr', {},
        el('td', { class: 'num' }, String(s.segment)), el('td', {}, s.action), el('td', { class: 'num' }, String(s.exit_code)),
        el('td', {}, s.signal || '–'), el('td', {}, s.reason),
        el('td', {}, new Date(s.start * 1000).toISOString().slice(0, 19).replace('T', ' ')),
        el('td', {}, new Date(s.end * 1000).toISOString().slice(0, 19).replace('T', ' ')))));
      if (!t.segments.length) segs.replaceChildren(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'No segment has ended yet.')));
    }
    await refreshFiles();
    await refreshTail();
  }
  await refresh();
  const timer = setInterval(() => { if (ACTIVE.includes(job.state) || !live.ended) refresh(); }, 3000);
  window.addEventListener('pagehide', () => { es.close(); clearInterval(timer); clearInterval(drawTimer); });
}
