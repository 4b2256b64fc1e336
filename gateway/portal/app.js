// The portal's entry: log-in page, header (project switcher), and the view for the path.
import { api, session, el, currentProject } from './api.js';
import { jobsView, campaignsView, sweepsView, sweepView } from './jobs.js';
import { jobView } from './job.js';
import { editorView } from './editor.js';
import { usageView } from './usage.js';
import { datasetsView, datasetView } from './datasets.js';

const main = document.getElementById('main');

function loginView() {
  const user = el('input', { id: 'user', name: 'user', autocomplete: 'username', required: true });
  const pass = el('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const msg = el('p', { role: 'alert', class: 'bad' });
  const form = el('form', { class: 'login', onsubmit: async (e) => {
    e.preventDefault();
    const r = await api('POST', '/login', { user: user.value, password: pass.value });
    if (!r.ok) { msg.textContent = (r.data && r.data.message) || 'Log-in failed'; return; }
    sessionStorage.setItem('galvana_csrf', r.data.csrf_token);
    const next = new URLSearchParams(location.search).get('next');
    location.href = next && next.startsWith('/portal/') ? next : '/portal/jobs';
  } },
  el('h1', {}, 'Galvana — log in'),
  el('label', { for: 'user' }, 'User', user),
  el('label', { for: 'password' }, 'Password', pass),
  msg,
  el('button', { class: 'primary', type: 'submit' }, 'Log in'));
  main.replaceChildren(form);
  user.focus();
}

async function header() {
  const r = await api('GET', '/me');
  session.me = r.data;
  if (r.data.csrf_token) { session.csrf = r.data.csrf_token; sessionStorage.setItem('galvana_csrf', session.csrf); }
  document.getElementById('top').hidden = false;
  document.getElementById('whoami').textContent = r.data.user;
  const sel = document.getElementById('project');
  const cur = currentProject();
  sel.replaceChildren(...r.data.projects.map((p) => el('option', { value: p.name, selected: cur && p.name === cur.name }, `${p.name} (${p.role})`)));
  sel.onchange = () => { localStorage.setItem('galvana_project', sel.value); location.reload(); };
  document.getElementById('logout').onclick = async () => {
    await api('POST', '/logout');
    sessionStorage.removeItem('galvana_csrf');
    location.href = '/portal/login';
  };
  const section = location.pathname.split('/')[2] || 'jobs';
  for (const a of document.querySelectorAll('header nav a')) {
    if (a.dataset.nav === section) a.setAttribute('aria-current', 'page');
  }
}

async function route() {
  const p = location.pathname.replace(/\/+$/, '');
  if (p === '/portal/login') return loginView();
  await header();
  let m;
  if (p === '/portal' || p === '/portal/jobs') return jobsView(main);
  if ((m = p.match(/^\/portal\/jobs\/(\d+)$/))) return jobView(main, Number(m[1]));
  if (p === '/portal/new') return editorView(main);
  if (p === '/portal/campaigns') return campaignsView(main);
  if (p === '/portal/sweeps') return sweepsView(main);
  if ((m = p.match(/^\/portal\/sweeps\/(\d+)$/))) return sweepView(main, Number(m[1]));
  if (p === '/portal/usage') return usageView(main);
  if (p === '/portal/datasets') return datasetsView(main);
  if ((m = p.match(/^\/portal\/datasets\/(\d+)$/))) return datasetView(main, Number(m[1]));
  main.replaceChildren(el('h1', {}, 'Not found'), el('p', {}, el('a', { href: '/portal/jobs' }, 'Back to jobs')));
}

route().catch((e) => { if (e.message !== 'not logged in') main.replaceChildren(el('p', { class: 'bad' }, 'Error: ' + e.message)); });
