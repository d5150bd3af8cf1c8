// The operator dashboard: login, then the inbox, a case, the field view
// and the walk-in form, by the address's #fragment.
import { api, get, post, setCsrf, ApiError } from './api.js';
import { t, getLang, setLang } from './i18n.js';
import { el, clear, armSound, setTiles } from './util.js';
import { inboxView } from './inbox.js';
import { caseView } from './case.js';
import { fieldView } from './field.js';
import { reportView } from './report.js';
import { reportsView, REPORT_ROLES } from './reports.js';
import { accountView } from './account.js';
import { laporView } from './lapor.js';
import { hotspotsView } from './hotspots.js';
import { setUser } from './outbox.js';
import { installShortcuts, resetShortcuts } from './keys.js';

export const state = { me: null, ref: null };

const view = () => document.getElementById('view');
let cleanup = null;

export function flash(msg, kind) {
  const a = document.getElementById('alert');
  a.textContent = msg;
  a.className = 'alert ' + (kind || 'error');
  a.hidden = !msg;
  if (msg && kind === 'ok') setTimeout(() => { if (a.textContent === msg) a.hidden = true; }, 4000);
}

// The answers the service worker keeps for offline use hold personal data
// (the reporter's phone on a task): they go when the session does.
const OFFLINE_CACHE = 'aduan-api-v1';
function signedIn(me) {
  state.me = me;
  setCsrf(me ? me.csrf_token : null);
  setUser(me ? me.user.id : null);
  if (!me && window.caches) caches.delete(OFFLINE_CACHE).catch(() => {});
}

// The user's role names, and helpers on them.
export function roles() { return (state.me ? state.me.roles : []).map((r) => r.role); }
export const isDesk = () => roles().some((r) => ['superadmin', 'admin', 'supervisor'].includes(r));
export const isField = () => roles().includes('field');
export const canReport = () => roles().some((r) => REPORT_ROLES.includes(r));
// A role that must use two-step verification, not set up yet: only the
// account page works until it is (issue 19).
const mustEnrol = () => !!(state.me && state.me.two_factor && state.me.two_factor.must_enrol);

async function loadRef() {
  const [cats, teams, regions, agencies, settings] = await Promise.all([
    get('/api/v1/categories'), get('/api/v1/teams'), get('/api/v1/regions'), get('/api/v1/agencies'),
    get('/api/v1/dashboard/settings'),
  ]);
  setTiles(settings.tile_url);
  state.ref = { categories: cats.items, teams: teams.items, regions: regions.items, agencies: agencies.items };
}

function header() {
  const top = document.getElementById('top');
  top.hidden = !state.me;
  document.getElementById('skip').textContent = t('skip');
  if (!state.me) return;
  const nav = clear(document.getElementById('nav'));
  nav.setAttribute('aria-label', t('inbox'));
  const links = [];
  if (!isField() || isDesk()) links.push(['#/inbox', t('inbox')]);
  if (isField()) links.push(['#/field', t('field')]);
  if (isDesk()) links.push(['#/new', t('new_report')]);
  if (isDesk()) links.push(['#/lapor', t('lapor_worklist')]);
  if (roles().some((r) => r === 'admin' || r === 'superadmin')) links.push(['/admin/', t('administration')]);
  if (canReport()) links.push(['#/reports', t('reports')]);
  if (canReport()) links.push(['#/hotspots', t('hotspots')]);
  links.push(['#/account', getLang() === 'en' ? 'Account' : 'Akun']);
  const here = location.hash.split('?')[0];
  for (const [href, label] of links)
    nav.append(el('a', { href, 'aria-current': here === href ? 'page' : null }, label));
  const agencies = [...new Set(state.me.roles.map((r) => r.agency_name).filter(Boolean))];
  document.getElementById('who').textContent = state.me.user.name +
    (agencies.length ? ' · ' + agencies.join(', ') : '') + ' · ' + [...new Set(roles())].map((r) => t('role_' + r)).join(', ');
  document.getElementById('lang').textContent = t('switch_lang');
  document.getElementById('logout').textContent = t('logout');
}

function loginView(root) {
  const err = el('p', { class: 'error', role: 'alert', id: 'login-error' });
  const form = el('form', { class: 'card login', id: 'login-form', novalidate: true },
    el('h1', {}, t('login_title')),
    el('label', { for: 'login-name' }, t('login')),
    el('input', { id: 'login-name', name: 'login', autocomplete: 'username', required: true, autocapitalize: 'none' }),
    el('label', { for: 'login-password' }, t('password')),
    el('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    // Two-step verification (issue 19): shown when the server asks for it.
    el('div', { id: 'login-code-box', hidden: true },
      el('label', { for: 'login-code' }, getLang() === 'en' ? 'Verification code (or a recovery code)' : 'Kode verifikasi (atau kode pemulihan)'),
      el('input', { id: 'login-code', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '12' })),
    err,
    el('button', { type: 'submit', class: 'primary' }, t('sign_in')),
    el('p', {}, el('button', { type: 'button', class: 'link', onclick: () => { setLang(getLang() === 'en' ? 'id' : 'en'); route(); } }, t('switch_lang'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    try {
      const codeBox = form.querySelector('#login-code-box');
      const body = { login: form.elements.login.value.trim(), password: form.elements.password.value };
      if (!codeBox.hidden && form.elements.code.value.trim()) body.code = form.elements.code.value.trim();
      signedIn(await post('/api/v1/auth/login', body));
      if (mustEnrol()) {
        location.hash = '#/account';
      } else {
        await loadRef();
        location.hash = isField() && !isDesk() ? '#/field' : '#/inbox';
      }
      route();
    } catch (e) {
      if (e.code === 'totp_required' || e.code === 'totp_invalid') {
        form.querySelector('#login-code-box').hidden = false;
        form.elements.code.value = '';
        form.elements.code.focus();
      }
      err.textContent = e.message;
    }
  });
  root.append(form);
  form.elements.login.focus();
}

let routeGen = 0;

export async function route() {
  const gen = ++routeGen;
  if (cleanup) { cleanup(); cleanup = null; }
  const alert = document.getElementById('alert');
  if (!alert.classList.contains('ok')) flash('');
  // Each navigation renders into a container of its own: an older one that
  // finishes late (two quick clicks, a slow server) writes into a detached
  // node instead of next to the new page, where its scripts would act on
  // the new page's elements.
  const root = el('div', { class: 'route' });
  clear(view()).append(root);
  document.documentElement.lang = getLang();
  if (!state.me) {
    try {
      signedIn(await get('/api/v1/me'));
      if (!mustEnrol()) await loadRef();
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) flash(e.message);
    }
  }
  header();
  if (!state.me) return loginView(root);
  const hash = mustEnrol() ? '#/account' : location.hash || (isField() && !isDesk() ? '#/field' : '#/inbox');
  const m = hash.match(/^#\/case\/(\d+)$/);
  let done = null;
  try {
    if (hash.startsWith('#/account')) {
      done = await accountView(root, state.me, async () => {
        state.me = null; // read /api/v1/me again: the dashboard opens
        location.hash = '#/inbox';
        await route();
      }, () => window.dispatchEvent(new Event('aduan:session-ended')));
    } else if (m) done = await caseView(root, Number(m[1]));
    else if (hash.startsWith('#/field')) done = await fieldView(root);
    else if (hash.startsWith('#/new')) done = await reportView(root);
    else if (hash.startsWith('#/reports')) done = await reportsView(root);
    else if (hash.startsWith('#/lapor')) done = await laporView(root);
    else if (hash.startsWith('#/hotspots')) done = await hotspotsView(root);
    else done = await inboxView(root);
  } catch (e) {
    root.append(el('p', { class: 'error', role: 'alert' }, e.message));
  }
  if (gen !== routeGen) { // overtaken: stop its timers, keep the newer page's
    if (done) done();
    return;
  }
  cleanup = done;
  // Keyboard and screen-reader users land on the new content.
  if (navigated) { navigated = false; view().focus({ preventScroll: true }); }
}

let navigated = false;

document.getElementById('lang').addEventListener('click', () => { setLang(getLang() === 'en' ? 'id' : 'en'); resetShortcuts(); route(); });
document.getElementById('logout').addEventListener('click', async () => {
  try { await api('POST', '/api/v1/auth/logout', {}); } catch (_) { /* gone anyway */ }
  signedIn(null);
  location.hash = '';
  route();
});
window.addEventListener('hashchange', () => { navigated = true; route(); });
window.addEventListener('aduan:session-ended', () => {
  if (!state.me) return;
  signedIn(null);
  route();
});
armSound();
installShortcuts();
setLang(getLang());
route();
// The field app works without a signal (issue 18, sw.js). Its scope is
// /app/, the address the installed app opens.
if ('serviceWorker' in navigator)
  navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => {});
