// Job lists (live), campaigns, sweeps.
import { api, el, badge, when, hours, currentProject, mayChange, toast } from './api.js';

const ACTIVE = ['submitting', 'pending', 'running', 'requeued'];

function jobRow(j, onCancel) {
  const link = j.kind === 'sweep' ? `/portal/sweeps/${j.id}` : `/portal/jobs/${j.id}`;
  const cancel = ACTIVE.includes(j.state) && mayChange(j.project_id)
    ? el('button', { class: 'danger', type: 'button', 'aria-label': `Cancel job ${j.id}`, onclick: () => onCancel(j) }, 'Cancel')
    : '';
  return el('tr', { 'data-job': j.id },
    el('td', { class: 'num' }, el('a', { href: link }, String(j.id))),
    el('td', {}, el('a', { href: link }, j.name)),
    el('td', {}, badge(j.state), j.reason ? el('div', { class: 'muted' }, j.reason) : ''),
    el('td', {}, j.kind === 'sweep' ? `sweep × ${j.array_tasks}` : 'run'),
    el('td', { class: 'num' }, String(j.ranks)),
    el('td', {}, j.user),
    el('td', {}, when(j.submitted_at)),
    el('td', {}, when(j.ended_at)),
    el('td', {}, cancel));
}

/** A live table of jobs: filters, cancel, refreshed every 2 s without reloading. */
export async function jobsView(main, kind = '', title = 'Jobs') {
  const project = currentProject();
  const state = el('select', { id: 'f-state' }, ['', 'pending', 'running', 'requeued', 'completed', 'failed', 'cancelled', 'stopped'].map((s) => el('option', { value: s }, s || 'any')));
  const name = el('input', { id: 'f-name', type: 'search', placeholder: 'part of the name' });
  const body = el('tbody');
  const info = el('p', { class: 'muted', 'aria-live': 'polite' });
  main.replaceChildren(
    el('h1', {}, title, project ? ` — ${project.name}` : ''),
    el('div', { class: 'filters' },
      el('label', { for: 'f-state' }, 'State', state),
      el('label', { for: 'f-name' }, 'Name', name),
      el('a', { href: '/portal/new' }, 'New job…')),
    el('table', { id: 'jobs' },
      el('thead', {}, el('tr', {}, ['Id', 'Name', 'State', 'Kind', 'Ranks', 'User', 'Submitted', 'Ended', ''].map((h) => el('th', { scope: 'col' }, h)))),
      body),
    info);
  const cancel = async (j) => {
    if (!confirm(`Cancel job ${j.id} (${j.name})?`)) return;
    const r = await api('POST', `/jobs/${j.id}/cancel`);
    toast(r.ok ? `Cancelling job ${j.id}` : (r.data && r.data.message) || 'Cancel failed');
    refresh();
  };
  async function refresh() {
    const q = new URLSearchParams();
    if (project) q.set('project', project.name);
    if (state.value) q.set('state', state.value);
    if (kind) q.set('kind', kind);
    const r = await api('GET', '/jobs?' + q);
    const needle = name.value.trim().toLowerCase();
    const jobs = r.data.jobs.filter((j) => !needle || j.name.toLowerCase().includes(needle));
    body.replaceChildren(...jobs.map((j) => jobRow(j, cancel)));
    info.textContent = `${jobs.length} job(s); updated ${new Date().toLocaleTimeString()}`;
  }
  state.onchange = refresh;
  name.oninput = refresh;
  await refresh();
  setInterval(refresh, 2000);
}

export const campaignsView = (main) => jobsView(main, 'run', 'Campaigns');
export const sweepsView = (main) => jobsView(main, 'sweep', 'Sweeps');

/** A sweep: one row per task with its parameters, state, segments and final monitors. */
export async function sweepView(main, id) {
  const r = await api('GET', `/sweeps/${id}`);
  if (!r.ok) { main.replaceChildren(el('p', { class: 'bad' }, (r.data && r.data.message) || 'Not found')); return; }
  const tasks = r.data.sweep.tasks;
  const params = [...new Set(tasks.flatMap((t) => Object.keys(t.params || {})))];
  const outcome = [...new Set(tasks.flatMap((t) => Object.keys(t.outcome || {})))].filter((k) => k !== 'time_s').slice(0, 6);
  const fmt = (v) => typeof v === 'number' ? Number(v.toPrecision(6)).toString() : (v === undefined || v === null ? '–' : String(v));
  main.replaceChildren(
    el('h1', {}, `Sweep ${id}: `, badge(r.data.sweep.status)),
    r.data.sweep.reason ? el('p', { class: 'bad' }, r.data.sweep.reason) : '',
    el('table', { id: 'sweep' },
      el('thead', {}, el('tr', {}, ['Task', ...params, 'State', 'Segments', 'Restarts', 'Time reached', ...outcome].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, tasks.map((t) => el('tr', {},
        el('td', { class: 'num' }, String(t.task)),
        params.map((p) => el('td', { class: 'num' }, fmt(t.params[p]))),
        el('td', {}, badge(t.status), t.reason ? el('div', { class: 'muted' }, t.reason) : ''),
        el('td', { class: 'num' }, String(t.segments.length)),
        el('td', { class: 'num' }, String(t.restarts)),
        el('td', { class: 'num' }, fmt(t.sim_time)),
        outcome.map((k) => el('td', { class: 'num' }, fmt((t.outcome || {})[k]))))))),
    el('p', {}, el('a', { href: `/portal/jobs/${id}` }, 'Files, output and stream of task 0')));
}

export { hours };
