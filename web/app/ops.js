// The inbox's tools for a busy desk (issue 18, "find anything"): saved
// filters as chips beside the three views (GET/POST /api/v1/me/filters,
// DELETE /api/v1/me/filters/{id}), and bulk actions on the selected cases
// (POST /api/v1/cases/bulk: assign, verify, close as duplicates).
import { api, get, post, qs } from './api.js';
import { t } from './i18n.js';
import { el, clear } from './util.js';
import { state, flash } from './app.js';

const same = (a, b) => {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && String(a[k]) === String(b[k]));
};

// The chips row. current() gives the inbox's filters; apply(query) shows
// a saved one. Returns { node, mark } (mark: highlight the chip of the
// filters now applied).
export function savedFilters(current, apply) {
  const chips = el('div', { class: 'chips', id: 'saved-filters', role: 'group', 'aria-label': t('sf_title') });
  const nameInput = el('input', { id: 'sf-name', name: 'name', maxlength: 60, required: true,
    placeholder: t('sf_name_ph'), 'aria-label': t('sf_name') });
  const saveForm = el('form', { class: 'sf-save', id: 'sf-form', hidden: true },
    nameInput, el('button', { type: 'submit', class: 'primary' }, t('sf_save_do')),
    el('button', { type: 'button', onclick: () => { saveForm.hidden = true; saveBtn.focus(); } }, t('cancel')));
  const saveBtn = el('button', { type: 'button', id: 'sf-save', class: 'link',
    onclick: () => { saveForm.hidden = false; nameInput.focus(); } }, t('sf_save'));
  let items = [];

  function mark() {
    const f = current();
    for (const b of chips.querySelectorAll('button.chip'))
      b.setAttribute('aria-pressed', String(same(f, items.find((x) => String(x.id) === b.value).query)));
  }
  function draw() {
    clear(chips);
    for (const x of items) {
      chips.append(el('span', { class: 'chip-wrap', 'data-filter-id': x.id },
        el('button', { type: 'button', class: 'chip', value: x.id, 'aria-pressed': 'false',
          title: Object.entries(x.query).map(([k, v]) => k + '=' + v).join(', '),
          onclick: () => apply({ ...x.query }) }, x.name),
        el('button', { type: 'button', class: 'chip-del', 'aria-label': t('sf_delete') + ': ' + x.name,
          title: t('sf_delete'), onclick: () => remove(x) }, '×')));
    }
    chips.append(saveBtn);
    mark();
  }
  async function load() {
    try {
      items = (await get('/api/v1/me/filters')).items;
      draw();
    } catch (e) { flash(e.message); }
  }
  async function remove(x) {
    try {
      await api('DELETE', '/api/v1/me/filters/' + x.id);
      flash(t('sf_deleted'), 'ok');
      await load();
      saveBtn.focus();
    } catch (e) { flash(e.message); }
  }
  saveForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await post('/api/v1/me/filters', { name: nameInput.value.trim(), query: current() });
      nameInput.value = '';
      saveForm.hidden = true;
      flash(t('sf_saved'), 'ok');
      await load();
    } catch (e) { flash(e.message); }
  });
  load();
  return { node: el('div', { class: 'saved-filters' }, chips, saveForm), mark };
}

// ---- bulk actions ---------------------------------------------------------------------

// The selection of the inbox's rows and the action bar over them.
// caseOf(id) gives the case shown in a row; done() refreshes the list.
export function bulkBar(caseOf, done) {
  const selected = new Set();
  const count = el('strong', { id: 'bulk-count' });
  const people = el('select', { id: 'bulk-person', 'aria-label': t('bulk_person') },
    el('option', { value: '' }, t('bulk_person')));
  const master = el('select', { id: 'bulk-master', 'aria-label': t('bulk_master') });
  const bar = el('div', { class: 'bulk-bar card', id: 'bulk-bar', role: 'region', 'aria-label': t('bulk_title'), hidden: true },
    count,
    el('button', { type: 'button', id: 'bulk-assign-me', onclick: () => run('assign', { user_id: 'me' }) }, t('assign_me')),
    el('span', { class: 'bulk-group' }, people,
      el('button', { type: 'button', id: 'bulk-assign', onclick: () => {
        if (!people.value) { flash(t('bulk_pick_person')); people.focus(); return; }
        run('assign', { user_id: people.value === 'none' ? null : Number(people.value) });
      } }, t('bulk_assign'))),
    el('button', { type: 'button', id: 'bulk-verify', class: 'primary', onclick: () => run('verify', {}) }, t('bulk_verify')),
    el('span', { class: 'bulk-group' }, el('label', { for: 'bulk-master' }, t('bulk_master')), master,
      el('button', { type: 'button', id: 'bulk-duplicate', onclick: () => {
        const m = Number(master.value);
        run('duplicate', { master_id: m }, [...selected].filter((id) => id !== m));
      } }, t('bulk_duplicate'))),
    el('button', { type: 'button', id: 'bulk-clear', class: 'link', onclick: () => clearAll() }, t('bulk_clear')));
  const result = el('div', { id: 'bulk-result', role: 'status', 'aria-live': 'polite', class: 'bulk-result' });

  // The people who may own a case: the desk of each agency the user works.
  // (A superadmin's role names no agency: every agency.)
  const desk = state.me.roles.filter((r) => ['superadmin', 'admin', 'supervisor'].includes(r.role));
  const agencies = desk.some((r) => !r.agency_id)
    ? (state.ref.agencies || []).map((a) => a.id)
    : [...new Set(desk.map((r) => r.agency_id))];
  people.append(el('option', { value: 'none' }, t('unassigned')));
  Promise.all(agencies.map((a) => get('/api/v1/assignees' + qs({ agency: a })).then((j) => [a, j.items])))
    .then((lists) => {
      for (const [a, users] of lists) {
        const ag = (state.ref.agencies || []).find((x) => x.id === a);
        const group = lists.length > 1 ? el('optgroup', { label: ag ? ag.name : String(a) }) : people;
        for (const u of users) group.append(el('option', { value: u.id }, u.name));
        if (group !== people) people.append(group);
      }
    }).catch(() => { /* the picker stays with "Belum ditugaskan" */ });

  function sync() {
    bar.hidden = selected.size === 0;
    count.textContent = selected.size + ' ' + t('bulk_selected');
    clear(master);
    const ids = [...selected].sort((a, b) => a - b);
    for (const id of ids) {
      const c = caseOf(id);
      master.append(el('option', { value: id }, c ? c.tracking_code : '#' + id));
    }
    for (const box of document.querySelectorAll('input.pick[data-id]'))
      box.checked = selected.has(Number(box.dataset.id));
    const all = document.getElementById('pick-all');
    if (all) {
      const boxes = [...document.querySelectorAll('input.pick[data-id]')];
      const on = boxes.filter((b) => b.checked).length;
      all.checked = boxes.length > 0 && on === boxes.length;
      all.indeterminate = on > 0 && on < boxes.length;
    }
  }
  function toggle(id, on) {
    if (on === undefined) on = !selected.has(id);
    if (on) selected.add(id); else selected.delete(id);
    sync();
  }
  function clearAll() { selected.clear(); sync(); }

  // The checkbox of a row, and the one of the header (every row on the page).
  function pickCell(c) {
    return el('td', { class: 'pick-cell' }, el('input', { type: 'checkbox', class: 'pick', 'data-id': c.id,
      checked: selected.has(c.id), 'aria-label': t('bulk_pick') + ' ' + c.tracking_code,
      onchange: (ev) => toggle(c.id, ev.target.checked) }));
  }
  function pickAll() {
    return el('th', { scope: 'col', class: 'pick-cell' }, el('input', { type: 'checkbox', id: 'pick-all',
      'aria-label': t('bulk_pick_all'), onchange: (ev) => {
        const on = ev.target.checked;
        for (const box of document.querySelectorAll('input.pick[data-id]')) {
          if (on) selected.add(Number(box.dataset.id));
          else selected.delete(Number(box.dataset.id));
        }
        sync();
      } }));
  }

  async function run(action, extra, only) {
    const ids = only || [...selected];
    if (!ids.length) return;
    for (const b of bar.querySelectorAll('button')) b.disabled = true;
    try {
      const j = await post('/api/v1/cases/bulk', { action, ids, ...extra });
      const failed = j.results.filter((x) => !x.ok);
      clear(result).append(el('p', { class: j.failed ? 'bulk-some' : 'bulk-ok' },
        t('bulk_done') + ': ' + j.ok + ' ' + t('bulk_ok') + (j.failed ? ', ' + j.failed + ' ' + t('bulk_failed') : '') + '.'));
      if (failed.length)
        result.append(el('ul', { id: 'bulk-errors' }, failed.map((x) => {
          const c = caseOf(x.id);
          return el('li', { 'data-id': x.id }, (c ? c.tracking_code : '#' + x.id) + ': ' +
            (x.error.detail || x.error.message));
        })));
      // What went through leaves the selection; what failed stays, to retry.
      for (const x of j.results) if (x.ok) selected.delete(x.id);
      if (action === 'duplicate' && j.ok) selected.delete(extra.master_id);
      sync();
      done();
    } catch (e) {
      flash(e.message);
    } finally {
      for (const b of bar.querySelectorAll('button')) b.disabled = false;
    }
  }
  return { node: el('div', {}, bar, result), pickCell, pickAll, toggle, sync, clearAll };
}
