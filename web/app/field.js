// The field officer's phone view: the cases of my teams, one tap to the
// phone's maps app, start, photos from the camera, resolve with a note.
import { get, post, qs } from './api.js';
import { t, getLang } from './i18n.js';
import { el, clear, age, mapsUrl } from './util.js';
import { flash } from './app.js';
import { uploadPhotos } from './case.js';
import { slaBadge } from './sla.js';

const ACTIVE = ['dispatched', 'in_progress', 'reopened'];

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
  buttons.append(el('a', { class: 'button', href: '#/case/' + c.id }, t('open_case')));
  if (c.status === 'dispatched' || c.status === 'reopened')
    buttons.append(el('button', { type: 'button', class: 'primary', 'data-do': 'start', onclick: () => act({ action: 'start' }) }, t('start')));
  const node = el('article', { class: 'card task' + (c.kind === 'emergency' ? ' emergency' : ''), 'data-id': c.id },
    el('h2', {}, el('span', { class: 'code' }, c.tracking_code), ' ',
      el('span', { class: 'status s-' + c.status, 'data-status': c.status }, c.status_label), slaBadge(c.sla_state)),
    el('p', { class: 'desc' }, c.description),
    el('p', { class: 'muted' }, [c.category && c.category.name, c.address, c.kecamatan && c.kecamatan.name, age(c.created_at, lang)].filter(Boolean).join(' · ')),
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
  root.append(el('h1', {}, t('my_cases')), list);
  async function load() {
    const teams = (await get('/api/v1/me/teams')).items;
    clear(list);
    if (!teams.length) { list.append(el('p', { class: 'muted' }, t('no_team'))); return; }
    const seen = new Set();
    const cases = [];
    for (const tm of teams) {
      const j = await get('/api/v1/cases' + qs({ team: tm.id, limit: 100 }));
      for (const c of j.items) if (ACTIVE.includes(c.status) && !seen.has(c.id)) { seen.add(c.id); cases.push(c); }
    }
    cases.sort((a, b) => (b.kind === 'emergency') - (a.kind === 'emergency') || b.id - a.id);
    if (!cases.length) list.append(el('p', { class: 'muted' }, t('no_field_cases')));
    for (const c of cases) list.append(card(c, () => load().catch((e) => flash(e.message))));
  }
  await load();
  const timer = setInterval(() => {
    if (!document.activeElement || !list.contains(document.activeElement)) load().catch(() => {});
  }, 30000);
  return () => clearInterval(timer);
}
