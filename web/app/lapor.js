// The LAPOR! tracking number of a case (issue 13): shown to staff, set,
// changed or removed by the agency's admin or supervisor
// (PUT /api/v1/cases/{id}/lapor), and the inbox filter on it. Issue 17 §3:
// the national classification and the mark for LAPOR! on the same route,
// and the liaison's worklist "Teruskan ke LAPOR!" (#/lapor).
import { api, get } from './api.js';
import { t, getLang } from './i18n.js';
import { el, clear } from './util.js';
import { flash } from './app.js';

export const LAPOR_CLASSES = ['pengaduan', 'aspirasi', 'permintaan_informasi'];

// The <dt>/<dd> pair of the case's facts; with a form when canEdit.
export function laporFacts(c, canEdit, done) {
  const shown = el('span', { id: 'lapor-id' }, c.lapor_tracking_id ? '#' + c.lapor_tracking_id : '—');
  const dd = el('dd', {}, shown);
  if (canEdit) {
    const input = el('input', { id: 'lapor-input', name: 'lapor_tracking_id', inputmode: 'numeric',
      autocomplete: 'off', maxlength: 32, placeholder: t('lapor_ph'), value: c.lapor_tracking_id || '',
      'aria-label': t('lapor'), 'aria-describedby': 'lapor-hint' });
    const err = el('p', { class: 'error', role: 'alert', id: 'lapor-error' });
    const form = el('form', { class: 'lapor-form', id: 'lapor-form' }, input,
      el('button', { type: 'submit' }, t('lapor_save')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.textContent = '';
      try {
        await api('PUT', '/api/v1/cases/' + c.id + '/lapor', { lapor_tracking_id: input.value.trim() });
        flash(t('done_ok'), 'ok');
        done();
      } catch (e) {
        err.textContent = e.message;
        input.focus();
      }
    });
    dd.append(form, el('p', { class: 'muted', id: 'lapor-hint' }, t('lapor_hint')), err);
  }
  return [el('dt', {}, t('lapor')), dd, ...laporClassFacts(c, canEdit, done)];
}

// The classification (a select saved on change) and the mark (a checkbox).
function laporClassFacts(c, canEdit, done) {
  const label = t('lc_' + c.lapor_class);
  if (!canEdit) {
    return [el('dt', {}, t('lapor_class')), el('dd', { id: 'lapor-class' }, label),
      el('dt', {}, t('lapor_mark')), el('dd', { id: 'lapor-marked' }, c.lapor_marked_at ? t('lapor_marked_yes') : '—')];
  }
  const err = el('p', { class: 'error', role: 'alert', id: 'lapor-class-error' });
  async function save(body) {
    err.textContent = '';
    try {
      await api('PUT', '/api/v1/cases/' + c.id + '/lapor', body);
      flash(t('done_ok'), 'ok');
      done();
    } catch (e) {
      err.textContent = e.message;
    }
  }
  const sel = el('select', { id: 'lapor-class-select', name: 'lapor_class', 'aria-label': t('lapor_class') },
    LAPOR_CLASSES.map((k) => el('option', { value: k, selected: k === c.lapor_class }, t('lc_' + k))));
  sel.addEventListener('change', () => save({ lapor_class: sel.value }));
  const box = el('input', { type: 'checkbox', id: 'lapor-mark', checked: !!c.lapor_marked_at });
  box.addEventListener('change', () => save({ lapor_marked: box.checked }));
  return [el('dt', {}, t('lapor_class')), el('dd', {}, sel, err),
    el('dt', {}, t('lapor_mark')), el('dd', {}, el('label', { class: 'check' }, box, ' ', t('lapor_mark_box')),
      c.lapor_marked_at && !c.lapor_tracking_id
        ? el('p', { class: 'muted' }, el('a', { href: '#/lapor' }, t('lapor_worklist'))) : null)];
}

// The inbox filter on the classification.
export function laporClassFilter(value) {
  return el('div', { class: 'field' },
    el('label', { for: 'f-lapor_class', title: t('lapor_class') }, t('lapor_class_filter')),
    el('select', { id: 'f-lapor_class', name: 'lapor_class' },
      el('option', { value: '' }, t('all')),
      LAPOR_CLASSES.map((k) => el('option', { value: k, selected: value === k }, t('lc_' + k)))));
}

// Copies text: the clipboard API where the page may use it, else a
// selected textarea and the old command (plain http on an office LAN).
async function copyText(text, area) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (_) {
    area.focus();
    area.select();
    try { return document.execCommand('copy'); } catch (_e) { return false; }
  }
}

// One case of the worklist: its summary to copy, the tracking id to enter.
function workItem(c, reload) {
  const area = el('textarea', { class: 'lapor-summary', readonly: true, rows: 10, 'aria-label': t('lapor_summary') },
    c.lapor_summary);
  const status = el('span', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const copy = el('button', { type: 'button', class: 'primary lapor-copy' }, t('lapor_copy'));
  copy.addEventListener('click', async () => {
    status.textContent = (await copyText(c.lapor_summary, area)) ? t('lapor_copied') : t('lapor_copy_failed');
  });
  const input = el('input', { name: 'lapor_tracking_id', inputmode: 'numeric', autocomplete: 'off', maxlength: 32,
    placeholder: t('lapor_ph'), 'aria-label': t('lapor') + ' ' + c.tracking_code, class: 'lapor-id-input' });
  const err = el('p', { class: 'error', role: 'alert' });
  const form = el('form', { class: 'lapor-form' }, input, el('button', { type: 'submit' }, t('lapor_save')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    if (!input.value.trim()) { err.textContent = t('lapor_need_id'); input.focus(); return; }
    try {
      await api('PUT', '/api/v1/cases/' + c.id + '/lapor', { lapor_tracking_id: input.value.trim() });
      flash(t('lapor_recorded'), 'ok');
      reload();
    } catch (e) {
      err.textContent = e.message;
      input.focus();
    }
  });
  const unmark = el('button', { type: 'button', class: 'lapor-unmark' }, t('lapor_unmark'));
  unmark.addEventListener('click', async () => {
    try {
      await api('PUT', '/api/v1/cases/' + c.id + '/lapor', { lapor_marked: false });
      reload();
    } catch (e) {
      err.textContent = e.message;
    }
  });
  return el('li', { class: 'card lapor-item', 'data-id': c.id },
    el('h2', {}, el('a', { href: '#/case/' + c.id, class: 'code' }, c.tracking_code), ' · ',
      c.category ? c.category.name : '—', ' · ', c.lapor_class_label),
    area, el('div', { class: 'action-bar' }, copy, status, unmark), form, err);
}

// "Teruskan ke LAPOR!": the marked cases without a tracking id, oldest first.
export async function laporView(root) {
  const list = el('ol', { class: 'lapor-list', id: 'lapor-list' });
  const empty = el('p', { class: 'muted', id: 'lapor-empty', hidden: true }, t('lapor_worklist_empty'));
  root.append(el('h1', {}, t('lapor_worklist')), el('p', { class: 'muted' }, t('lapor_worklist_hint')), empty, list);
  async function load() {
    const j = await get('/api/v1/lapor/worklist');
    clear(list);
    for (const c of j.items) list.append(workItem(c, () => load().catch((e) => flash(e.message))));
    empty.hidden = j.items.length > 0;
  }
  await load();
  return null;
}

// The inbox filter: sudah / belum diteruskan ke LAPOR!.
export function laporFilter(value) {
  return el('div', { class: 'field' },
    el('label', { for: 'f-lapor' }, t('lapor_filter')),
    el('select', { id: 'f-lapor', name: 'lapor' },
      el('option', { value: '' }, t('all')),
      el('option', { value: 'yes', selected: value === 'yes' }, t('lapor_yes')),
      el('option', { value: 'no', selected: value === 'no' }, t('lapor_no')),
      el('option', { value: 'marked', selected: value === 'marked' }, t('lapor_marked_todo'))));
}
