// Evidence on the case page (issue 18).
//
// - A viewer over the page for the case's photos and PDFs: zoom with the
//   buttons, the mouse wheel or two fingers (pointer events), pan by
//   dragging, previous/next with the arrow keys (or a swipe), Esc closes
//   and the focus returns to what opened it. PDFs are shown inline (the
//   server lets only our own pages frame them) with a download link.
// - The case's access log, for the agency's admin: who looked at the
//   reporter's identity documents, when, which file and how. The server
//   writes each entry itself on the file's GET (view=thumb, view=full or
//   download=1 say how it was shown); this page only asks for the file.
import { get, api } from './api.js';
import { getLang } from './i18n.js';
import { el, clear, when } from './util.js';

const T = {
  id: {
    viewer: 'Pratinjau berkas', close: 'Tutup', prev: 'Sebelumnya', next: 'Berikutnya',
    zoom_in: 'Perbesar', zoom_out: 'Perkecil', fit: 'Pas layar', download: 'Unduh', of: 'dari',
    photo: 'Foto', pdf: 'Dokumen PDF', pdf_hint: 'Jika PDF tidak tampil di perangkat ini, pakai tombol Unduh.',
    preview: 'Pratinjau', mark: 'Tandai dokumen identitas', marked: 'Dokumen identitas ✓',
    mark_help: 'Dokumen identitas pelapor: setiap kali dilihat tercatat di log akses.',
    identity_document_mark: 'Menandai dokumen identitas', identity_document_unmark: 'Mencabut tanda dokumen identitas', access_log: 'Log akses data pelapor', only_identity: 'Hanya dokumen identitas',
    refresh: 'Muat ulang', al_empty: 'Belum ada akses yang tercatat.', al_when: 'Waktu', al_who: 'Petugas',
    al_what: 'Akses', al_file: 'Berkas', al_help: 'Setiap kali dokumen identitas pelapor dilihat (termasuk gambar kecil di percakapan) server mencatatnya di sini.',
    v_thumb: 'gambar kecil', v_full: 'tampilan penuh', v_download: 'diunduh',
    identity_document_view: 'Melihat dokumen identitas', reporter_read: 'Membuka data pelapor',
    conversation_read: 'Membaca percakapan', identity_read: 'Membuka NIK dan berkas permohonan',
    identity_document_read: 'Mengunduh berkas permohonan', reporter_list_read: 'Daftar kasus dengan data pelapor',
  },
  en: {
    viewer: 'File preview', close: 'Close', prev: 'Previous', next: 'Next',
    zoom_in: 'Zoom in', zoom_out: 'Zoom out', fit: 'Fit to screen', download: 'Download', of: 'of',
    photo: 'Photo', pdf: 'PDF document', pdf_hint: 'If the PDF does not show on this device, use Download.',
    preview: 'Preview', mark: 'Mark as identity document', marked: 'Identity document ✓',
    mark_help: "The reporter's identity document: every view is recorded in the access log.",
    identity_document_mark: 'Marked an identity document', identity_document_unmark: 'Unmarked an identity document', access_log: "Access log of the reporter's data", only_identity: 'Identity documents only',
    refresh: 'Reload', al_empty: 'No access recorded yet.', al_when: 'When', al_who: 'Staff',
    al_what: 'Access', al_file: 'File', al_help: "Every time a reporter's identity document is seen (thumbnails in the chat too) the server records it here.",
    v_thumb: 'thumbnail', v_full: 'full view', v_download: 'downloaded',
    identity_document_view: 'Viewed an identity document', reporter_read: "Opened the reporter's data",
    conversation_read: 'Read the conversation', identity_read: 'Opened the NIK and request files',
    identity_document_read: 'Downloaded a request file', reporter_list_read: "Case list with reporters' data",
  },
};
const s = (k) => (T[getLang()] && T[getLang()][k]) || T.id[k] || k;

export const fileUrl = (id, view) => '/api/v1/attachments/' + id + (view ? '?view=' + view : '');
export const downloadUrl = (id) => '/api/v1/attachments/' + id + '?download=1';

// Whether the viewer shows this attachment (a stored picture or PDF).
export function previewable(a) {
  return !!a && a.state === 'stored' && (a.mime.startsWith('image/') || a.mime === 'application/pdf');
}

const MIN = 1;
const MAX = 8;
const STEP = 1.5;
// A horizontal drag this long (CSS px) at normal size is a swipe to the next file.
const SWIPE = 60;

const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));

function button(label, title, onclick, data) {
  return el('button', { type: 'button', class: 'lb-btn', title, 'aria-label': title, 'data-lb': data, onclick }, label);
}

// Opens the viewer on items[start] ({id, mime, label}); opener gets the
// focus back when it closes; onClose runs then.
export function openViewer(items, start, opener, onClose) {
  if (!items.length) return null;
  let i = clamp(start, 0, items.length - 1);
  let scale = 1, tx = 0, ty = 0;
  let img = null;
  const pointers = new Map();
  let pinch = null, moved = 0, downX = 0;

  const title = el('h2', { id: 'lb-title', class: 'lb-title' });
  const counter = el('span', { class: 'lb-count', 'aria-live': 'polite' });
  const level = el('output', { class: 'lb-level', 'aria-live': 'polite' });
  const zoomOut = button('−', s('zoom_out'), () => zoomAt(0, 0, scale / STEP), 'zoom-out');
  const zoomIn = button('+', s('zoom_in'), () => zoomAt(0, 0, scale * STEP), 'zoom-in');
  const fit = button('⤢', s('fit'), () => zoomAt(0, 0, 1), 'fit');
  const dl = el('a', { class: 'button lb-btn', download: '', 'data-lb': 'download' }, s('download'));
  // The desk marks a file (a KTP photo in the chat) as an identity document.
  const mark = el('button', { type: 'button', class: 'lb-btn lb-mark', 'data-lb': 'identity', title: s('mark_help') });
  mark.addEventListener('click', async () => {
    const it = items[i];
    mark.disabled = true;
    try {
      const r = await api('PUT', '/api/v1/attachments/' + it.id + '/identity', { identity: !it.marked });
      it.marked = r.marked;
      it.identity = r.identity;
      if (it.att) it.att.identity = r.identity;
      // The page that lists the file keeps the mark over an older answer.
      document.dispatchEvent(new CustomEvent('aduan-identity', { detail: { id: it.id, identity: r.identity } }));
    } catch (e) {
      mark.title = e.message;
    }
    mark.disabled = false;
    showMark();
  });
  const closeBtn = button('×', s('close'), () => close(), 'close');
  const prev = button('‹', s('prev'), () => go(-1), 'prev');
  const next = button('›', s('next'), () => go(1), 'next');
  const stage = el('div', { class: 'lb-stage' });
  const hint = el('p', { class: 'lb-hint', hidden: true }, s('pdf_hint'));
  const box = el('div', { class: 'lb', id: 'lightbox', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'lb-title' },
    el('div', { class: 'lb-bar' }, title, counter,
      el('div', { class: 'lb-tools' }, zoomOut, level, zoomIn, fit, mark, dl, closeBtn)),
    el('div', { class: 'lb-body' }, prev, stage, next), hint);

  // The page behind is out of reach (keyboard, screen readers) while open.
  const behind = [...document.body.children].filter((n) => n !== box && !n.inert);
  for (const n of behind) n.inert = true;
  document.body.classList.add('lb-open');

  function apply() {
    if (img) {
      // Panning stops at the picture's edges.
      const w = img.offsetWidth * scale, h = img.offsetHeight * scale;
      const mx = Math.max(0, (w - stage.clientWidth) / 2), my = Math.max(0, (h - stage.clientHeight) / 2);
      tx = clamp(tx, -mx, mx);
      ty = clamp(ty, -my, my);
      img.style.transform = `translate(${tx}px, ${ty}px) scale(${scale})`;
    }
    box.dataset.scale = scale.toFixed(2);
    level.textContent = Math.round(scale * 100) + '%';
    zoomOut.disabled = !img || scale <= MIN;
    zoomIn.disabled = !img || scale >= MAX;
    fit.disabled = !img || scale === 1;
  }

  // Zooms to s2 keeping the point (px, py), relative to the stage's centre, still.
  function zoomAt(px, py, s2) {
    if (!img) return;
    s2 = clamp(s2, MIN, MAX);
    tx = px - (px - tx) * (s2 / scale);
    ty = py - (py - ty) * (s2 / scale);
    scale = s2;
    if (scale === 1) tx = ty = 0;
    apply();
  }

  const fromCentre = (x, y) => {
    const r = stage.getBoundingClientRect();
    return [x - r.left - r.width / 2, y - r.top - r.height / 2];
  };

  function show() {
    const it = items[i];
    scale = 1; tx = ty = 0;
    pointers.clear();
    pinch = null;
    clear(stage);
    const pdf = it.mime === 'application/pdf';
    box.dataset.kind = pdf ? 'pdf' : 'image';
    box.dataset.id = it.id;
    title.textContent = it.label || (pdf ? s('pdf') : s('photo')) + ' ' + it.id;
    counter.textContent = items.length > 1 ? (i + 1) + ' ' + s('of') + ' ' + items.length : '';
    dl.href = downloadUrl(it.id);
    prev.hidden = next.hidden = items.length < 2;
    hint.hidden = !pdf;
    showMark();
    // An identity document is asked for again at each opening (the browser
    // would show the picture it already has), so each view is on the log.
    const src = fileUrl(it.id, 'full') + (it.identity ? '&at=' + Date.now() : '');
    if (pdf) {
      img = null;
      stage.append(el('iframe', { class: 'lb-pdf', src, title: title.textContent }));
    } else {
      img = el('img', { class: 'lb-img', src, alt: title.textContent, draggable: 'false' });
      img.addEventListener('load', apply);
      stage.append(img);
    }
    apply();
  }

  function showMark() {
    const it = items[i];
    mark.hidden = !it.markable;
    mark.textContent = it.identity ? s('marked') : s('mark');
    mark.setAttribute('aria-pressed', it.identity ? 'true' : 'false');
    box.dataset.identity = it.identity ? '1' : '0';
  }

  function go(d) {
    if (items.length < 2) return;
    i = (i + d + items.length) % items.length;
    show();
  }

  function close() {
    document.removeEventListener('keydown', onKey, true);
    box.remove();
    for (const n of behind) n.inert = false;
    document.body.classList.remove('lb-open');
    if (opener && opener.isConnected) opener.focus();
    if (onClose) onClose();
  }

  function onKey(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const k = ev.key;
    if (k === 'Escape') close();
    else if (k === 'ArrowLeft') go(-1);
    else if (k === 'ArrowRight') go(1);
    else if (k === '+' || k === '=') zoomAt(0, 0, scale * STEP);
    else if (k === '-') zoomAt(0, 0, scale / STEP);
    else if (k === '0') zoomAt(0, 0, 1);
    else if (k === 'Tab') {
      // The focus stays inside the dialog.
      const f = [...box.querySelectorAll('button:not([disabled]):not([hidden]), a[href], iframe')];
      if (!f.length) return;
      const at = f.indexOf(document.activeElement);
      const to = ev.shiftKey ? (at <= 0 ? f.length - 1 : at - 1) : (at === f.length - 1 ? 0 : at + 1);
      f[to].focus();
    } else {
      // The page's own shortcuts (keys.js: v verifies, a assigns...) wait
      // while the viewer covers the page.
      ev.stopPropagation();
      return;
    }
    ev.preventDefault();
    ev.stopPropagation();
  }
  document.addEventListener('keydown', onKey, true);

  stage.addEventListener('wheel', (ev) => {
    if (!img) return;
    ev.preventDefault();
    const [px, py] = fromCentre(ev.clientX, ev.clientY);
    zoomAt(px, py, scale * Math.exp(-ev.deltaY * 0.002));
  }, { passive: false });
  stage.addEventListener('dblclick', (ev) => {
    const [px, py] = fromCentre(ev.clientX, ev.clientY);
    zoomAt(px, py, scale > 1 ? 1 : 2.5);
  });

  // One pointer pans; two pinch (the distance between them is the zoom).
  const spread = () => {
    const [a, b] = [...pointers.values()];
    return { d: Math.hypot(a.x - b.x, a.y - b.y) || 1, x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  };
  stage.addEventListener('pointerdown', (ev) => {
    if (!img) return;
    try { stage.setPointerCapture(ev.pointerId); } catch (_) { /* a synthetic pointer */ }
    pointers.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
    if (pointers.size === 2) pinch = { ...spread(), s0: scale };
    if (pointers.size === 1) { moved = 0; downX = ev.clientX; }
    ev.preventDefault();
  });
  stage.addEventListener('pointermove', (ev) => {
    const p = pointers.get(ev.pointerId);
    if (!p) return;
    const dx = ev.clientX - p.x, dy = ev.clientY - p.y;
    p.x = ev.clientX; p.y = ev.clientY;
    if (pinch && pointers.size >= 2) {
      const now = spread();
      const [px, py] = fromCentre(now.x, now.y);
      zoomAt(px, py, pinch.s0 * (now.d / pinch.d));
    } else if (pointers.size === 1) {
      moved += Math.abs(dx) + Math.abs(dy);
      if (scale > 1) { tx += dx; ty += dy; apply(); }
    }
  });
  const up = (ev) => {
    if (!pointers.delete(ev.pointerId)) return;
    if (pointers.size < 2) pinch = null;
    if (pointers.size === 0 && scale === 1 && ev.type === 'pointerup') {
      const dx = ev.clientX - downX;
      if (Math.abs(dx) > SWIPE) go(dx < 0 ? 1 : -1);
    }
  };
  stage.addEventListener('pointerup', up);
  stage.addEventListener('pointercancel', up);
  box.addEventListener('click', (ev) => { if (ev.target === box) close(); });

  document.body.append(box);
  show();
  closeBtn.focus();
  return { close, box };
}

// The viewer's items from a case's attachments (stored pictures and PDFs);
// markable: the user may mark them as identity documents (the desk).
export function viewerItems(attachments, markable) {
  return attachments.filter(previewable).map((a) => ({
    id: a.id, mime: a.mime, att: a, identity: !!a.identity, marked: !!a.identity, markable: !!markable,
    label: (a.mime === 'application/pdf' ? s('pdf') : s('photo')) + ' ' + a.id + (a.filename ? ' · ' + a.filename : ''),
  }));
}

// A button that opens the viewer on attachment id of attachments.
export function previewButton(attachments, id, onClose) {
  const b = el('button', { type: 'button', class: 'link lb-open-btn', 'data-preview': id }, s('preview'));
  b.addEventListener('click', () => {
    const items = viewerItems(attachments);
    openViewer(items, Math.max(0, items.findIndex((x) => x.id === id)), b, onClose);
  });
  return b;
}

// The case's access log (admins): a card; refresh() reloads it.
export function accessLogCard(caseId) {
  const only = el('input', { type: 'checkbox', id: 'al-only', checked: true });
  const body = el('div', { class: 'table-wrap plain', id: 'access-log-rows' });
  const card = el('section', { class: 'card', id: 'access-log', 'aria-labelledby': 'h-al' },
    el('h2', { id: 'h-al' }, s('access_log')),
    el('p', { class: 'muted' }, s('al_help')),
    el('div', { class: 'al-tools' },
      el('label', { class: 'inline', for: 'al-only' }, only, ' ', s('only_identity')),
      el('button', { type: 'button', 'data-al': 'refresh', onclick: () => refresh() }, s('refresh'))),
    body);
  let seq = 0;
  async function refresh() {
    const mine = ++seq;
    let r;
    try {
      r = await get('/api/v1/cases/' + caseId + '/access-log' + (only.checked ? '?identity=1' : ''));
    } catch (e) {
      if (mine === seq) clear(body).append(el('p', { class: 'error' }, e.message));
      return;
    }
    if (mine !== seq) return;
    clear(body);
    if (!r.items.length) {
      body.append(el('p', { class: 'muted', 'data-al': 'empty' }, s('al_empty')));
      return;
    }
    const lang = getLang();
    body.append(el('table', { class: 'cases al' },
      el('thead', {}, el('tr', {}, el('th', {}, s('al_when')), el('th', {}, s('al_who')),
        el('th', {}, s('al_what')), el('th', {}, s('al_file')))),
      el('tbody', {}, r.items.map((e) => el('tr', { 'data-action': e.action, 'data-view': e.view || '', 'data-attachment': e.attachment_id || '' },
        el('td', {}, when(e.at, lang)),
        el('td', {}, e.login || '—'),
        el('td', {}, s(e.action) + (e.view ? ' (' + s('v_' + e.view) + ')' : '')),
        el('td', {}, e.attachment_id ? '#' + e.attachment_id : '—'))))));
  }
  only.addEventListener('change', refresh);
  refresh();
  card.refresh = refresh;
  return card;
}
