// The field officer's phone view (GET /api/v1/me/tasks): the cases of my
// teams with the kepala bidang's dispatch instruction, one tap to the
// phone's maps app or to call the reporter, start, photos from the camera,
// resolve with a note, and what my teams resolved today.
import { get, post } from './api.js';
import { t, getLang } from './i18n.js';
import { el, clear, age, when, mapsUrl } from './util.js';
import { flash } from './app.js';
import { uploadPhotos } from './case.js';
import { slaBadge } from './sla.js';

// The dispatch instruction: the internal note of the last dispatch, meant
// for the team (issue 13).
function instruction(c) {
  const i = c.instruction;
  if (!i) return null;
  return el('div', { class: 'instruction', 'data-instruction': '' },
    el('strong', {}, t('instruction')),
    el('p', { class: 'note' }, i.note),
    el('p', { class: 'muted' }, [i.by, when(i.at, getLang())].filter(Boolean).join(' · ')));
}

// "14.05": the time of day, for today's list.
function clock(iso) {
  return new Date(iso).toLocaleTimeString(getLang() === 'en' ? 'en-GB' : 'id-ID', { hour: '2-digit', minute: '2-digit' });
}

// Today's resolutions of my teams, in the agency's time zone.
function doneToday(items) {
  const list = el('ul', { class: 'done-list' });
  for (const x of items)
    list.append(el('li', { 'data-id': x.id },
      el('a', { href: '#/case/' + x.id, class: 'code' }, x.tracking_code), ' ',
      el('span', { class: 'status s-' + x.status }, x.status_label), ' ',
      el('span', {}, x.category || ''), ' · ',
      el('span', { class: 'muted' }, clock(x.resolved_at))));
  return items.length ? list : el('p', { class: 'muted' }, t('done_today_none'));
}

function card(c, reload) {
  const lang = getLang();
  const err = el('p', { class: 'error', role: 'alert' });
  const act = async (body, files) => {
    err.textContent = '';
    try {
      if (files && files.length) await uploadPhotos(c.id, files);
      await post('/api/v1/cases/' + c.id + '/transitions', body);
      flash(t('done_ok'), 'ok');
      reload();
    } catch (e) { err.textContent = e.message; }
  };
  const buttons = el('div', { class: 'buttons' });
  if (c.location)
    buttons.append(el('a', { class: 'button', href: mapsUrl(c.location.lat, c.location.lon), target: '_blank', rel: 'noopener', 'data-nav': '1' }, t('navigate')));
  if (c.reporter && c.reporter.phone)
    buttons.append(el('a', { class: 'button', href: 'tel:+' + c.reporter.phone, 'data-call': '1' }, t('call_reporter')));
  buttons.append(el('a', { class: 'button', href: '#/case/' + c.id }, t('open_case')));
  if (c.status === 'dispatched' || c.status === 'reopened')
    buttons.append(el('button', { type: 'button', class: 'primary', 'data-do': 'start', onclick: () => act({ action: 'start' }) }, t('start')));
  const node = el('article', { class: 'card task' + (c.kind === 'emergency' ? ' emergency' : ''), 'data-id': c.id },
    el('h2', {}, el('span', { class: 'code' }, c.tracking_code), ' ',
      el('span', { class: 'status s-' + c.status, 'data-status': c.status }, c.status_label), slaBadge(c.sla_state)),
    el('p', { class: 'desc' }, c.description),
    el('p', { class: 'muted' }, [c.category && c.category.name, c.address, c.kecamatan && c.kecamatan.name, age(c.created_at, lang)].filter(Boolean).join(' · ')),
    instruction(c),
    buttons);
  if (c.status === 'in_progress') {
    const fid = 'res-' + c.id;
    const f = el('form', { class: 'resolve', 'data-form': 'resolve' },
      el('label', { for: fid + '-photo' }, t('add_photo')),
      el('input', { id: fid + '-photo', name: 'photos', type: 'file', accept: 'image/*', capture: 'environment', multiple: true }),
      el('output', { name: 'picked', class: 'muted' }),
      el('label', { for: fid + '-note' }, t('resolve_note')),
      el('textarea', { id: fid + '-note', name: 'note', rows: 3, maxlength: 2000, required: true }),
      el('button', { type: 'submit', class: 'primary' }, t('resolve')));
    f.elements.photos.addEventListener('change', () => {
      f.elements.picked.value = [...f.elements.photos.files].map((x) => x.name).join(', ');
    });
    f.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const note = f.elements.note.value.trim();
      if (!note) { err.textContent = t('resolve_note'); f.elements.note.focus(); return; }
      // The result is what the reporter reads and confirms (issue #13).
      act({ action: 'resolve', public_note: note }, f.elements.photos.files);
    });
    node.append(f);
  }
  node.append(err);
  return node;
}

export async function fieldView(root) {
  const list = el('div', { class: 'tasks', id: 'tasks' });
  const done = el('section', { class: 'card done-today', id: 'done-today', 'aria-labelledby': 'h-done' });
  root.append(el('h1', {}, t('my_cases')), list, done);
  async function load() {
    const j = await get('/api/v1/me/tasks');
    clear(list);
    clear(done).append(el('h2', { id: 'h-done' }, t('done_today')), doneToday(j.resolved_today));
    if (!j.teams.length) { list.append(el('p', { class: 'muted' }, t('no_team'))); done.hidden = true; return; }
    done.hidden = false;
    if (!j.items.length) list.append(el('p', { class: 'muted' }, t('no_field_cases')));
    for (const c of j.items) list.append(card(c, () => load().catch((e) => flash(e.message))));
  }
  await load();
  const timer = setInterval(() => {
    if (!document.activeElement || !list.contains(document.activeElement)) load().catch(() => {});
  }, 30000);
  return () => clearInterval(timer);
}
