// Usage: quota meters for the month, the ledger and monthly statements (JSON and CSV).
import { api, el, currentProject, hours } from './api.js';

function meter(label, used, allowance, left, id) {
  const frac = allowance > 0 ? Math.min(1, used / allowance) : 0;
  return el('div', { class: 'meter' },
    el('div', { class: 'label', id: id + '-label' }, `${label}: ${hours(used)} used of ${hours(allowance)} — ${hours(left)} left (${(100 * frac).toFixed(1)} %)`),
    el('meter', { id, min: 0, max: 1, low: 0.7, high: 0.9, optimum: 0, value: frac, 'aria-labelledby': id + '-label' }));
}

export async function usageView(main) {
  const p = currentProject();
  if (!p) { main.replaceChildren(el('p', {}, 'You are not in any project yet.')); return; }
  const monthIn = el('input', { id: 'month', type: 'month' });
  const body = el('div');
  main.replaceChildren(el('h1', {}, `Usage — ${p.name}`), el('div', { class: 'filters' }, el('label', { for: 'month' }, 'Month', monthIn)), body);
  async function show() {
    const q = monthIn.value ? `?month=${monthIn.value}` : '';
    const u = (await api('GET', `/projects/${p.id}/usage${q}`)).data;
    if (!monthIn.value) monthIn.value = u.month;
    const parts = [
      el('p', {}, `Plan `, el('b', {}, u.plan), `, ${u.month}. Committed = charged + open reservations.`),
      meter('Core-hours', u.committed.core_hours, u.allowance.core_hours, u.left.core_hours, 'meter-core'),
      meter('GPU-hours', u.committed.gpu_hours, u.allowance.gpu_hours, u.left.gpu_hours, 'meter-gpu'),
      el('p', { class: 'muted' }, `Charged ${hours(u.charged.core_hours)} core, ${hours(u.charged.gpu_hours)} GPU; reserved by running jobs ${hours(u.reserved.core_hours)} core.`),
    ];
    const l = await api('GET', `/projects/${p.id}/ledger?month=${u.month}`);
    if (l.ok) {
      const total = l.data.entries.reduce((a, e) => a + e.amount_micro, 0);
      parts.push(el('h2', {}, 'Ledger'),
        el('table', { id: 'ledger' },
          el('thead', {}, el('tr', {}, ['#', 'When', 'Kind', 'Job', 'Core-hours', 'GPU-hours', 'Credits', 'Note'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, l.data.entries.map((e) => el('tr', {},
            el('td', { class: 'num' }, String(e.id)), el('td', {}, e.created_at.replace('T', ' ').replace('Z', '')), el('td', {}, e.kind),
            el('td', {}, e.job_id ? el('a', { href: `/portal/jobs/${e.job_id}` }, String(e.job_id)) : '–'),
            el('td', { class: 'num' }, e.core_hours.toFixed(4)), el('td', { class: 'num' }, e.gpu_hours.toFixed(4)),
            el('td', { class: 'num' }, (e.amount_micro / 1e6).toFixed(6)), el('td', {}, e.note)))),
          el('tfoot', {}, el('tr', {}, el('th', { colspan: 6 }, 'Total'), el('th', { class: 'num' }, (total / 1e6).toFixed(6)), el('th', {})))));
      const months = (await api('GET', `/projects/${p.id}/statements`)).data.months;
      parts.push(el('h2', {}, 'Monthly statements'), el('ul', { id: 'statements' }, months.map((m) => el('li', {}, `${m}: `,
        el('a', { href: `/api/v1/projects/${p.id}/statements/${m}` }, 'JSON'), ' · ',
        el('a', { href: `/api/v1/projects/${p.id}/statements/${m}.csv`, download: `statement-${p.name}-${m}.csv` }, 'CSV')))));
    } else {
      parts.push(el('p', { class: 'muted' }, 'The ledger and statements are visible to members and owners.'));
    }
    body.replaceChildren(...parts);
  }
  monthIn.onchange = show;
  await show();
}
