// The LAPOR! tracking number of a case (issue 13): shown to staff, set,
// changed or removed by the agency's admin or supervisor
// (PUT /api/v1/cases/{id}/lapor), and the inbox filter on it.
import { api } from './api.js';
import { t } from './i18n.js';
import { el } from './util.js';
import { flash } from './app.js';

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
  return [el('dt', {}, t('lapor')), dd];
}

// The inbox filter: sudah / belum diteruskan ke LAPOR!.
export function laporFilter(value) {
  return el('div', { class: 'field' },
    el('label', { for: 'f-lapor' }, t('lapor_filter')),
    el('select', { id: 'f-lapor', name: 'lapor' },
      el('option', { value: '' }, t('all')),
      el('option', { value: 'yes', selected: value === 'yes' }, t('lapor_yes')),
      el('option', { value: 'no', selected: value === 'no' }, t('lapor_no'))));
}
