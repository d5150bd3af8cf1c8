// The field officer's outbox (issue 18): start, photos and resolve are
// written to IndexedDB first and sent from there, in the order they were
// made, each with its own Idempotency-Key, so an action taken without a
// signal waits on the phone and one sent twice (the answer lost on the
// way back) changes the case once. Items belong to the officer who made
// them (user_id): another login on the same phone never sends them.
import { api } from './api.js';

const DB_NAME = 'aduan-field';
const STORE = 'outbox';
// Photos are made smaller on the phone before they wait or travel: the
// longest side at most this many pixels, JPEG at this quality.
export const PHOTO_MAX_PX = 1600;
const PHOTO_QUALITY = 0.85;

let dbp = null;
function db() {
  if (!dbp) dbp = new Promise((resolve, reject) => {
    const rq = indexedDB.open(DB_NAME, 1);
    rq.onupgradeneeded = () => rq.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
    rq.onsuccess = () => resolve(rq.result);
    rq.onerror = () => { dbp = null; reject(rq.error); };
  });
  return dbp;
}

async function tx(mode, fn) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const t = d.transaction(STORE, mode);
    const out = fn(t.objectStore(STORE));
    t.oncomplete = () => resolve(out && 'result' in out ? out.result : undefined);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

const listeners = new Set();
// fn() runs whenever the outbox changes (queued, sent, failed, dropped).
export function onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }
function changed() { for (const fn of listeners) { try { fn(); } catch (_) { /* a page gone */ } } }

// Every item of the user, oldest first.
export async function items(userId) {
  const all = await tx('readonly', (s) => s.getAll());
  return (all || []).filter((x) => x.user_id === userId).sort((a, b) => a.seq - b.seq);
}

// Queues a transition ({action, public_note, ...}) of case c.
export async function queueTransition(userId, c, body) {
  await tx('readwrite', (s) => s.add({
    user_id: userId, case_id: c.id, code: c.tracking_code, kind: 'transition', body,
    key: newKey(), created_at: new Date().toISOString(), state: 'waiting', error: null,
  }));
  changed();
}

// Queues a photo (a Blob, already made smaller) for case c.
export async function queuePhoto(userId, c, blob) {
  await tx('readwrite', (s) => s.add({
    user_id: userId, case_id: c.id, code: c.tracking_code, kind: 'photo', blob,
    key: newKey(), created_at: new Date().toISOString(), state: 'waiting', error: null,
  }));
  changed();
}

export async function drop(seq) { await tx('readwrite', (s) => s.delete(seq)); changed(); }

async function put(item) { await tx('readwrite', (s) => s.put(item)); }

// A failed item goes back to the queue, at its place.
export async function retry(item) { await put({ ...item, state: 'waiting', error: null }); changed(); drainSoon(); }

// The phone's picture made at most PHOTO_MAX_PX on its longest side and
// encoded as JPEG (which also leaves the camera's EXIF behind).
export async function shrink(file) {
  const bmp = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const scale = Math.min(1, PHOTO_MAX_PX / Math.max(bmp.width, bmp.height));
  const w = Math.max(1, Math.round(bmp.width * scale)), h = Math.max(1, Math.round(bmp.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.getContext('2d').drawImage(bmp, 0, 0, w, h);
  if (bmp.close) bmp.close();
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob'))), 'image/jpeg', PHOTO_QUALITY));
}

function send(item) {
  const headers = { 'Idempotency-Key': item.key };
  if (item.kind === 'photo')
    return api('POST', '/api/v1/cases/' + item.case_id + '/attachments', item.blob, 'image/jpeg', headers);
  return api('POST', '/api/v1/cases/' + item.case_id + '/transitions', item.body, undefined, headers);
}

// Worth sending again later: no signal, the server busy or restarting, the
// first copy still running (409 with Retry-After), the session gone (the
// officer logs in again).
function transient(e) {
  return e.status === 0 || e.status === 401 || e.status === 429 || e.status >= 500 ||
    (e.status === 409 && e.retryAfter);
}

let user = null, running = null, timer = null;
// Which officer's items drain() sends (app.js, at login and logout).
export function setUser(id) { user = id; if (id) drainSoon(); }

// Sends the waiting items, one at a time, oldest first; stops at the first
// that cannot go now (tried again when the signal returns, or in 15 s).
// Resolves with how many were sent.
export function drain() {
  if (!running) running = run().finally(() => { running = null; });
  return running;
}

function drainSoon(ms = 0) {
  clearTimeout(timer);
  timer = setTimeout(() => { drain().catch(() => {}); }, ms);
}

async function run() {
  let sent = 0;
  while (user) {
    const next = (await items(user)).find((x) => x.state === 'waiting');
    if (!next) break;
    try {
      await send(next);
      await tx('readwrite', (s) => s.delete(next.seq));
      sent++;
      changed();
    } catch (e) {
      if (transient(e)) { drainSoon(15000); break; }
      // Refused for good (the case changed meanwhile): the officer decides.
      await put({ ...next, state: 'failed', error: e.message });
      changed();
    }
  }
  if (sent) window.dispatchEvent(new CustomEvent('aduan:outbox-sent', { detail: { sent } }));
  return sent;
}

window.addEventListener('online', () => drainSoon(0));
