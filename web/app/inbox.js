// The inbox: the cases of the user's agencies, newest first, with filters,
// text search, cursor pages, the views "Milik saya / Belum ditugaskan /
// Semua" with their unread counts, and live updates from the event stream
// (a slow poll stays as the fallback): new arrivals show at once (an
// emergency rings and shows a banner), changed rows are redrawn.
import { api, get, qs } from './api.js';
import { t, getLang } from './i18n.js';
import { el, clear, age, beep, when } from './util.js';
import { state, flash, isDesk } from './app.js';
import { slaBadge, stageLabel, agenciesWith } from './sla.js';
import { laporFilter, laporClassFilter } from './lapor.js';
import { subscribe, debounce, viewSwitch } from './live.js';
import { savedFilters, bulkBar } from './ops.js';
import { pageKeys, shortcutsHint } from './keys.js';

const STATUSES = ['received', 'verified', 'dispatched', 'in_progress', 'resolved', 'closed',
  'rejected', 'forwarded', 'on_hold', 'reopened', 'submitted', 'incomplete', 'checking',
  'processing', 'issued'];

let filters = {};

// The inbox's current filters (the reports view exports with them).
export function currentFilters() { return { ...filters }; }

// The CSV export of the cases matching `f`, in the dashboard's language.
export function exportUrl(f) {
  return '/api/v1/cases/export.csv' + qs({ ...f, lang: getLang() === 'en' ? 'en' : null });
}

// Who sees the SLA attention panel: the desk and the leadership.
const ATTENTION_ROLES = ['superadmin', 'admin', 'supervisor', 'viewer'];

// The stream brings changes; the poll only covers a stream that is down.
function pollMs() {
  try { return Number(localStorage.getItem('aduan.pollMs')) || 60000; } catch (_) { return 60000; }
}

function select(name, label, options, value) {
  const id = 'f-' + name;
  return el('div', { class: 'field' },
    el('label', { for: id }, label),
    el('select', { id, name },
      el('option', { value: '' }, t('all')),
      options.map(([v, l]) => el('option', { value: v, selected: String(value || '') === String(v) }, l))));
}

export function channelLabel(c) { return t('ch_' + c) !== 'ch_' + c ? t('ch_' + c) : c; }

// The channels a case or a message comes on (issue 16 §4), each with a
// small inline icon (24×24 strokes; no font, no CDN).
export const CHANNELS = ['whatsapp', 'telegram', 'email', 'web', 'open311', 'walk_in', 'phone', 'forward'];
const ICONS = {
  whatsapp: 'M3.5 20.5l1.3-4.3A8.5 8.5 0 1 1 8 19.4z M9 8.5c0 3.5 3 6.5 6.5 6.5l1-1.7-2-1-1 .8c-1-.5-2-1.5-2.5-2.5l.8-1-1-2z',
  telegram: 'M21 4L3 11l6 2.2L17 7.5l-6 6.8 6.5 5.2z M9 13.2v5.3l2.5-3',
  email: 'M3 6h18v12H3z M3 6l9 7 9-7',
  web: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M3 12h18 M12 3c3 2.5 3 15.5 0 18 M12 3c-3 2.5-3 15.5 0 18',
  open311: 'M8 4H5v16h3 M16 4h3v16h-3 M9 9h6 M9 12h6 M9 15h4',
  walk_in: 'M12 3a3 3 0 1 0 0 6a3 3 0 1 0 0-6z M5 21v-4a7 7 0 0 1 14 0v4',
  phone: 'M6 3h3l2 5-2.2 1.5a11 11 0 0 0 5.7 5.7L16 13l5 2v3a2 2 0 0 1-2 2A16 16 0 0 1 4 5a2 2 0 0 1 2-2z',
  forward: 'M4 12h15 M13 6l6 6-6 6',
};
export function channelIcon(c) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const p = document.createElementNS(ns, 'path');
  p.setAttribute('d', ICONS[c] || ICONS.web);
  svg.append(p);
  return svg;
}
// An icon with the channel's name beside it (short) or for screen readers.
export function channelChip(c, withName) {
  const name = channelLabel(c);
  return el('span', { class: 'chan chan-' + c, 'data-channel': c, title: name },
    channelIcon(c), el('span', { class: withName ? 'chan-name' : 'sr-only' }, name));
}

export function caseRow(c, fresh) {
  const lang = getLang();
  const emergency = c.kind === 'emergency';
  return el('tr', { class: (fresh ? 'fresh ' : '') + (emergency ? 'emergency ' : '') + (c.unread ? 'unread' : ''),
    'data-id': c.id },
    el('td', {}, el('a', { href: '#/case/' + c.id, class: 'code' }, c.tracking_code),
      c.unread ? el('span', { class: 'unread-dot', title: t('unread'), 'aria-label': t('unread') }) : null,
      emergency ? el('span', { class: 'badge danger' }, t('emergency')) : null),
    el('td', {}, el('span', { class: 'status s-' + c.status }, c.status_label)),
    el('td', { class: 'sla-cell' }, slaBadge(c.sla_state, c.sla && c.sla.due_at
      ? t('sla_due') + ' ' + when(c.sla.due_at, lang) : null) || el('span', { class: 'muted' }, '—')),
    el('td', {}, c.category ? c.category.name : '—'),
    el('td', { class: 'desc' }, (c.description || '').slice(0, 90)),
    el('td', { class: 'kec' }, c.kecamatan ? c.kecamatan.name || c.kecamatan.code : '—'),
    el('td', { title: c.created_at }, age(c.created_at, lang)),
    el('td', { class: 'chan-cell' }, channelChip(c.channel, true)),
    el('td', {}, c.team ? c.team.name : '—'),
    el('td', { class: 'assignee' }, c.assignee ? c.assignee.name : '—'));
}

export async function inboxView(root) {
  const ref = state.ref;
  const params = () => ({ ...filters, limit: 50 });
  const resetBtn = el('button', { type: 'button', id: 'f-reset' }, t('reset'));
  const exportLink = el('a', { class: 'button', id: 'export-csv', href: exportUrl(filters), download: '' }, t('export_csv'));
  const form = el('form', { class: 'filters', id: 'filters', role: 'search' },
    select('status', t('status'), STATUSES.map((s) => [s, t('s_' + s)]), filters.status),
    select('category', t('category'), ref.categories
      .filter((k) => state.me.roles.some((r) => r.agency_id === 0 || r.agency_id === k.agency_id))
      .map((k) => [k.id, getLang() === 'en' ? k.name_en : k.name_id]), filters.category),
    select('team', t('team'), ref.teams.map((x) => [x.id, x.name]), filters.team),
    select('kecamatan', t('kecamatan'), ref.regions.map((g) => [g.code, g.name]), filters.kecamatan),
    laporFilter(filters.lapor),
    laporClassFilter(filters.lapor_class),
    select('channel', t('channel'), CHANNELS.map((c) => [c, channelLabel(c)]), filters.channel),
    el('div', { class: 'field' }, el('label', { for: 'f-from' }, t('from')),
      el('input', { id: 'f-from', name: 'from', type: 'date', value: filters.from || '' })),
    el('div', { class: 'field' }, el('label', { for: 'f-to' }, t('to')),
      el('input', { id: 'f-to', name: 'to', type: 'date', value: filters.to || '' })),
    el('div', { class: 'field grow' }, el('label', { for: 'f-q' }, t('search')),
      el('input', { id: 'f-q', name: 'q', type: 'search', placeholder: t('search_ph'), value: filters.q || '' })),
    el('div', { class: 'field buttons' },
      el('button', { type: 'submit', class: 'primary' }, t('apply')),
      resetBtn, exportLink));
  const banner = el('div', { class: 'banner', id: 'banner', role: 'status', 'aria-live': 'assertive', hidden: true });
  const tbody = el('tbody', { id: 'cases' });
  // Issue 18 (ops2): the cases shown, by id (the bulk bar names them), a
  // checkbox per row for the desk's bulk actions.
  const shown = new Map();
  const bulk = isDesk() ? bulkBar((id) => shown.get(id), () => poll()) : null;
  const row = (c, fresh) => {
    shown.set(c.id, c);
    const tr = caseRow(c, fresh);
    if (bulk) tr.prepend(bulk.pickCell(c));
    return tr;
  };
  const table = el('table', { class: 'cases' },
    el('caption', { class: 'sr-only' }, t('inbox')),
    el('thead', {}, el('tr', {}, bulk ? bulk.pickAll() : null, [t('code'), t('status'), t('sla'), t('category'), t('description'),
      t('kecamatan'), t('age'), t('channel'), t('team'), t('assignee')].map((h) => el('th', { scope: 'col' }, h)))),
    tbody);
  const more = el('button', { type: 'button', id: 'more', hidden: true }, t('more'));
  const empty = el('p', { class: 'muted', hidden: true }, t('none'));
  // What the search box matched exactly (a code, a number, a LAPOR! id).
  const matched = el('p', { class: 'muted', id: 'matched', hidden: true });
  const attention = attentionPanel();
  const views = viewSwitch(filters.assignee, (v) => {
    if (v) filters.assignee = v;
    else delete filters.assignee;
    inboxReload();
  });
  // A saved filter: the form and the views show it, the list follows.
  const saved = savedFilters(() => ({ ...filters }), (q) => {
    filters = q;
    for (const s of form.querySelectorAll('select, input')) s.value = filters[s.name] || '';
    for (const b of views.node.children) b.setAttribute('aria-pressed', String(b.value === (filters.assignee || '')));
    inboxReload();
  });
  root.append(el('h1', { class: 'sr-only' }, t('inbox')),
    el('div', { class: 'views-row' }, views.node, saved.node), form, attention ? attention.node : null, banner,
    matched, bulk ? bulk.node : null, el('div', { class: 'table-wrap' }, table), empty, more, el('p', {}, shortcutsHint()));

  let cursor = null;
  let maxId = 0;
  let stopped = false;

  async function page(first) {
    const j = await get('/api/v1/cases' + qs({ ...params(), cursor: first ? null : cursor }));
    if (first) clear(tbody);
    for (const c of j.items) {
      tbody.append(row(c, false));
      if (c.id > maxId) maxId = c.id;
    }
    cursor = j.next_cursor;
    if (first) {
      matched.hidden = !j.matched;
      matched.textContent = j.matched ? t('matched_' + j.matched) : '';
    }
    more.hidden = !cursor;
    empty.hidden = tbody.children.length > 0;
    if (bulk) bulk.sync();
    if (first) cur = -1;
  }

  function inboxReload() {
    maxId = 0;
    exportLink.href = exportUrl(filters);
    page(true).catch((e) => flash(e.message));
    views.load(filters);
    saved.mark();
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    filters = filters.assignee ? { assignee: filters.assignee } : {};
    for (const [k, v] of new FormData(form).entries()) if (v) filters[k] = v;
    inboxReload();
  });
  resetBtn.addEventListener('click', () => {
    filters = filters.assignee ? { assignee: filters.assignee } : {};
    for (const s of form.querySelectorAll('select, input')) s.value = '';
    inboxReload();
  });
  more.addEventListener('click', () => page(false).catch((e) => flash(e.message)));

  async function poll() {
    if (stopped) return;
    try {
      const j = await get('/api/v1/cases' + qs(params()));
      // Rows already shown are redrawn (status, owner, unread).
      for (const c of j.items) {
        const old = tbody.querySelector('tr[data-id="' + c.id + '"]');
        if (old && c.id <= maxId) {
          const again = row(c, old.classList.contains('fresh'));
          if (old.classList.contains('current')) again.classList.add('current');
          old.replaceWith(again);
        }
      }
      const fresh = j.items.filter((c) => c.id > maxId).reverse();
      for (const c of fresh) {
        tbody.prepend(row(c, true));
        maxId = Math.max(maxId, c.id);
      }
      if (fresh.length) {
        empty.hidden = true;
        const urgent = fresh.filter((c) => c.kind === 'emergency');
        banner.hidden = false;
        banner.className = 'banner' + (urgent.length ? ' danger' : '');
        banner.textContent = urgent.length
          ? t('emergency_arrived') + ': ' + urgent.map((c) => c.tracking_code).join(', ')
          : fresh.length + ' ' + t('new_cases');
        if (urgent.length) beep();
        document.title = '(' + fresh.length + ') aduan';
      }
    } catch (_) { /* the next poll tries again */ }
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(poll, pollMs());
  }
  // Keyboard (issue 18): j/k move the current row, Enter opens it, x
  // selects it, / searches, a takes it (the desk).
  let cur = -1;
  const rows = () => [...tbody.querySelectorAll('tr[data-id]')];
  const move = (d) => {
    const all = rows();
    if (!all.length) return;
    cur = Math.max(0, Math.min(all.length - 1, cur + d));
    for (const r of all) r.classList.remove('current');
    all[cur].classList.add('current');
    const a = all[cur].querySelector('a.code');
    if (a) a.focus();
  };
  const current = () => (cur >= 0 ? rows()[cur] : null);
  const unkeys = pageKeys({
    j: () => move(1),
    k: () => move(-1),
    Enter: () => { const r = current(); if (!r) return false; location.hash = '#/case/' + r.dataset.id; },
    x: () => { const r = current(); if (!r || !bulk) return false; bulk.toggle(Number(r.dataset.id)); },
    '/': () => { const q = form.querySelector('#f-q'); q.focus(); q.select(); },
    a: async () => {
      const r = current();
      if (!r || !isDesk()) return false;
      try {
        await api('PUT', '/api/v1/cases/' + r.dataset.id + '/assignee', { user_id: state.me.user.id });
        flash(t('done_ok'), 'ok');
        poll();
      } catch (e) { flash(e.message); }
    },
  });
  await page(true);
  let timer = setTimeout(poll, pollMs());
  views.load(filters);
  if (attention) attention.load();
  const attTimer = attention ? setInterval(() => attention.load(), 60000) : null;
  // Live: any change of a case the user may see refreshes the list's head
  // and the views' counts (a burst makes one refresh).
  const refresh = debounce(() => { poll(); views.load(filters); }, 200);
  const unsub = subscribe((ev) => { if (ev.kind !== 'presence') refresh(); });
  return () => {
    stopped = true;
    unsub();
    unkeys();
    clearTimeout(timer);
    if (attTimer) clearInterval(attTimer);
    document.title = 'aduan — Dasbor';
  };
}

// The open cases whose current step is due soon or overdue
// (GET /api/v1/sla/attention), earliest deadline first, per agency.
function attentionPanel() {
  const agencies = agenciesWith(state.me, state.ref, ATTENTION_ROLES);
  if (!agencies.length) return null;
  const lang = getLang();
  let want = '';
  let items = [];
  const counts = el('span', { class: 'counts', id: 'attention-counts' });
  const list = el('tbody', { id: 'attention-list' });
  const none = el('p', { class: 'muted', hidden: true }, t('attention_none'));
  const chooser = el('div', { class: 'seg', role: 'group', 'aria-label': t('attention') });
  const draw = () => {
    clear(list);
    const shown = items.filter((x) => !want || x.sla_state === want);
    for (const x of shown) {
      list.append(el('tr', { 'data-id': x.id, 'data-sla': x.sla_state },
        el('td', {}, el('a', { href: '#/case/' + x.id, class: 'code' }, x.tracking_code),
          x.kind === 'emergency' ? el('span', { class: 'badge danger' }, t('emergency')) : null),
        el('td', {}, slaBadge(x.sla_state)),
        el('td', {}, stageLabel(x.stage)),
        el('td', {}, when(x.due_at, lang)),
        agencies.length > 1 ? el('td', {}, x.agency_name) : null));
    }
    none.hidden = shown.length > 0;
    const over = items.filter((x) => x.sla_state === 'overdue').length;
    counts.textContent = ' · ' + over + ' ' + t('att_overdue').toLowerCase() + ', ' +
      (items.length - over) + ' ' + t('att_due_soon').toLowerCase();
    for (const b of chooser.children) b.setAttribute('aria-pressed', String(b.value === want));
  };
  for (const [v, label] of [['', t('att_all')], ['overdue', t('att_overdue')], ['due_soon', t('att_due_soon')]])
    chooser.append(el('button', { type: 'button', value: v, 'aria-pressed': String(v === want),
      onclick: () => { want = v; draw(); } }, label));
  const node = el('details', { class: 'card attention', id: 'attention', open: true },
    el('summary', {}, el('strong', {}, t('attention')), counts),
    chooser,
    el('div', { class: 'table-wrap' }, el('table', { class: 'cases' },
      el('thead', {}, el('tr', {}, [t('code'), t('sla'), t('sla_stage'), t('sla_due'),
        agencies.length > 1 ? t('agency') : null].filter(Boolean).map((h) => el('th', { scope: 'col' }, h)))),
      list)),
    none);
  async function load() {
    try {
      const all = [];
      for (const a of agencies) {
        const j = await get('/api/v1/sla/attention' + qs({ agency: a.id }));
        for (const x of j.items) all.push({ ...x, agency_name: a.name });
      }
      all.sort((a, b) => Date.parse(a.due_at || 0) - Date.parse(b.due_at || 0));
      items = all;
      draw();
    } catch (e) { flash(e.message); }
  }
  return { node, load };
}
