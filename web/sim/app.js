// Simulator WhatsApp for aduan: the citizen's side of a chat with an agency number.
// The server signs what we send and posts it to its own /webhooks/whatsapp; we poll
// /sim/api/messages for what aduan answered. All server and user text goes into the
// page through textContent / createElement, never as HTML.

const $ = (id) => document.getElementById(id);
const MAX_IMAGE = 5 * 1024 * 1024; // what /sim/api/send takes
const SHRINK_OVER = 1.5 * 1024 * 1024; // bigger photos are re-encoded, as WhatsApp does
const CENTER = [-2.3345, 115.4632]; // Paringin, Kabupaten Balangan
const ZOOM = 12;
const DEFAULT_NAME = 'Warga Simulasi';

const T = {
  id: {
    title: 'Simulator WhatsApp',
    intro: 'Pesan Anda dikirim ke webhook aduan seolah-olah datang dari WhatsApp. Tidak ada yang dikirim ke Meta.',
    agency: 'Nomor WhatsApp instansi', waid: 'Nomor HP warga (wa_id)', random: 'Nomor baru',
    waidHelp: 'Angka saja, dengan kode negara (62…). Nomor lain = percakapan lain.',
    name: 'Nama profil warga', clear: 'Kosongkan tampilan percakapan',
    storageHelp: 'Percakapan disimpan di tab ini saja (sessionStorage), sehingga memuat ulang halaman tidak menghapusnya.',
    settings: 'Pengaturan simulasi', thread: 'Percakapan', quick: 'Pesan cepat', attach: 'Lampirkan',
    location: 'Lokasi', photo: 'Foto', message: 'Pesan', placeholder: 'Ketik pesan', send: 'Kirim',
    choosePhoto: 'Pilih foto', locationTitle: 'Kirim lokasi', mapLabel: 'Peta: klik untuk memilih lokasi',
    mapHint: 'Klik peta untuk memilih titik (atau Enter: titik tengah peta), atau ketik koordinatnya.',
    lat: 'Lintang (lat)', lon: 'Bujur (lon)', address: 'Alamat (opsional)', cancel: 'Batal',
    sendButton: 'Kirim', photoTitle: 'Kirim foto', caption: 'Keterangan (opsional)', close: 'Tutup',
    as: (w) => `Anda: ${w}`, fromMe: 'Anda', fromBot: 'Instansi',
    threadIntro: 'Simulasi: pesan Anda masuk lewat webhook aduan, balasan diambil dari outbox. Ketik *halo* atau *menu* untuk mulai.',
    sending: 'Mengirim…', sent: 'Diterima server', failed: 'Gagal terkirim', retry: 'Coba lagi',
    botFailed: 'Pengiriman balasan gagal', template: 'Template',
    openFile: 'Buka berkas', react: 'Beri reaksi 👍', reacted: 'Anda memberi reaksi',
    actAs: 'Bertindak sebagai', citizen: 'Warga (nomor di atas)',
    staffHelp: 'Nomor petugas (untuk menjawab tugas darurat): masuk ke dasbor sebagai admin untuk melihatnya.',
    botPhoto: 'Foto dari instansi',
    unknown: (ty) => `Pesan jenis "${ty}" (belum ditampilkan simulator)`,
    openMap: 'Buka di OpenStreetMap', photoAlt: 'Foto yang Anda kirim', photoGone: 'Foto',
    badWa: 'Nomor harus 8–15 angka, diawali kode negara (mis. 62812…).',
    badCoords: 'Lintang harus antara −90 dan 90, bujur antara −180 dan 180.',
    tooBig: (mb) => `Ukuran foto ${mb} MB; batasnya 5 MB.`, notImage: 'Berkas ini bukan gambar.',
    shrink: 'Foto besar diperkecil (maks. 1600 px, JPEG) sebelum dikirim, seperti di WhatsApp.',
    readFailed: 'Berkas tidak dapat dibaca.', unreachable: 'Server tidak terjangkau.',
    noLeaflet: 'Peta tidak dapat dimuat. Ketik koordinatnya di bawah.',
    tilesFailed: 'Gambar peta tidak dapat dimuat (tanpa internet?). Klik di peta tetap memilih titik, atau ketik koordinatnya.',
    toEnglish: 'Switch to English / Ganti ke bahasa Inggris',
  },
  en: {
    title: 'WhatsApp simulator',
    intro: 'Your messages go to aduan\'s webhook as if they came from WhatsApp. Nothing is sent to Meta.',
    agency: 'Agency WhatsApp number', waid: 'Citizen\'s phone (wa_id)', random: 'New number',
    waidHelp: 'Digits only, with the country code (62…). Another number = another conversation.',
    name: 'Citizen\'s profile name', clear: 'Clear the conversation view',
    storageHelp: 'The conversation is kept in this tab only (sessionStorage), so reloading the page keeps it.',
    settings: 'Simulator settings', thread: 'Conversation', quick: 'Quick messages', attach: 'Attach',
    location: 'Location', photo: 'Photo', message: 'Message', placeholder: 'Type a message', send: 'Send',
    choosePhoto: 'Choose a photo', locationTitle: 'Send a location', mapLabel: 'Map: click to pick a location',
    mapHint: 'Click the map to pick a point (or Enter: the map\'s centre), or type the coordinates.',
    lat: 'Latitude (lat)', lon: 'Longitude (lon)', address: 'Address (optional)', cancel: 'Cancel',
    sendButton: 'Send', photoTitle: 'Send a photo', caption: 'Caption (optional)', close: 'Close',
    as: (w) => `You: ${w}`, fromMe: 'You', fromBot: 'Agency',
    threadIntro: 'Simulation: your messages enter through aduan\'s webhook, replies are read from its outbox. Type *halo* or *menu* to start.',
    sending: 'Sending…', sent: 'Received by the server', failed: 'Not sent', retry: 'Retry',
    botFailed: 'Sending this reply failed', template: 'Template',
    openFile: 'Open the file', react: 'React 👍', reacted: 'You reacted',
    actAs: 'Act as', citizen: 'Citizen (the number above)',
    staffHelp: "Staff numbers (to answer an emergency task): sign in to the dashboard as an admin to see them.",
    botPhoto: 'A photo from the agency',
    unknown: (ty) => `Message of type "${ty}" (not shown by the simulator)`,
    openMap: 'Open in OpenStreetMap', photoAlt: 'The photo you sent', photoGone: 'Photo',
    badWa: 'The number must be 8–15 digits, starting with the country code (e.g. 62812…).',
    badCoords: 'Latitude must be between −90 and 90, longitude between −180 and 180.',
    tooBig: (mb) => `The photo is ${mb} MB; the limit is 5 MB.`, notImage: 'This file is not an image.',
    shrink: 'A large photo is reduced (at most 1600 px, JPEG) before sending, as WhatsApp does.',
    readFailed: 'The file cannot be read.', unreachable: 'The server cannot be reached.',
    noLeaflet: 'The map cannot be loaded. Type the coordinates below.',
    tilesFailed: 'Map images cannot be loaded (no internet?). Clicking the map still picks a point, or type the coordinates.',
    toEnglish: 'Ganti ke bahasa Indonesia / Switch to Indonesian',
  },
};
// Banners are always in both languages.
const BANNER = {
  off: ['Simulator tidak aktif. Server ini tidak berjalan dalam mode simulator: mode ini hanya ada bila token akses Meta (ADUAN_WA_ACCESS_TOKEN) tidak diisi. Jalankan make run tanpa token itu.',
    'Simulator not available. This server is not in simulator mode, which is only on when no Meta access token (ADUAN_WA_ACCESS_TOKEN) is configured. Run make run without it.'],
  network: ['Server tidak terjangkau atau sedang bermasalah. Mencoba lagi…', 'The server cannot be reached or has a problem. Retrying…'],
  empty: ['Belum ada nomor WhatsApp instansi. Jalankan aduan init --demo atau daftarkan nomor dengan aduan agency number.',
    'No agency WhatsApp number yet. Run aduan init --demo or register one with aduan agency number.'],
};

// The approved templates' texts and quick-reply buttons, as docs/WHATSAPP.md
// §5 asks districts to register them: a template message carries only its
// name, parameters and button payloads; WhatsApp shows the registered text.
const TEMPLATES = {
  aduan_status_update: { body: 'Laporan {{1}}: {{2}}. {{3}}' },
  aduan_reply: { body: 'Balasan petugas untuk laporan {{1}}: {{2}}' },
  aduan_dokumen: { body: '{{1}} untuk permohonan {{2}} sudah terbit. Berkasnya kami kirim bersama pesan ini; simpan baik-baik.' },
  aduan_sla_alert: { body: 'Peringatan batas waktu laporan {{1}}: {{2}}. Batas waktu: {{3}}.' },
  aduan_darurat: { body: 'DARURAT {{1}}. Lokasi: {{2}}. Kode laporan {{3}}. Terima tugas ini?', buttons: ['Terima', 'Tidak bisa'] },
  aduan_info_petugas: { body: 'Info petugas, laporan {{1}}: {{2}}' },
  aduan_konfirmasi_selesai: { body: 'Laporan {{1}} telah selesai ditangani: {{2}}. Apakah masalah sudah selesai?', buttons: ['Sudah', 'Belum'] },
  aduan_survei_ikm: { body: 'Laporan {{1}} telah ditutup. Bantu kami memperbaiki layanan: maukah Anda mengisi survei kepuasan (9 pertanyaan singkat, anonim)?', buttons: ['Isi survei', 'Lain kali'] },
};

const store = {
  get(area, k) { try { return JSON.parse(area.getItem(k)); } catch { return null; } },
  set(area, k, v) { try { area.setItem(k, JSON.stringify(v)); return true; } catch { return false; } },
};
let lang = store.get(localStorage, 'aduan-sim:lang') === 'en' ? 'en' : 'id';
const t = (k, ...a) => { const v = T[lang][k] ?? T.id[k] ?? k; return typeof v === 'function' ? v(...a) : v; };

const S = { numbers: [], pnid: '', waId: '', name: DEFAULT_NAME, thread: [], after: 0,
  gen: 0, polling: false, again: false, timer: 0, off: false, netDown: false };
const unsent = new Map(); // local id -> full message (with the photo), for "Retry"

const threadKey = (pnid = S.pnid, wa = S.waId) => `aduan-sim:thread:${pnid}:${wa}`;
const validWa = (w) => /^[1-9][0-9]{7,14}$/.test(w);
const randomWa = () => '62812' + String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
const localId = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 8);

const ICONS = {
  pin: 'M12 2a7 7 0 0 0-7 7c0 5.25 7 13 7 13s7-7.75 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z',
  list: 'M3 6h18v2H3zm0 5h18v2H3zm0 5h18v2H3z',
  thumb: 'M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z',
  photo: 'M21 19V5a2 2 0 0 0-2-2H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2zM8.5 13.5l2.5 3 3.5-4.5 4.5 6H5l3.5-4.5z',
};
function icon(name) {
  const NS = 'http://www.w3.org/2000/svg', svg = document.createElementNS(NS, 'svg');
  const attrs = { viewBox: '0 0 24 24', width: 18, height: 18, 'aria-hidden': 'true' };
  for (const [k, v] of Object.entries(attrs)) svg.setAttribute(k, v);
  const path = svg.appendChild(document.createElementNS(NS, 'path'));
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', ICONS[name]);
  return svg;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

function link(text, href) { // external links open in a new tab
  const a = el('a', null, text);
  Object.assign(a, { href, target: '_blank', rel: 'noopener noreferrer' });
  return a;
}

// ---- WhatsApp formatting: *bold* _italic_ ~strike~ ```mono``` and links -------
const FMT = /(?<![\p{L}\p{N}])(```|[*_~])(?!\s)([^\n]*?[^\s])\1(?![\p{L}\p{N}])|(https?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]])/gu;
const TAGS = { '*': 'strong', _: 'em', '~': 's', '```': 'code' };

function fmt(text) {
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const m of String(text ?? '').matchAll(FMT)) {
    frag.append(m.input.slice(last, m.index));
    if (m[3]) frag.append(link(m[3], m[3]));
    else {
      const e = el(TAGS[m[1]]);
      e.append(m[1] === '```' ? m[2] : fmt(m[2]));
      frag.append(e);
    }
    last = m.index + m[0].length;
  }
  frag.append(String(text ?? '').slice(last));
  return frag;
}

function timeLabel(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const loc = lang === 'en' ? 'en-GB' : 'id-ID';
  const hm = d.toLocaleTimeString(loc, { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === new Date().toDateString() ? hm
    : `${d.toLocaleDateString(loc, { day: 'numeric', month: 'short' })} ${hm}`;
}

// ---- rendering ------------------------------------------------------------------
const thread = $('thread');

function meta(item) {
  const m = el('div', 'meta');
  const tm = el('time', null, timeLabel(item.t));
  tm.dateTime = item.t;
  m.append(tm);
  if (item.k === 'me') {
    const st = { sending: ['◷', 'sending'], sent: ['✓', 'sent'], failed: ['⚠', 'failed'] }[item.st];
    if (st) {
      const s = el('span', 'tick ' + item.st, st[0]);
      s.title = t(st[1]);
      s.setAttribute('aria-label', t(st[1]));
      m.append(s);
    }
  } else if (item.st === 'failed' || item.dl === 'failed') {
    m.append(el('span', 'tick failed', '⚠ ' + t('botFailed')));
  }
  return m;
}

function mineContent(box, item) {
  const m = item.m;
  if (m.type === 'text') box.appendChild(el('div', 'text')).append(fmt(m.text));
  else if (m.type === 'interactive') box.append(el('div', 'text reply-title', m.title));
  else if (m.type === 'button') box.append(el('div', 'text reply-title', m.text));
  else if (m.type === 'reaction') box.append(el('div', 'text reaction', `${m.emoji} ${t('reacted')}`));
  else if (m.type === 'location') {
    const card = box.appendChild(el('div', 'location-card'));
    card.appendChild(el('div', 'loc-pin')).append(icon('pin'), `${m.lat.toFixed(6)}, ${m.lon.toFixed(6)}`);
    if (m.address) card.append(el('div', 'text', m.address));
    card.append(link(t('openMap'), `https://www.openstreetmap.org/?mlat=${m.lat}&mlon=${m.lon}#map=17/${m.lat}/${m.lon}`));
  } else if (m.type === 'image') {
    if (item.thumb) {
      const img = box.appendChild(el('img', 'thumb'));
      img.src = item.thumb;
      img.alt = m.caption || t('photoAlt');
      img.addEventListener('load', stick);
    } else box.appendChild(el('div', 'text photo-gone')).append(icon('photo'), t('photoGone'));
    if (m.caption) box.appendChild(el('div', 'text')).append(fmt(m.caption));
  }
  if (item.st === 'failed') {
    if (item.err) box.append(el('div', 'error-note', item.err));
    if (unsent.has(item.lid)) {
      const b = box.appendChild(el('button', 'link-button', t('retry')));
      b.type = 'button';
      b.addEventListener('click', () => { item.st = 'sending'; update(item); deliver(item, unsent.get(item.lid)); });
    }
  }
}

// A file the agency sent (an issued document): opened from the simulator's
// own copy, which the server gives only to the number it was sent to.
function fileCard(doc) {
  const card = el('div', 'file-card');
  const name = doc?.filename || 'dokumen.pdf';
  if (/^sim-media-[0-9a-f]{64}$/.test(doc?.id || '')) {
    const sha = doc.id.slice('sim-media-'.length);
    const a = card.appendChild(link(`📄 ${name}`, `/sim/api/media/${sha}?wa_id=${encodeURIComponent(S.waId)}`));
    a.className = 'file-link';
    a.title = t('openFile');
  } else card.append(el('span', null, `📄 ${name}`));
  return card;
}

function botContent(box, li, p) {
  if (typeof p === 'string') try { p = JSON.parse(p); } catch { /* shown as unknown */ }
  const type = p?.type;
  if (type === 'text') { box.appendChild(el('div', 'text')).append(fmt(p.text?.body)); return; }
  if (type === 'template') {
    const tp = p.template || {}, comps = tp.components || [], known = TEMPLATES[tp.name];
    const code = tp.language?.code ? ` (${tp.language.code})` : '';
    const doc = comps.find((c) => c.type === 'header')?.parameters?.find((x) => x.type === 'document');
    if (doc) box.append(fileCard(doc.document));
    const params = (comps.find((c) => c.type === 'body')?.parameters || []).map((x) => x.text ?? '');
    if (known) box.appendChild(el('div', 'text')).append(fmt(known.body.replace(/\{\{(\d+)\}\}/g, (_, n) => params[n - 1] ?? '')));
    else {
      const ol = box.appendChild(el('ol', 'template-params'));
      params.forEach((x) => ol.append(el('li', null, x)));
    }
    box.append(el('div', 'template-name', `${t('template')}: ${tp.name || '?'}${code}`));
    // Quick replies: the registered labels, each answering with its payload.
    const row = el('div', 'replies');
    comps.filter((c) => c.type === 'button').sort((a, b) => Number(a.index) - Number(b.index)).forEach((c) => {
      const payload = c.parameters?.find((x) => x.type === 'payload')?.payload;
      const label = known?.buttons?.[Number(c.index)] ?? payload;
      if (!payload) return;
      const b = row.appendChild(el('button', 'reply', label));
      b.type = 'button';
      b.addEventListener('click', () => send({ type: 'button', payload, text: label }));
    });
    if (row.childElementCount) li.append(row);
    return;
  }
  if (type === 'document') {
    box.append(fileCard(p.document));
    if (p.document?.caption) box.appendChild(el('div', 'text')).append(fmt(p.document.caption));
    return;
  }
  if (type === 'image') {
    box.appendChild(el('div', 'text photo-gone')).append(icon('photo'), t('botPhoto'));
    if (p.image?.caption) box.appendChild(el('div', 'text')).append(fmt(p.image.caption));
    return;
  }
  if (type === 'location') {
    const l = p.location || {}, card = box.appendChild(el('div', 'location-card'));
    card.appendChild(el('div', 'loc-pin')).append(icon('pin'), `${l.latitude}, ${l.longitude}`);
    if (l.name || l.address) card.append(el('div', 'text', [l.name, l.address].filter(Boolean).join(', ')));
    card.append(link(t('openMap'), `https://www.openstreetmap.org/?mlat=${l.latitude}&mlon=${l.longitude}#map=17/${l.latitude}/${l.longitude}`));
    return;
  }
  if (type === 'interactive') {
    const it = p.interactive || {};
    if (it.header?.text) box.append(el('div', 'header-text', it.header.text));
    box.appendChild(el('div', 'text')).append(fmt(it.body?.text));
    if (it.footer?.text) box.append(el('div', 'footer-text', it.footer.text));
    const act = it.action || {};
    const row = el('div', 'replies');
    const add = (label, fn, ic) => {
      const b = row.appendChild(el('button', 'reply', label));
      b.type = 'button';
      if (ic) b.prepend(icon(ic));
      b.addEventListener('click', fn);
    };
    if (it.type === 'button')
      for (const b of act.buttons || [])
        add(b.reply?.title, () => sendInteractive(b.reply?.id, b.reply?.title, 'button'));
    else if (it.type === 'list') add(act.button || 'Menu', () => openList(act), 'list');
    else if (it.type === 'location_request_message') add(t('locationTitle'), openLocation, 'pin');
    else box.append(el('div', 'footer-text', t('unknown', 'interactive/' + it.type)));
    if (row.childElementCount) li.append(row);
    return;
  }
  box.append(el('div', 'text', t('unknown', type ?? '?')));
  box.append(el('pre', 'raw', JSON.stringify(p, null, 2)));
}

function bubble(item) {
  const li = el('div', 'msg ' + (item.k === 'me' ? 'out' : 'in'));
  if (item.lid) li.dataset.lid = item.lid;
  const box = li.appendChild(el('div', 'bubble'));
  box.append(el('span', 'visually-hidden', `${t(item.k === 'me' ? 'fromMe' : 'fromBot')}: `));
  if (item.k === 'me') mineContent(box, item);
  else botContent(box, li, item.p);
  box.append(meta(item));
  if (item.k === 'bot' && item.pid) { // a reaction to it, as WhatsApp's long press
    const r = el('button', 'react');
    r.append(icon('thumb'));
    Object.assign(r, { type: 'button', title: t('react') });
    r.setAttribute('aria-label', t('react'));
    r.addEventListener('click', () => send({ type: 'reaction', message_id: item.pid, emoji: '👍' }));
    li.append(r);
  }
  return li;
}

function introItem() {
  const li = el('div', 'system');
  li.appendChild(el('span', null)).append(fmt(t('threadIntro')));
  return li;
}

// Follow the newest message unless the user has scrolled up to read older ones.
let atEnd = true;
thread.addEventListener('scroll', () => { atEnd = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 80; });
function stick(force = false) { if (force || atEnd) { thread.scrollTop = thread.scrollHeight; atEnd = true; } }
new ResizeObserver(() => stick()).observe(thread);

function render() { // the whole thread again: not news for screen readers
  thread.setAttribute('aria-busy', 'true');
  thread.replaceChildren(introItem(), ...S.thread.map(bubble));
  stick(true);
  requestAnimationFrame(() => thread.removeAttribute('aria-busy'));
}

function update(item) {
  const old = thread.querySelector(`[data-lid="${CSS.escape(item.lid)}"]`);
  if (old) old.replaceWith(bubble(item));
  stick();
}

function append(items) {
  for (const it of items) { S.thread.push(it); thread.append(bubble(it)); }
  save();
  stick(items.some((it) => it.k === 'me'));
}

function save(key = threadKey(), data = { after: S.after, items: S.thread }) {
  if (store.set(sessionStorage, key, data)) return;
  // Over the quota: keep the text and drop the photo thumbnails.
  data.items.forEach((it) => delete it.thumb);
  store.set(sessionStorage, key, data);
}

function banner(kind) {
  const b = $('banner');
  b.hidden = !kind;
  b.replaceChildren();
  if (!kind) return;
  b.append(el('p', null, BANNER[kind][0]));
  const en = b.appendChild(el('p', 'en', BANNER[kind][1]));
  en.lang = 'en';
}

function setEnabled(on) {
  document.querySelectorAll('#composer button, #composer textarea, .chips button, #settings-form input, #random')
    .forEach((c) => { c.disabled = !on; });
}

// ---- talking to the server --------------------------------------------------------
async function api(path, opts = {}) {
  const res = await fetch('/sim/api/' + path, { cache: 'no-store', ...opts });
  let body = null;
  try { body = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) {
    const e = new Error(body?.error?.message || `HTTP ${res.status}`);
    Object.assign(e, { status: res.status, code: body?.error?.code, detail: body?.error?.detail });
    throw e;
  }
  return body;
}

function goOff() {
  S.off = true;
  clearTimeout(S.timer);
  banner('off');
  setEnabled(false);
}

async function poll() {
  if (S.off) return;
  if (!S.pnid || !validWa(S.waId)) return schedule();
  if (S.polling) { S.again = true; return; }
  S.polling = true;
  const gen = S.gen;
  try {
    const q = new URLSearchParams({ phone_number_id: S.pnid, wa_id: S.waId, after: String(S.after) });
    const r = await api('messages?' + q);
    if (S.netDown) { S.netDown = false; banner(null); }
    if (gen === S.gen) {
      const fresh = (r?.items || []).filter((m) => m.id > S.after);
      fresh.forEach((m) => { S.after = Math.max(S.after, m.id); });
      if (fresh.length)
        append(fresh.map((m) => ({ k: 'bot', id: m.id, t: m.created_at, p: m.payload, st: m.state, dl: m.delivery,
          pid: m.provider_id })));
    }
  } catch (e) {
    if (e.status === 404) return goOff();
    if (!S.netDown) { S.netDown = true; banner('network'); }
  } finally {
    S.polling = false;
  }
  if (S.again) { S.again = false; poll(); } else schedule();
}

function schedule() {
  clearTimeout(S.timer);
  if (!S.off) S.timer = setTimeout(poll, document.hidden ? 5000 : 1000);
}
const pollSoon = () => { clearTimeout(S.timer); poll(); };

async function send(msg, extra = {}) {
  if (S.off || !S.pnid || !validWa(S.waId)) return;
  const { data_b64: _omit, ...shown } = msg;
  const item = { k: 'me', lid: localId(), t: new Date().toISOString(), m: shown, st: 'sending', ...extra };
  unsent.set(item.lid, msg);
  append([item]);
  await deliver(item, msg);
}

async function deliver(item, msg) {
  const key = threadKey();
  const who = { phone_number_id: S.pnid, wa_id: S.waId, name: S.name.trim() || DEFAULT_NAME };
  try {
    const r = await api('send', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...who, message: msg }) });
    Object.assign(item, { st: 'sent', wamid: r?.wamid, err: undefined });
    unsent.delete(item.lid);
  } catch (e) {
    Object.assign(item, { st: 'failed', err: e.status ? e.message + (e.detail ? ` (${e.detail})` : '') : t('unreachable') });
  }
  if (key === threadKey()) { save(); update(item); pollSoon(); return; }
  const other = store.get(sessionStorage, key); // the user switched conversation meanwhile
  const i = other?.items?.findIndex((x) => x.lid === item.lid) ?? -1;
  if (i >= 0) { other.items[i] = item; save(key, other); }
}

const sendText = (text) => { if (text.trim()) send({ type: 'text', text: text.trim() }); };
const sendInteractive = (id, title, kind) => { if (id) send({ type: 'interactive', reply_id: id, title: title || id, kind }); };

// ---- settings and conversation switching -------------------------------------------
function header() {
  const n = S.numbers.find((x) => x.phone_number_id === S.pnid);
  const name = n?.agency?.name || '—';
  $('chat-title').textContent = name;
  $('chat-phone').textContent = n?.display_phone || '';
  $('chat-me').textContent = n ? t('as', S.waId) : '';
  $('avatar').textContent = name.split(/\s+/).filter((w) => /^\p{L}/u.test(w)).slice(0, 2)
    .map((w) => w[0].toUpperCase()).join('') || '?';
}

const saveSettings = () => store.set(sessionStorage, 'aduan-sim:settings', { pnid: S.pnid, waId: S.waId, name: S.name });

function switchConversation() {
  S.gen++;
  saveSettings();
  const saved = store.get(sessionStorage, threadKey());
  S.thread = Array.isArray(saved?.items) ? saved.items : [];
  S.after = Number(saved?.after) || 0;
  S.thread.forEach((it) => { if (it.st === 'sending') it.st = 'failed'; });
  header();
  render();
  pollSoon();
}

function setWa(raw) {
  const w = raw.replace(/[\s+().-]/g, '');
  const err = $('wa-id-error');
  err.hidden = validWa(w);
  err.textContent = validWa(w) ? '' : t('badWa');
  $('wa-id').setAttribute('aria-invalid', String(!validWa(w)));
  if (!validWa(w)) return;
  $('wa-id').value = w;
  if (w !== S.waId) { S.waId = w; switchConversation(); }
}

// An admin signed in to the dashboard may act as a staff member's number
// (to answer an emergency task with its Terima / Tidak bisa buttons).
async function loadStaff() {
  let items = [];
  try { items = (await api('staff'))?.items || []; } catch { /* not an admin: no list */ }
  const sel = $('act-as');
  $('staff-help').hidden = items.length > 0;
  sel.replaceChildren(el('option', null, t('citizen')), ...items.map((s) => {
    const o = el('option', null, `${s.name} — ${s.agency || s.role || ''} (${s.wa_id})`);
    o.value = s.wa_id;
    o.dataset.name = s.name;
    return o;
  }));
  sel.firstChild.value = '';
  sel.disabled = items.length === 0;
}

async function loadNumbers() {
  try {
    const r = await api('numbers');
    S.numbers = r?.items || [];
  } catch (e) {
    if (e.status === 404) return goOff();
    banner('network');
    setTimeout(loadNumbers, 3000);
    return;
  }
  banner(S.numbers.length ? null : 'empty');
  const sel = $('agency');
  sel.replaceChildren(...S.numbers.map((n) => {
    const o = el('option', null, `${n.agency?.name ?? '?'} (${n.display_phone})`);
    o.value = n.phone_number_id;
    return o;
  }));
  if (!S.numbers.some((n) => n.phone_number_id === S.pnid)) S.pnid = S.numbers[0]?.phone_number_id || '';
  sel.value = S.pnid;
  setEnabled(S.numbers.length > 0);
  switchConversation();
}

// ---- dialogs: list, location, photo --------------------------------------------------
function openList(action) {
  const d = $('list-dialog');
  $('list-title').textContent = action.button || 'Menu';
  const body = $('list-body');
  body.replaceChildren();
  for (const sec of action.sections || []) {
    const group = body.appendChild(el('section', 'list-section'));
    if (sec.title) group.append(el('h3', null, sec.title));
    const ul = group.appendChild(el('ul'));
    for (const r of sec.rows || []) {
      const b = ul.appendChild(el('li')).appendChild(el('button', 'list-row'));
      b.type = 'button';
      b.append(el('span', 'row-title', r.title));
      if (r.description) b.append(el('span', 'row-desc', r.description));
      b.addEventListener('click', () => { d.close(); sendInteractive(r.id, r.title, 'list'); });
    }
  }
  d.showModal();
}

let map = null, marker = null;
const num = (id) => { const v = $(id).value.trim(); return v === '' ? NaN : Number(v); };
const coordsOk = (lat, lon) => Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;

function pick(lat, lon, fromInputs = false) {
  if (!fromInputs) { $('lat').value = lat.toFixed(6); $('lon').value = lon.toFixed(6); }
  if (!map) return;
  if (marker) marker.setLatLng([lat, lon]);
  else marker = window.L.circleMarker([lat, lon], { radius: 9, color: '#ffffff', weight: 3, fillColor: '#d93025', fillOpacity: 1 }).addTo(map);
  if (fromInputs) map.panTo([lat, lon]);
}

function initMap() {
  const note = $('map-note');
  if (!window.L) { $('map').hidden = true; note.dataset.i18n = 'noLeaflet'; note.textContent = t('noLeaflet'); return; }
  if (map) { map.invalidateSize(); return; }
  const L = window.L;
  map = L.map('map', { center: CENTER, zoom: ZOOM });
  const tiles = L.tileLayer('https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png', {
    maxZoom: 19, subdomains: 'abc', referrerPolicy: 'strict-origin-when-cross-origin',
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
  }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  tiles.on('tileerror', () => { note.dataset.i18n = 'tilesFailed'; note.textContent = t('tilesFailed'); note.classList.add('warn'); });
  map.on('click', (e) => pick(e.latlng.lat, e.latlng.lng));
  $('map').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.target === $('map')) { const c = map.getCenter(); pick(c.lat, c.lng); }
  });
  const lat = num('lat'), lon = num('lon');
  if (coordsOk(lat, lon)) pick(lat, lon, true);
}

function openLocation() {
  if (S.off) return;
  $('location-error').hidden = true;
  if (!coordsOk(num('lat'), num('lon'))) { $('lat').value = CENTER[0]; $('lon').value = CENTER[1]; }
  $('location-dialog').showModal();
  requestAnimationFrame(initMap);
}

for (const id of ['lat', 'lon'])
  $(id).addEventListener('input', () => { const la = num('lat'), lo = num('lon'); if (coordsOk(la, lo)) pick(la, lo, true); });

$('location-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const lat = num('lat'), lon = num('lon');
  if (!coordsOk(lat, lon)) {
    Object.assign($('location-error'), { hidden: false, textContent: t('badCoords') });
    return;
  }
  const address = $('address').value.trim();
  $('location-dialog').close();
  $('address').value = '';
  send({ type: 'location', lat, lon, ...(address ? { address } : {}) });
});

let photo = null; // { file, url }

function openPhoto(file) {
  if (photo) URL.revokeObjectURL(photo.url);
  photo = { file, url: URL.createObjectURL(file) };
  const bad = file.type.startsWith('image/') ? '' : t('notImage');
  $('photo-preview').src = photo.url;
  $('photo-preview').alt = file.name;
  $('photo-info').textContent = `${file.name} · ${file.type || '?'} · ${Math.ceil(file.size / 1024)} KB`
    + (file.size > SHRINK_OVER ? ` — ${t('shrink')}` : '');
  Object.assign($('photo-error'), { hidden: !bad, textContent: bad });
  $('photo-form').querySelector('.primary').disabled = !!bad;
  $('caption').value = '';
  $('photo-dialog').showModal();
}

const readB64 = (file) => new Promise((ok, fail) => {
  const r = new FileReader();
  r.onload = () => ok(String(r.result).replace(/^data:[^,]*,/, ''));
  r.onerror = () => fail(r.error);
  r.readAsDataURL(file);
});

// The image at url as a JPEG data URL at most side px wide and high (null if undecodable).
async function scaled(url, side, quality) {
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const k = Math.min(1, side / Math.max(img.naturalWidth, img.naturalHeight));
    const c = Object.assign(document.createElement('canvas'),
      { width: Math.round(img.naturalWidth * k), height: Math.round(img.naturalHeight * k) });
    const g = c.getContext('2d');
    g.fillStyle = '#fff'; // transparent PNGs get a white, not black, background in JPEG
    g.fillRect(0, 0, c.width, c.height);
    g.drawImage(img, 0, 0, c.width, c.height);
    return c.toDataURL('image/jpeg', quality);
  } catch { return null; }
}

$('photo-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!photo) return;
  const { file, url } = photo, button = e.target.querySelector('.primary');
  const fail = (msg) => { Object.assign($('photo-error'), { hidden: false, textContent: msg }); button.disabled = false; };
  const caption = $('caption').value.trim();
  button.disabled = true;
  let mime = file.type, data = null;
  const small = file.size > SHRINK_OVER ? await scaled(url, 1600, 0.82) : null;
  if (small) { mime = 'image/jpeg'; data = small.replace(/^data:[^,]*,/, ''); }
  else try { data = await readB64(file); } catch { return fail(t('readFailed')); }
  const bytes = Math.floor(data.length * 3 / 4);
  if (bytes > MAX_IMAGE) return fail(t('tooBig', (bytes / 1048576).toFixed(1)));
  const thumb = await scaled(url, 320, 0.75);
  button.disabled = false;
  if (!$('photo-dialog').open) return; // cancelled meanwhile
  $('photo-dialog').close();
  send({ type: 'image', mime, data_b64: data, ...(caption ? { caption } : {}) }, { thumb });
});

$('photo-dialog').addEventListener('close', () => {
  if (photo) URL.revokeObjectURL(photo.url);
  photo = null;
  $('photo-preview').removeAttribute('src');
});

document.querySelectorAll('dialog [data-close]').forEach((b) =>
  b.addEventListener('click', () => b.closest('dialog').close()));

// ---- composer, attach menu, quick chips ----------------------------------------------
const text = $('text');
const grow = () => { text.style.height = 'auto'; text.style.height = `${Math.min(text.scrollHeight, 140)}px`; };
text.addEventListener('input', grow);
text.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); $('composer').requestSubmit(); }
});
$('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  sendText(text.value);
  text.value = '';
  grow();
  text.focus();
});
document.querySelectorAll('.chip').forEach((c) => c.addEventListener('click', () => sendText(c.dataset.send)));

const attach = $('attach'), menu = $('attach-menu');
const items = () => [...menu.querySelectorAll('[role=menuitem]')];
function setMenu(open, focusButton = false) {
  menu.hidden = !open;
  attach.setAttribute('aria-expanded', String(open));
  if (open) items()[0].focus();
  else if (focusButton) attach.focus();
}
attach.addEventListener('click', () => setMenu(menu.hidden));
menu.addEventListener('keydown', (e) => {
  const list = items(), i = list.indexOf(document.activeElement);
  if (e.key === 'Escape') { e.preventDefault(); setMenu(false, true); }
  else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    e.preventDefault();
    list[(i + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length].focus();
  } else if (e.key === 'Tab') setMenu(false);
});
document.addEventListener('click', (e) => { if (!menu.hidden && !e.target.closest('.attach-wrap')) setMenu(false); });
$('attach-location').addEventListener('click', () => { setMenu(false); openLocation(); });
$('attach-photo').addEventListener('click', () => { setMenu(false); $('file').click(); });
$('file').addEventListener('change', (e) => {
  const f = e.target.files?.[0];
  e.target.value = '';
  if (f) openPhoto(f);
});

// ---- settings panel, language -----------------------------------------------------------
$('settings-form').addEventListener('submit', (e) => e.preventDefault());
$('agency').addEventListener('change', (e) => { S.pnid = e.target.value; switchConversation(); });
$('wa-id').addEventListener('change', (e) => setWa(e.target.value));
$('wa-id').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); setWa(e.target.value); } });
$('random').addEventListener('click', () => setWa(randomWa()));
$('act-as').addEventListener('change', (e) => {
  const o = e.target.selectedOptions[0];
  if (!o?.value) return;
  S.name = o.dataset.name || S.name;
  $('name').value = S.name;
  setWa(o.value);
});
$('name').addEventListener('input', (e) => { S.name = e.target.value; saveSettings(); });
$('clear').addEventListener('click', () => { S.thread = []; save(); render(); });
function showSettings(open) {
  $('app').classList.toggle('show-settings', open);
  $('settings-toggle').setAttribute('aria-expanded', String(open));
}
$('settings-toggle').addEventListener('click', () => showSettings(!$('app').classList.contains('show-settings')));
document.addEventListener('click', (e) => {
  if ($('app').classList.contains('show-settings') && !e.target.closest('#settings, #settings-toggle')) showSettings(false);
});
$('settings').addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && $('app').classList.contains('show-settings')) { showSettings(false); $('settings-toggle').focus(); }
});

function applyLang() {
  document.documentElement.lang = lang;
  document.querySelectorAll('[data-i18n]').forEach((e) => { e.textContent = t(e.dataset.i18n); });
  document.querySelectorAll('[data-i18n-ph]').forEach((e) => { e.placeholder = t(e.dataset.i18nPh); });
  document.querySelectorAll('[data-i18n-label]').forEach((e) => e.setAttribute('aria-label', t(e.dataset.i18nLabel)));
  const b = $('lang');
  b.textContent = lang === 'id' ? 'EN' : 'ID';
  b.lang = lang === 'id' ? 'en' : 'id';
  b.setAttribute('aria-label', t('toEnglish'));
  document.title = `${t('title')} — aduan`;
  if (!$('wa-id-error').hidden) $('wa-id-error').textContent = t('badWa');
  header();
  render();
}
$('lang').addEventListener('click', () => {
  lang = lang === 'id' ? 'en' : 'id';
  store.set(localStorage, 'aduan-sim:lang', lang);
  applyLang();
});

document.addEventListener('visibilitychange', () => { if (!document.hidden) pollSoon(); });

// ---- start ---------------------------------------------------------------------------
const saved = store.get(sessionStorage, 'aduan-sim:settings') || {};
S.pnid = saved.pnid || '';
S.waId = validWa(saved.waId || '') ? saved.waId : randomWa();
S.name = typeof saved.name === 'string' ? saved.name : DEFAULT_NAME;
$('wa-id').value = S.waId;
$('name').value = S.name;
setEnabled(false);
applyLang();
loadNumbers();
loadStaff();
