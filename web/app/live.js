// The operators' live workspace (issue 18): one event stream per session
// (GET /api/v1/events, server-sent events; EventSource reconnects by itself
// and resumes with Last-Event-ID), a case's owner, the inbox's views with
// unread counts, and who is looking at a case now.
import { api, get, post, qs } from './api.js';
import { t } from './i18n.js';
import { el, clear } from './util.js';
import { state, flash } from './app.js';

const KINDS = ['case', 'created', 'emergency', 'message', 'attachment', 'presence'];
let source = null;
const listeners = new Set();

function tell(d) {
  for (const fn of [...listeners]) {
    try { fn(d); } catch (_) { /* one listener's error is not the others' */ }
  }
}

function open() {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/v1/events');
  // Connected (again): what changed before is not in the stream; each
  // listener reads its own state once ({kind: 'open'}).
  source.addEventListener('open', () => tell({ kind: 'open' }));
  for (const k of KINDS) {
    source.addEventListener(k, (ev) => {
      let d = null;
      try { d = JSON.parse(ev.data); } catch (_) { return; }
      tell(d);
    });
  }
}

// Calls fn({id, kind, agency_id, case_id, at}) for each event the user may
// see, and fn({kind: 'open'}) when the stream (re)connects; returns the
// unsubscribe. The stream stays open while anyone listens.
export function subscribe(fn) {
  listeners.add(fn);
  open();
  return () => {
    listeners.delete(fn);
    if (!listeners.size && source) {
      source.close();
      source = null;
    }
  };
}

// fn after `ms` of quiet: a burst of events makes one refresh.
export function debounce(fn, ms) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

function desk(agencyId) {
  return state.me.roles.some((r) => (r.agency_id === 0 || r.agency_id === agencyId) &&
    ['superadmin', 'admin', 'supervisor'].includes(r.role));
}

// ---- the inbox's views -------------------------------------------------------

export const VIEWS = [['me', 'view_mine'], ['none', 'view_none'], ['', 'view_all']];

// The "Milik saya / Belum ditugaskan / Semua" switch with each view's
// unread count; onPick(assignee) when one is chosen. load(filters)
// refreshes the counts.
export function viewSwitch(current, onPick) {
  const bar = el('div', { class: 'seg views', role: 'group', id: 'views', 'aria-label': t('views') });
  const badges = {};
  for (const [v, key] of VIEWS) {
    const badge = el('span', { class: 'count', id: 'unread-' + (v || 'all'), hidden: true });
    badges[v] = badge;
    bar.append(el('button', { type: 'button', value: v, id: 'view-' + (v || 'all'),
      'aria-pressed': String((current || '') === v), onclick: () => {
        for (const b of bar.children) b.setAttribute('aria-pressed', String(b.value === v));
        onPick(v);
      } }, t(key), ' ', badge));
  }
  async function load(filters) {
    try {
      const f = { ...filters };
      delete f.assignee;
      const j = await get('/api/v1/inbox/counts' + qs(f));
      for (const [v, n] of [['me', j.unread.mine], ['none', j.unread.none], ['', j.unread.all]]) {
        badges[v].textContent = String(n);
        badges[v].hidden = n === 0;
        badges[v].title = n + ' ' + t('unread');
      }
    } catch (_) { /* the next event tries again */ }
  }
  return { node: bar, load };
}

// ---- a case's owner --------------------------------------------------------------

// The <dt>/<dd> pair of the case's facts: its owner, with a picker for the
// agency's desk (PUT /api/v1/cases/{id}/assignee).
export function assigneeFacts(c, done) {
  const dd = el('dd', { id: 'case-assignee' },
    el('span', { id: 'assignee-name' }, c.assignee ? c.assignee.name : t('unassigned')));
  if (desk(c.agency.id)) {
    const select = el('select', { id: 'assignee-select', 'aria-label': t('assignee') },
      el('option', { value: '' }, t('unassigned')));
    const take = el('button', { type: 'button', id: 'assign-me' }, t('assign_me'));
    const apply = async (userId) => {
      try {
        await api('PUT', '/api/v1/cases/' + c.id + '/assignee', { user_id: userId });
        flash(t('done_ok'), 'ok');
        done();
      } catch (e) { flash(e.message); }
    };
    get('/api/v1/assignees' + qs({ agency: c.agency.id })).then((j) => {
      for (const u of j.items)
        select.append(el('option', { value: u.id, selected: c.assignee && c.assignee.id === u.id }, u.name));
    }).catch(() => { select.disabled = true; });
    select.addEventListener('change', () => apply(select.value ? Number(select.value) : null));
    take.addEventListener('click', () => apply(state.me.user.id));
    take.hidden = !!(c.assignee && c.assignee.id === state.me.user.id);
    dd.append(' ', select, ' ', take);
  }
  return [el('dt', {}, t('assignee')), dd];
}

// ---- presence -----------------------------------------------------------------------

const BEAT_MS = 20000;

// Who else is looking at the case: a heartbeat every 20 s, and the list
// again whenever the stream says it changed. Returns { node, stop }.
export function presencePanel(c) {
  const list = el('span', { id: 'presence-list' });
  const node = el('p', { class: 'presence', id: 'presence', role: 'status', 'aria-live': 'polite', hidden: true },
    el('span', { class: 'dot', 'aria-hidden': 'true' }), ' ', list);
  const draw = (viewers) => {
    const others = (viewers || []).filter((v) => !v.me);
    clear(list);
    node.hidden = others.length === 0;
    if (others.length)
      list.append(t('also_here') + ': ', others.map((v) => v.name).join(', '));
  };
  let stopped = false;
  const beat = async () => {
    if (stopped) return;
    try { draw((await post('/api/v1/cases/' + c.id + '/presence', {})).viewers); } catch (_) { /* next beat */ }
  };
  const refresh = debounce(async () => {
    if (stopped) return;
    try { draw((await get('/api/v1/cases/' + c.id + '/presence')).viewers); } catch (_) { /* next beat */ }
  }, 150);
  const unsub = subscribe((ev) => {
    if (ev.kind === 'open' || (ev.kind === 'presence' && ev.case_id === c.id)) refresh();
  });
  beat();
  const timer = setInterval(beat, BEAT_MS);
  return {
    node,
    // leave: the user left the case (not a redraw): the others see it at once.
    stop: (leave) => {
      stopped = true;
      clearInterval(timer);
      unsub();
      if (leave) post('/api/v1/cases/' + c.id + '/presence', { leaving: true }).catch(() => {});
    },
  };
}
