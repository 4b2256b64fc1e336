// Datasets: upload instrument exports to the project, list them, and show a cycler file's
// capacity fade and coulombic efficiency per cycle (from /datasets/{id}/cycles).
import { api, session, el, currentProject, canSubmit, mayChange, toast, when } from './api.js';

const mb = (b) => (b / 1048576).toFixed(2) + ' MB';

async function uploadFile(project, file) {
  const q = new URLSearchParams({ project: project.name, name: file.name });
  const r = await fetch(`/api/v1/datasets?${q}`, {
    method: 'POST', credentials: 'same-origin', body: file,
    headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': session.csrf },
  });
  let data = null;
  try { data = await r.json(); } catch { data = null; }
  return { ok: r.ok, status: r.status, data };
}

export async function datasetsView(main) {
  const p = currentProject();
  if (!p) { main.replaceChildren(el('p', {}, 'You are not in any project yet.')); return; }
  const list = el('div');
  const msg = el('p', { id: 'upload-msg', role: 'status' });
  const parts = [el('h1', {}, `Datasets — ${p.name}`),
    el('p', { class: 'muted' }, 'Exports of BioLogic (.mpt, .mpr), Gamry (.DTA), Arbin (.res, .xlsx), Maccor, ZPlot, Autolab, CH Instruments, VersaStudio and CSV files, read into one table in SI units.')];
  if (canSubmit()) {
    const input = el('input', { id: 'dataset-file', type: 'file' });
    const button = el('button', { class: 'primary', type: 'submit', id: 'upload' }, 'Upload');
    parts.push(el('form', { class: 'form', onsubmit: async (e) => {
      e.preventDefault();
      const f = input.files[0];
      if (!f) { msg.textContent = 'Choose a file first.'; return; }
      button.disabled = true;
      msg.textContent = `Uploading ${f.name}…`;
      const r = await uploadFile(p, f);
      button.disabled = false;
      if (!r.ok) { msg.className = 'bad'; msg.textContent = (r.data && r.data.message) || `Upload failed (${r.status})`; return; }
      msg.className = 'ok';
      msg.textContent = `${r.data.name}: ${r.data.rows} rows (${r.data.columns.join(', ')}) from ${r.data.instrument}`;
      toast(`Stored ${r.data.name}`);
      input.value = '';
      await refresh();
    } }, el('label', { for: 'dataset-file' }, 'Instrument export', input), button));
  }
  parts.push(msg, list);
  main.replaceChildren(...parts);
  async function refresh() {
    const r = await api('GET', `/datasets?project=${encodeURIComponent(p.name)}`);
    const rows = r.data.datasets;
    if (!rows.length) { list.replaceChildren(el('p', { class: 'muted' }, 'No datasets yet.')); return; }
    list.replaceChildren(el('table', { id: 'datasets' },
      el('thead', {}, el('tr', {}, ['#', 'Name', 'Instrument', 'Technique', 'Rows', 'Columns', 'Size', 'Uploaded'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows.map((d) => el('tr', { 'data-dataset': d.id },
        el('td', { class: 'num' }, String(d.id)),
        el('td', {}, el('a', { href: `/portal/datasets/${d.id}` }, d.name)),
        el('td', {}, d.instrument), el('td', {}, d.technique),
        el('td', { class: 'num' }, d.rows.toLocaleString('en')), el('td', {}, d.columns.join(', ')),
        el('td', { class: 'num' }, mb(d.bytes)), el('td', {}, when(d.created_at)))))));
  }
  await refresh();
}

function chart(target, cycles, series) {
  const width = Math.max(360, target.clientWidth - 28);
  const x = cycles.map((c) => c.cycle);
  return new uPlot({
    title: 'Capacity and coulombic efficiency per cycle', width, height: 260,
    scales: { x: { time: false }, ce: { auto: true } },
    axes: [{ label: 'cycle' }, { label: 'capacity / mAh', size: 70 }, { scale: 'ce', side: 1, label: 'CE / %', size: 60, grid: { show: false } }],
    series: [{ label: 'cycle' }, ...series],
  }, [x, ...series.map((s) => s.data)], target);
}

export async function datasetView(main, id) {
  const r = await api('GET', `/datasets/${id}`);
  if (!r.ok) { main.replaceChildren(el('p', { class: 'bad' }, (r.data && r.data.message) || 'Not found')); return; }
  const d = r.data;
  const parts = [el('h1', {}, `Dataset ${d.id}: ${d.name}`),
    el('div', { class: 'facts' },
      el('span', {}, 'Instrument ', el('b', {}, d.instrument)), el('span', {}, 'Technique ', el('b', {}, d.technique)),
      el('span', {}, 'Rows ', el('b', {}, String(d.rows))), el('span', {}, 'Columns ', el('b', {}, d.columns.join(', '))),
      el('span', {}, 'SHA-256 ', el('b', {}, d.sha256.slice(0, 16) + '…'))),
    el('p', {}, el('a', { href: `/api/v1/datasets/${id}/files/original` }, 'Original file'), ' · ',
      el('a', { href: `/api/v1/datasets/${id}/files/normalised.csv`, id: 'normalised' }, 'Normalised CSV'))];
  const body = el('div', { id: 'cycling' });
  parts.push(body);
  if (mayChange(d.project_id)) {
    parts.push(el('p', {}, el('button', { class: 'danger', id: 'delete', onclick: async () => {
      if (!confirm(`Delete ${d.name}?`)) return;
      const x = await api('DELETE', `/datasets/${id}`);
      if (x.status === 204) location.href = '/portal/datasets'; else toast((x.data && x.data.message) || 'Delete failed');
    } }, 'Delete dataset')));
  }
  main.replaceChildren(...parts);
  const c = await api('GET', `/datasets/${id}/cycles`);
  if (!c.ok) { body.replaceChildren(el('p', { class: 'muted' }, (c.data && c.data.message) || 'No cycling analysis for this file.')); return; }
  const a = c.data;
  const cyc = a.cycles;
  const pct = (v) => (v === null ? '–' : (100 * v).toFixed(3));
  const mah = (v) => (1000 * v).toFixed(4);
  const plotBox = el('div', { class: 'plot', id: 'fade-plot' });
  body.replaceChildren(
    el('h2', {}, 'Cycling'),
    el('p', { class: 'muted' }, `${a.steps} steps, ${cyc.length} cycles (numbered by ${a.cycle_source}). `, ...a.notes.map((n) => el('span', {}, n))),
    plotBox,
    el('table', { id: 'cycles' },
      el('thead', {}, el('tr', {}, ['Cycle', 'Charge / mAh', 'Discharge / mAh', 'CE / %', 'Energy eff. / %', 'Retention / %', 'Complete'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, cyc.map((x) => el('tr', { 'data-cycle': x.cycle },
        el('td', { class: 'num' }, String(x.cycle)), el('td', { class: 'num' }, mah(x.charge_Ah)), el('td', { class: 'num' }, mah(x.discharge_Ah)),
        el('td', { class: 'num' }, pct(x.coulombic_efficiency)), el('td', { class: 'num' }, pct(x.energy_efficiency)),
        el('td', { class: 'num' }, pct(x.retention)), el('td', {}, x.complete ? 'yes' : 'no (record ends)'))))));
  if (a.pulses.length) {
    body.append(el('h2', {}, 'Current steps'), el('table', { id: 'pulses' },
      el('thead', {}, el('tr', {}, ['Cycle', 'From → to', 'ΔI / mA', 'R at first sample / Ω', 'after / s', 'R at +10 s / Ω'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, a.pulses.map((q) => el('tr', {},
        el('td', { class: 'num' }, String(q.cycle)), el('td', {}, `${q.from} → ${q.to}`),
        el('td', { class: 'num' }, (1000 * (q.current_after_A - q.current_before_A)).toFixed(4)),
        el('td', { class: 'num' }, q.r_instant_ohm.toPrecision(4)), el('td', { class: 'num' }, q.instant_delay_s.toFixed(2)),
        el('td', { class: 'num' }, q.r_delayed_ohm === null ? '–' : q.r_delayed_ohm.toPrecision(4)))))));
  }
  const done = cyc.filter((x) => x.complete && x.coulombic_efficiency !== null);
  if (done.length && window.uPlot) {
    chart(plotBox, done, [
      { label: 'charge / mAh', stroke: '#0b5cad', width: 1.5, data: done.map((x) => 1000 * x.charge_Ah) },
      { label: 'discharge / mAh', stroke: '#a40e26', width: 1.5, data: done.map((x) => 1000 * x.discharge_Ah) },
      { label: 'CE / %', scale: 'ce', stroke: '#116329', dash: [6, 4], width: 1.5, data: done.map((x) => 100 * x.coulombic_efficiency) },
    ]);
  }
  window.__galvana_dataset = { cycles: cyc.length, plotted: done.length };
}
