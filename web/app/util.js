// Small DOM helpers. Every text from the server (citizen messages above
// all) goes into the page as text nodes, never as HTML.

export function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = String(v);
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid == null || kid === false) continue;
    e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return e;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

// "5 menit" / "5 min" since an ISO time.
export function age(iso, lang) {
  if (!iso) return '';
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  const en = lang === 'en';
  if (s < 60) return en ? 'just now' : 'baru saja';
  if (s < 3600) return Math.floor(s / 60) + (en ? ' min' : ' menit');
  if (s < 86400) return Math.floor(s / 3600) + (en ? ' h' : ' jam');
  return Math.floor(s / 86400) + (en ? ' d' : ' hari');
}

export function when(iso, lang) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleString(lang === 'en' ? 'en-GB' : 'id-ID', {
    day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
  });
}

let audio = null;
// Unlocks sound on the first click or key (browsers require a gesture).
export function armSound() {
  const arm = () => {
    try {
      if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === 'suspended') audio.resume();
    } catch (_) { audio = null; }
  };
  document.addEventListener('click', arm, { capture: true });
  document.addEventListener('keydown', arm, { capture: true });
}

// Three short beeps: an emergency has arrived. Returns whether it played.
export function beep() {
  if (!audio) return false;
  const t0 = audio.currentTime;
  for (let i = 0; i < 3; i++) {
    const o = audio.createOscillator();
    const g = audio.createGain();
    o.type = 'square';
    o.frequency.value = 880;
    g.gain.setValueAtTime(0.0001, t0 + i * 0.3);
    g.gain.exponentialRampToValueAtTime(0.3, t0 + i * 0.3 + 0.02);
    g.gain.exponentialRampToValueAtTime(0.0001, t0 + i * 0.3 + 0.2);
    o.connect(g).connect(audio.destination);
    o.start(t0 + i * 0.3);
    o.stop(t0 + i * 0.3 + 0.22);
  }
  window.__aduanBeeps = (window.__aduanBeeps || 0) + 1;
  return true;
}

// The tile URL comes from the server's settings (map.tile_url).
let tiles = 'https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png';
export function setTiles(url) { if (url) tiles = url; }
export function addTiles(map) {
  const osm = /openstreetmap\.org/.test(tiles);
  window.L.tileLayer(tiles, { maxZoom: 19, attribution: osm ? '© OpenStreetMap' : '' }).addTo(map);
}

// A map with markers; tiles when the network allows, markers always.
export function makeMap(node, points, opts = {}) {
  if (!window.L || !points.length) return null;
  const L = window.L;
  const map = L.map(node, { scrollWheelZoom: false });
  addTiles(map);
  const group = [];
  for (const p of points) {
    const m = L.circleMarker([p.lat, p.lon], {
      radius: 9, color: '#fff', weight: 3, fillColor: p.color || '#c62828', fillOpacity: 1,
    }).addTo(map);
    if (p.label) m.bindTooltip(String(p.label));
    group.push([p.lat, p.lon]);
  }
  if (group.length === 1) map.setView(group[0], opts.zoom || 15);
  else map.fitBounds(group, { padding: [24, 24] });
  return map;
}

export function mapsUrl(lat, lon) {
  return 'https://www.google.com/maps?q=' + encodeURIComponent(lat + ',' + lon);
}
