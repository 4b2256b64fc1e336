// Shared helpers: API calls (session cookie + CSRF token), safe DOM building, formatting.

export const session = { me: null, csrf: sessionStorage.getItem('galvana_csrf') || '' };

export async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    opts.headers['content-type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  if (method !== 'GET' && session.csrf) opts.headers['x-csrf-token'] = session.csrf;
  const r = await fetch('/api/v1' + path, opts);
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (r.status === 401 && path !== '/login') {
    location.href = '/portal/login?next=' + encodeURIComponent(location.pathname + location.search);
    throw new Error('not logged in');
  }
  return { status: r.status, ok: r.ok, data };
}

/** Build an element; strings become text nodes (never HTML). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const SYMBOL = { completed: '✓', failed: '✗', submit_failed: '✗', cancelled: '■', running: '▶', pending: '…', submitting: '…', requeued: '↻', stopped: '⏸' };

/** A state as symbol and word (readable without colour). */
export function badge(state) {
  return el('span', { class: 'badge s-' + state }, (SYMBOL[state] || '?') + ' ' + state);
}

export const hours = (h) => (h === null || h === undefined) ? '–' : (Math.round(h * 1000) / 1000).toLocaleString('en') + ' h';
export const when = (t) => t ? t.replace('T', ' ').replace('Z', ' UTC') : '–';

export function toast(msg) {
  const t = document.getElementById('toast');
  t.textContent = msg;
  t.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove('show'), 5000);
}

/** The project chosen in the header (object from /me), or the first one. */
export function currentProject() {
  const ps = session.me ? session.me.projects : [];
  const want = localStorage.getItem('galvana_project');
  return ps.find((p) => p.name === want) || ps[0] || null;
}

export const canSubmit = () => { const p = currentProject(); return p && (p.role === 'member' || p.role === 'owner'); };

/** The caller's role in project `id` (`owner`, `member`, `viewer`), or null. */
export function roleIn(id) {
  const p = session.me ? session.me.projects.find((x) => x.id === id) : null;
  return p ? p.role : null;
}
export const mayChange = (id) => ['owner', 'member'].includes(roleIn(id));
