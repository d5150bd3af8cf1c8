// "Peta rawan": the hotspot map for the desk and leadership (issue 18).
// GET /api/v1/stats/hotspots counts the cases of a period per grid cell,
// kecamatan and category; the map draws the cells as a heat layer (a
// small canvas layer of our own: Debian has no leaflet.heat) and the
// kecamatan table beside it says the same in numbers.
import { get, qs } from './api.js';
import { t, getLang } from './i18n.js';
import { el, clear, addTiles } from './util.js';
import { state } from './app.js';
import { agenciesWith } from './sla.js';
import { REPORT_ROLES, ymd } from './reports.js';

// The cell sizes offered, in thousandths of a degree (~110 m each).
const CELLS = [[1, '± 110 m'], [2, '± 220 m'], [5, '± 550 m'], [10, '± 1,1 km'], [20, '± 2,2 km']];

// 256 colours from cool to hot, for alpha 0..255 of the drawn blur.
function palette() {
  const c = document.createElement('canvas');
  c.width = 256;
  c.height = 1;
  const g = c.getContext('2d');
  const grad = g.createLinearGradient(0, 0, 256, 0);
  grad.addColorStop(0.15, '#2c7bb6');
  grad.addColorStop(0.4, '#00a6ca');
  grad.addColorStop(0.6, '#90eb9d');
  grad.addColorStop(0.8, '#f9d057');
  grad.addColorStop(1, '#d7191c');
  g.fillStyle = grad;
  g.fillRect(0, 0, 256, 1);
  return g.getImageData(0, 0, 256, 1).data;
}

// A heat layer: each cell a blurred disc whose strength is its share of
// the largest cell, coloured by the summed strength.
function heatLayer(cells, cellDeg) {
  const L = window.L;
  const colours = palette();
  const Heat = L.Layer.extend({
    onAdd(map) {
      this._map = map;
      this._canvas = L.DomUtil.create('canvas', 'heat-layer');
      this._canvas.style.pointerEvents = 'none';
      map.getPanes().overlayPane.appendChild(this._canvas);
      map.on('moveend zoomend resize viewreset', this._draw, this);
      this._draw();
    },
    onRemove(map) {
      map.off('moveend zoomend resize viewreset', this._draw, this);
      L.DomUtil.remove(this._canvas);
    },
    _draw() {
      const map = this._map, size = map.getSize(), c = this._canvas;
      L.DomUtil.setPosition(c, map.containerPointToLayerPoint([0, 0]));
      c.width = size.x;
      c.height = size.y;
      if (!cells.length) return;
      const g = c.getContext('2d');
      const max = Math.max(...cells.map((x) => x.count));
      const centre = map.getCenter();
      const a = map.latLngToContainerPoint(centre);
      const b = map.latLngToContainerPoint([centre.lat, centre.lng + cellDeg]);
      const r = Math.max(22, Math.abs(b.x - a.x) * 1.5);
      for (const x of cells) {
        const p = map.latLngToContainerPoint([x.lat, x.lon]);
        if (p.x < -r || p.y < -r || p.x > size.x + r || p.y > size.y + r) continue;
        const s = 0.25 + 0.75 * (x.count / max);
        const grad = g.createRadialGradient(p.x, p.y, 0, p.x, p.y, r);
        grad.addColorStop(0, 'rgba(0,0,0,' + s + ')');
        grad.addColorStop(1, 'rgba(0,0,0,0)');
        g.fillStyle = grad;
        g.fillRect(p.x - r, p.y - r, 2 * r, 2 * r);
      }
      const img = g.getImageData(0, 0, size.x, size.y), d = img.data;
      for (let i = 0; i < d.length; i += 4) {
        const v = d[i + 3];
        if (!v) continue;
        d[i] = colours[v * 4];
        d[i + 1] = colours[v * 4 + 1];
        d[i + 2] = colours[v * 4 + 2];
        d[i + 3] = Math.min(230, 60 + v);
      }
      g.putImageData(img, 0, 0);
    },
  });
  return new Heat();
}


export async function hotspotsView(root) {
  const agencies = agenciesWith(state.me, state.ref, REPORT_ROLES);
  root.append(el('h1', {}, t('hotspots_title')), el('p', { class: 'muted' }, t('hotspots_hint')));
  if (!agencies.length) { root.append(el('p', { class: 'muted' }, t('no_actions'))); return null; }
  const en = getLang() === 'en';
  const now = new Date();
  // The default period in the agency's dates, as the API reads them (the
  // UTC date is yesterday's before 07.00 WIB).
  const tz = agencies[0].timezone;
  const catName = (k) => (en ? k.name_en : k.name_id) || k.code;
  const categoriesOf = (agency) => state.ref.categories.filter((k) => k.kind !== 'service' &&
    (agency ? String(k.agency_id) === String(agency) : agencies.some((a) => a.id === k.agency_id)));
  const catSelect = el('select', { id: 'h-category', name: 'category' });
  const fillCats = (agency) => {
    clear(catSelect).append(el('option', { value: '' }, t('all')),
      ...categoriesOf(agency).map((k) => el('option', { value: k.id }, catName(k))));
  };
  const f = el('form', { class: 'filters', id: 'hotspot-form' },
    el('div', { class: 'field' }, el('label', { for: 'h-agency' }, t('agency')),
      el('select', { id: 'h-agency', name: 'agency' },
        agencies.length > 1 ? el('option', { value: '' }, t('all')) : null,
        agencies.map((a) => el('option', { value: a.id }, a.name)))),
    el('div', { class: 'field' }, el('label', { for: 'h-category' }, t('category')), catSelect),
    el('div', { class: 'field' }, el('label', { for: 'h-from' }, t('from')),
      el('input', { id: 'h-from', name: 'from', type: 'date', required: true, value: ymd(new Date(now.getTime() - 89 * 86400000), tz) })),
    el('div', { class: 'field' }, el('label', { for: 'h-to' }, t('to')),
      el('input', { id: 'h-to', name: 'to', type: 'date', required: true, value: ymd(now, tz) })),
    el('div', { class: 'field' }, el('label', { for: 'h-cell' }, t('hotspot_cell')),
      el('select', { id: 'h-cell', name: 'cell' }, CELLS.map(([v, label]) => el('option', { value: v, selected: v === 5 }, label)))),
    el('div', { class: 'field buttons' }, el('button', { type: 'submit', class: 'primary' }, t('show'))));
  fillCats(f.elements.agency.value);
  const summary = el('p', { id: 'hotspot-summary', 'aria-live': 'polite' });
  const mapNode = el('div', { id: 'hotspot-map', class: 'map hotspot-map', role: 'img', 'aria-label': t('hotspots_title') });
  const side = el('div', { id: 'hotspot-side' });
  root.append(f, summary, el('div', { class: 'hotspot-grid' }, mapNode, side));

  let map = null, layers = [];
  if (window.L) {
    map = window.L.map(mapNode, { scrollWheelZoom: false }).setView([-2.33, 115.47], 11);
    addTiles(map);
  }

  async function load() {
    const p = { agency: f.elements.agency.value, category: f.elements.category.value,
      from: f.elements.from.value, to: f.elements.to.value, cell: f.elements.cell.value };
    summary.className = '';
    summary.textContent = t('loading');
    let j;
    try {
      j = await get('/api/v1/stats/hotspots' + qs(p));
    } catch (e) {
      summary.className = 'error';
      summary.setAttribute('role', 'alert');
      summary.textContent = e.message;
      return;
    }
    summary.removeAttribute('role');
    summary.textContent = t('hotspot_total').replace('%d', j.total) +
      (j.without_location ? ' · ' + t('hotspot_unlocated').replace('%d', j.without_location) : '');
    const cats = new Map(j.categories.map((c) => [String(c.id), c]));
    if (map) {
      for (const l of layers) map.removeLayer(l);
      layers = [heatLayer(j.cells, j.cell_degrees).addTo(map)];
      for (const c of j.cells) {
        const top = Object.entries(c.by_category).sort((a, b) => b[1] - a[1])
          .map(([id, n]) => (cats.get(id) ? cats.get(id).name || cats.get(id).code : id) + ': ' + n);
        layers.push(window.L.circleMarker([c.lat, c.lon], { radius: 6, opacity: 0, fillOpacity: 0 })
          .bindTooltip(t('hotspot_cases').replace('%d', c.count) + (top.length ? ' — ' + top.join(', ') : ''))
          .addTo(map));
      }
      if (j.cells.length) map.fitBounds(j.cells.map((c) => [c.lat, c.lon]), { padding: [30, 30], maxZoom: 15 });
    }
    const catLabel = (id) => (cats.get(id) ? cats.get(id).name || cats.get(id).code : id);
    const topOf = (k) => {
      const e = Object.entries(k.by_category).sort((a, b) => b[1] - a[1])[0];
      return e ? catLabel(e[0]) + ' (' + e[1] + ')' : '';
    };
    clear(side).append(
      el('div', { class: 'table-wrap' }, el('table', { class: 'cases', id: 'hotspot-kecamatan' },
        el('caption', {}, t('hotspot_by_kecamatan')),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('kecamatan')), el('th', { scope: 'col', class: 'num' }, t('cases_n')),
          el('th', { scope: 'col' }, t('hotspot_top')))),
        el('tbody', {}, j.kecamatan.length
          ? j.kecamatan.map((k) => el('tr', { 'data-code': k.code || '' },
            el('th', { scope: 'row' }, k.name || k.code || t('hotspot_no_kecamatan')),
            el('td', { class: 'num' }, String(k.count)),
            el('td', {}, topOf(k))))
          : el('tr', {}, el('td', { colspan: 3, class: 'muted' }, t('hotspot_none')))))),
      el('div', { class: 'table-wrap' }, el('table', { class: 'cases', id: 'hotspot-categories' },
        el('caption', {}, t('hotspot_by_category')),
        el('tbody', {}, j.categories.map((c) => el('tr', {},
          el('th', { scope: 'row' }, c.name || c.code), el('td', { class: 'num' }, String(c.count))))))));
  }
  f.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  f.elements.agency.addEventListener('change', () => { fillCats(f.elements.agency.value); load(); });
  f.elements.category.addEventListener('change', load);
  f.elements.cell.addEventListener('change', load);
  await load();
  return null;
}
