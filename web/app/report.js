// The walk-in / phone report form (POST /api/v1/cases).
import { post } from './api.js';
import { t, getLang } from './i18n.js';
import { el, addTiles } from './util.js';
import { state, flash } from './app.js';
import { LAPOR_CLASSES } from './lapor.js';

export async function reportView(root) {
  const lang = getLang();
  const desk = state.me.roles.filter((r) => ['superadmin', 'admin', 'supervisor'].includes(r.role));
  const agencies = desk.some((r) => r.agency_id === 0) ? state.ref.agencies
    : state.ref.agencies.filter((a) => desk.some((r) => r.agency_id === a.id));
  const field = (id, label, input) => el('div', { class: 'field' }, el('label', { for: id }, label), input);
  const catSelect = el('select', { id: 'r-category', name: 'category_id', required: true });
  const agencySelect = el('select', { id: 'r-agency', name: 'agency_id' }, agencies.map((a) => el('option', { value: a.id }, a.name)));
  const fillCats = () => {
    const ag = Number(agencySelect.value);
    catSelect.replaceChildren(...state.ref.categories.filter((k) => k.agency_id === ag && k.active)
      .map((k) => el('option', { value: k.id }, lang === 'en' ? k.name_en : k.name_id)));
  };
  agencySelect.addEventListener('change', fillCats);
  fillCats();
  const err = el('p', { class: 'error', role: 'alert' });
  const f = el('form', { class: 'card report', id: 'report-form', novalidate: true },
    el('h1', {}, t('walkin_title')),
    field('r-agency', t('agency'), agencySelect),
    field('r-category', t('category'), catSelect),
    field('r-channel', t('channel'), el('select', { id: 'r-channel', name: 'channel' },
      el('option', { value: 'walk_in' }, t('ch_walk_in')), el('option', { value: 'phone' }, t('ch_phone')))),
    field('r-description', t('description'), el('textarea', { id: 'r-description', name: 'description', rows: 4, maxlength: 4000, required: true })),
    field('r-address', t('address'), el('input', { id: 'r-address', name: 'address', maxlength: 500 })),
    field('r-kecamatan', t('kecamatan'), el('select', { id: 'r-kecamatan', name: 'kecamatan_code' },
      el('option', { value: '' }, '—'), state.ref.regions.map((g) => el('option', { value: g.code }, g.name)))),
    el('div', { class: 'row' },
      field('r-lat', t('lat'), el('input', { id: 'r-lat', name: 'lat', inputmode: 'decimal' })),
      field('r-lon', t('lon'), el('input', { id: 'r-lon', name: 'lon', inputmode: 'decimal' }))),
    el('p', { class: 'muted' }, t('pick_on_map')),
    el('div', { class: 'map', id: 'report-map' }),
    field('r-priority', t('priority'), el('select', { id: 'r-priority', name: 'priority' },
      ['normal', 'low', 'high', 'urgent'].map((p) => el('option', { value: p }, t('prio_' + p))))),
    field('r-lapor-class', t('lapor_class'), el('select', { id: 'r-lapor-class', name: 'lapor_class' },
      LAPOR_CLASSES.map((k) => el('option', { value: k }, t('lc_' + k))))),
    field('r-name', t('reporter_name'), el('input', { id: 'r-name', name: 'reporter_name', maxlength: 120, autocomplete: 'off' })),
    field('r-phone', t('reporter_phone'), el('input', { id: 'r-phone', name: 'reporter_phone', type: 'tel', autocomplete: 'off' })),
    el('div', { class: 'check' }, el('input', { id: 'r-wa-consent', name: 'notify_consent', type: 'checkbox' }), el('label', { for: 'r-wa-consent' }, t('notify_consent'))),
    el('div', { class: 'check' }, el('input', { id: 'r-rahasia', name: 'rahasia', type: 'checkbox' }), el('label', { for: 'r-rahasia' }, t('rahasia'))),
    el('div', { class: 'check' }, el('input', { id: 'r-anonim', name: 'anonim', type: 'checkbox' }), el('label', { for: 'r-anonim' }, t('anonim'))),
    err,
    el('button', { type: 'submit', class: 'primary' }, t('save_report')));
  root.append(f);
  f.addEventListener('input', () => { err.textContent = ''; });
  if (window.L) {
    const L = window.L;
    const map = L.map('report-map').setView([-2.33, 115.47], 11);
    addTiles(map);
    let marker = null;
    const place = (ll) => {
      if (marker) marker.setLatLng(ll);
      else marker = L.circleMarker(ll, { radius: 9, color: '#fff', weight: 3, fillColor: '#c62828', fillOpacity: 1 }).addTo(map);
    };
    map.on('click', (ev) => {
      f.elements.lat.value = ev.latlng.lat.toFixed(6);
      f.elements.lon.value = ev.latlng.lng.toFixed(6);
      place(ev.latlng);
    });
    // Typed coordinates show on the map too.
    const typed = () => {
      const lat = Number(f.elements.lat.value), lon = Number(f.elements.lon.value);
      if (f.elements.lat.value && f.elements.lon.value && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
        place([lat, lon]);
        map.setView([lat, lon], Math.max(map.getZoom(), 14));
      }
    };
    f.elements.lat.addEventListener('change', typed);
    f.elements.lon.addEventListener('change', typed);
  }
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    const e = f.elements;
    const body = {
      agency_id: Number(e.agency_id.value), category_id: Number(e.category_id.value), channel: e.channel.value,
      description: e.description.value, priority: e.priority.value, rahasia: e.rahasia.checked, anonim: e.anonim.checked,
      lapor_class: e.lapor_class.value,
    };
    if (e.address.value.trim()) body.address = e.address.value;
    if (e.kecamatan_code.value) body.kecamatan_code = e.kecamatan_code.value;
    if (e.lat.value || e.lon.value) { body.lat = Number(e.lat.value); body.lon = Number(e.lon.value); }
    if (e.reporter_name.value.trim() || e.reporter_phone.value.trim() || e.notify_consent.checked) {
      body.reporter = {};
      if (e.reporter_name.value.trim()) body.reporter.name = e.reporter_name.value;
      if (e.reporter_phone.value.trim()) body.reporter.phone = e.reporter_phone.value;
      if (e.notify_consent.checked) body.reporter.notify_consent = true;
    }
    try {
      const c = await post('/api/v1/cases', body);
      flash(t('created_ok') + ' ' + c.tracking_code, 'ok');
      location.hash = '#/case/' + c.id;
    } catch (x) {
      err.textContent = x.message;
    }
  });
  return null;
}
