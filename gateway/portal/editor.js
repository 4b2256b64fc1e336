// The deck editor: templates, validation while typing (the `galvana check` checker, errors
// marked at their lines), the [job] resources, the quota cost, and submit.
import { api, el, currentProject, canSubmit, hours, toast } from './api.js';

/** Set `key = value` in the deck's [job] section (adding the section or key if missing). */
export function setJobKey(text, key, value) {
  const lines = text.split('\n');
  let start = lines.findIndex((l) => /^\s*\[job\]\s*(#.*)?$/.test(l));
  if (start < 0) { lines.push('', '[job]'); start = lines.length - 1; }
  let end = lines.findIndex((l, i) => i > start && /^\s*\[/.test(l));
  if (end < 0) end = lines.length;
  const re = new RegExp(`^\\s*${key}\\s*=`);
  const i = lines.findIndex((l, k) => k > start && k < end && re.test(l));
  if (i >= 0) lines[i] = `${key} = ${value}`; else lines.splice(start + 1, 0, `${key} = ${value}`);
  return lines.join('\n');
}

function jobKey(text, key) {
  const m = text.match(new RegExp(`\\[job\\][^\\[]*?^\\s*${key}\\s*=\\s*("?)([^"\\n#]*)\\1`, 'm'));
  return m ? m[2].trim() : '';
}

export async function editorView(main) {
  const project = currentProject();
  const ex = (await api('GET', '/examples')).data.examples;
  const tpl = el('select', { id: 'template' }, ex.map((e) => el('option', { value: e.name }, `${e.name} — ${e.title}`)));
  const area = el('textarea', { id: 'deck', spellcheck: 'false', 'aria-label': 'Deck (TOML)', 'aria-describedby': 'check-status' });
  const gutter = el('div', { class: 'gutter', 'aria-hidden': 'true' });
  const status = el('p', { id: 'check-status', 'aria-live': 'polite' }, 'Not checked yet.');
  const diags = el('ul', { class: 'diags', id: 'diagnostics' });
  const ranks = el('input', { id: 'ranks', type: 'number', min: 1, step: 1 });
  const wall = el('input', { id: 'walltime', placeholder: 'HH:MM:SS' });
  const gpus = el('input', { id: 'gpus', type: 'number', min: 0, step: 1 });
  const cost = el('p', { id: 'cost', 'aria-live': 'polite' });
  const submit = el('button', { class: 'primary', type: 'button', id: 'submit', disabled: true }, 'Submit');
  const left = el('span', { class: 'muted' });
  // Datasets of the project placed next to the deck (a calibration's `dataset`, a drive
  // cycle's profile): the check sees them as the job will.
  const picks = el('div', { id: 'job-datasets' });
  const chosen = () => [...picks.querySelectorAll('input:checked')].map((i) => Number(i.value));
  const withDatasets = (body) => {
    const ids = chosen();
    return ids.length ? { ...body, project: project.name, datasets: ids } : body;
  };
  main.replaceChildren(
    el('h1', {}, 'New job', project ? ` in ${project.name}` : ''),
    el('div', { class: 'filters' },
      el('label', { for: 'template' }, 'Template', tpl),
      el('button', { type: 'button', id: 'load-template', onclick: () => load(tpl.value) }, 'Load template')),
    el('div', { class: 'editor' }, gutter, area),
    status, diags,
    el('h2', {}, 'Datasets next to the deck'), picks,
    el('h2', {}, 'Resources ([job])'),
    el('div', { class: 'form' },
      el('label', { for: 'ranks' }, 'MPI ranks', ranks),
      el('label', { for: 'walltime' }, 'Walltime', wall),
      el('label', { for: 'gpus' }, 'GPUs per rank', gpus)),
    cost, left,
    el('p', {}, submit, canSubmit() ? '' : el('span', { class: 'bad' }, ' Your role in this project cannot submit jobs.')));

  let errors = [];
  function drawGutter() {
    const n = area.value.split('\n').length;
    const bad = new Map(errors.map((d) => [d.line, d.severity]));
    gutter.replaceChildren(...Array.from({ length: n }, (_, i) => {
      const s = bad.get(i + 1);
      return el('div', { class: s === 'error' ? 'err' : '' }, (s === 'error' ? '! ' : s ? '? ' : '') + (i + 1));
    }));
    gutter.scrollTop = area.scrollTop;
  }
  function goTo(line, col) {
    const lines = area.value.split('\n');
    const pos = lines.slice(0, line - 1).reduce((a, l) => a + l.length + 1, 0) + Math.max(0, col - 1);
    area.focus();
    area.setSelectionRange(pos, pos);
    area.scrollTop = Math.max(0, (line - 5) * 19.6);
  }
  let timer = null;
  let seq = 0;
  async function check() {
    const mine = ++seq;
    status.textContent = 'Checking…';
    const r = await api('POST', '/check', withDatasets({ deck: area.value }));
    if (mine !== seq) return;
    if (!r.ok) { status.textContent = (r.data && r.data.message) || 'Check failed'; return; }
    errors = r.data.diagnostics;
    const nerr = errors.filter((d) => d.severity === 'error').length;
    status.className = nerr ? 'bad' : 'ok';
    status.textContent = nerr ? `${nerr} error(s) — fix them to submit` : (errors.length ? `No errors (${errors.length} warning(s))` : 'No problems found.');
    diags.replaceChildren(...errors.map((d) => el('li', { class: d.severity === 'error' ? '' : 'warn' },
      el('button', { type: 'button', onclick: () => goTo(d.line, d.col) }, `${d.severity} at line ${d.line}, column ${d.col}: ${d.message}`),
      d.help ? el('span', { class: 'muted' }, ` — help: ${d.help}`) : '')));
    drawGutter();
    if (r.data.ok && r.data.cost) {
      cost.textContent = `This job reserves ${hours(r.data.cost.core_hours)} core-time and ${hours(r.data.cost.gpu_hours)} GPU-time (${r.data.cost.credits.toFixed(4)} credits) until it ends; actual use is charged.`;
    } else cost.textContent = '';
    submit.disabled = !(r.data.ok && canSubmit());
  }
  function changed() {
    drawGutter();
    ranks.value = jobKey(area.value, 'ranks') || '1';
    wall.value = jobKey(area.value, 'walltime') || '01:00:00';
    gpus.value = jobKey(area.value, 'gpus_per_rank') || '0';
    clearTimeout(timer);
    timer = setTimeout(check, 350);
  }
  function load(name) {
    const e = ex.find((x) => x.name === name);
    if (e) { area.value = e.deck; changed(); }
  }
  area.addEventListener('input', changed);
  area.addEventListener('scroll', () => { gutter.scrollTop = area.scrollTop; });
  for (const [input, key, quote] of [[ranks, 'ranks', false], [wall, 'walltime', true], [gpus, 'gpus_per_rank', false]]) {
    input.addEventListener('change', () => { area.value = setJobKey(area.value, key, quote ? `"${input.value}"` : input.value); changed(); });
  }
  submit.onclick = async () => {
    submit.disabled = true;
    const r = await api('POST', '/jobs', withDatasets({ project: project.name, deck: area.value }));
    if (r.status === 201) { location.href = `/portal/jobs/${r.data.id}`; return; }
    toast((r.data && r.data.message) || `Submit failed (${r.status})`);
    if (r.data && r.data.diagnostics) { errors = r.data.diagnostics; drawGutter(); }
    submit.disabled = false;
  };
  if (project && canSubmit()) {
    const d = await api('GET', `/datasets?project=${encodeURIComponent(project.name)}`);
    const rows = (d.ok && d.data.datasets) || [];
    picks.replaceChildren(...(rows.length ? rows.map((x) => el('label', {},
      el('input', { type: 'checkbox', value: String(x.id), 'data-name': x.name, onchange: () => { clearTimeout(timer); timer = setTimeout(check, 100); } }),
      ` ${x.name} (${x.rows} rows)`)) : [el('p', { class: 'muted' }, 'No datasets in this project; upload them on the Datasets page.')]));
  } else picks.replaceChildren(el('p', { class: 'muted' }, 'Members of the project can attach its datasets.'));
  if (project) {
    const u = await api('GET', `/projects/${project.id}/usage`);
    if (u.ok) left.textContent = `Left in ${u.data.month}: ${hours(u.data.left.core_hours)} core, ${hours(u.data.left.gpu_hours)} GPU (plan ${u.data.plan}).`;
  }
  load(ex[0] && ex[0].name);
}
