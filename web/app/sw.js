// The field app's service worker (issue 18): a TRC officer in Kalimantan
// opens the dashboard without a signal and still sees the team's tasks,
// their map and what they queued. Scope /app/.
//
// - The shell (this folder's pages, scripts and styles) and Leaflet are
//   stored at install; Leaflet's files never change between versions and
//   are served from the store first, the shell from the network first (a
//   new version of aduan shows at once when online).
// - The answers the field view needs to open (who am I, the tasks, the
//   lists the dashboard loads at start) are network-first with a short
//   timeout, kept as last seen. They hold personal data (the reporter's
//   phone on a task): the page deletes them at logout (app.js), and a 401
//   deletes them here.
// - Map tiles the officer has seen (issue 18) are kept, at most TILES_MAX,
//   the oldest out, so the task map shows them without a signal. Only what
//   the map itself asked for: never a prefetch of an area (the
//   OpenStreetMap tile usage policy forbids bulk downloads), and a kept
//   tile is used for a week before it is asked for again (the policy's
//   "honour caching"). Tiles are fetched with CORS (tile.openstreetmap.org
//   allows it): a tile server without CORS still shows its tiles online,
//   they are just not kept. Tiles are public; they stay at logout.
// - Nothing else is touched: changes (POST) go through the page's outbox
//   (outbox.js).
const VERSION = 'v1';
const SHELL = 'aduan-shell-' + VERSION;
const API = 'aduan-api-v1';
const TILES = 'aduan-tiles-v1';
// About 10 MB of OpenStreetMap tiles (256 px PNG, 10-40 kB): a district's
// task areas at the zooms a phone uses, far under any browser's quota.
const TILES_MAX = 400;
const TILE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const SHELL_FILES = [
  '/app/', '/app/index.html', '/app/manifest.webmanifest', '/app/icon.svg', '/app/icon-192.png',
  '/app/account.js', '/app/api.js', '/app/app.js', '/app/case.js', '/app/dispatch.js',
  '/app/field.js', '/app/hotspots.js', '/app/i18n.js', '/app/inbox.js', '/app/lapor.js', '/app/live.js', '/app/notes.js',
  '/app/outbox.js', '/app/report.js', '/app/reports.js', '/app/sla.js', '/app/svc.js',
  '/app/util.js', '/app/app.css', '/app/notes.css', '/app/svc.css',
  '/app/evidence.js', '/app/evidence.css',
  // issue 18 (ops2): shortcuts, saved filters and bulk actions
  '/app/keys.js', '/app/ops.js', '/app/ops.css',
];
const VENDOR_FILES = [
  '/vendor/leaflet/leaflet.js', '/vendor/leaflet/leaflet.css',
  '/vendor/leaflet/images/marker-icon.png', '/vendor/leaflet/images/marker-icon-2x.png',
  '/vendor/leaflet/images/marker-shadow.png', '/vendor/leaflet/images/layers.png',
  '/vendor/leaflet/images/layers-2x.png',
];
// GET answers kept for offline use (exact paths; a query is not cached).
const API_PATHS = new Set([
  '/api/v1/me', '/api/v1/me/tasks', '/api/v1/categories', '/api/v1/teams', '/api/v1/regions',
  '/api/v1/agencies', '/api/v1/dashboard/settings',
]);
// How long a network answer may take before the stored one is shown (a
// weak signal that does not fail outright).
const NET_TIMEOUT_MS = 6000;

self.addEventListener('install', (ev) => {
  ev.waitUntil((async () => {
    const c = await caches.open(SHELL);
    await c.addAll([...SHELL_FILES, ...VENDOR_FILES]);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil((async () => {
    for (const k of await caches.keys())
      if ((k.startsWith('aduan-shell-') && k !== SHELL) || (k.startsWith('aduan-tiles-') && k !== TILES))
        await caches.delete(k);
    await self.clients.claim();
  })());
});

// The network's answer, or a rejection after NET_TIMEOUT_MS.
function fromNetwork(req) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), NET_TIMEOUT_MS);
    fetch(req).then((r) => { clearTimeout(timer); resolve(r); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

async function networkFirst(req, cacheName, key) {
  const cache = await caches.open(cacheName);
  try {
    const res = await fromNetwork(req);
    if (res.ok) await cache.put(key, res.clone());
    else if (res.status === 401) await caches.delete(API);
    return res;
  } catch (e) {
    const hit = await cache.match(key);
    if (hit) return hit;
    throw e;
  }
}

async function cacheFirst(req) {
  const hit = await caches.match(req, { cacheName: SHELL });
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok) (await caches.open(SHELL)).put(req, res.clone());
  return res;
}

// ---- map tiles ----

// The tile URL template of the server's settings (map.tile_url), kept with
// the tiles so that it is known offline and after a logout.
const TEMPLATE_KEY = '/app/.tile-template';
let tilePattern;

// A RegExp matching the URLs of template ({s} {z} {x} {y} {r} filled).
function patternOf(template) {
  const esc = template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp('^' + esc.replace(/\\\{s\\\}/g, '[a-z0-9-]+').replace(/\\\{[zxy]\\\}/g, '\\d+')
    .replace(/\\\{r\\\}/g, '(@2x)?').replace(/\\\{[a-z]+\\\}/g, '[^/?#]*') + '$');
}

async function learnTemplate(res) {
  try {
    const url = (await res.json()).tile_url;
    if (typeof url !== 'string') return;
    tilePattern = patternOf(url);
    await (await caches.open(TILES)).put(TEMPLATE_KEY, new Response(url));
  } catch (_) { /* not JSON: keep the one we had */ }
}

async function isTile(url) {
  if (tilePattern === undefined) {
    const kept = await (await caches.open(TILES)).match(TEMPLATE_KEY);
    tilePattern = kept ? patternOf(await kept.text()) : null;
  }
  return !!tilePattern && tilePattern.test(url);
}

let trimming = Promise.resolve();
// Drops the oldest tiles beyond TILES_MAX (a cache lists in the order stored).
async function trimTiles(cache) {
  const keys = (await cache.keys()).filter((k) => !k.url.endsWith(TEMPLATE_KEY));
  for (let k = 0; k < keys.length - TILES_MAX; k++) await cache.delete(keys[k]);
}

// Fetches a tile and keeps it; null when it cannot be kept (no CORS, no
// signal). Answers res, or null, for the caller to clone.
async function fetchTile(url, cache) {
  let res;
  try {
    res = await fromNetwork(new Request(url, { mode: 'cors', credentials: 'omit' }));
  } catch (_) {
    return null;
  }
  if (!res.ok) return res;
  const kept = new Response(await res.blob(), { headers: {
    'Content-Type': res.headers.get('Content-Type') || 'image/png', 'X-Aduan-Stored': String(Date.now()) } });
  await cache.put(url, kept.clone());
  // One trim at a time (a map asks for a dozen tiles at once).
  trimming = trimming.then(() => trimTiles(cache)).catch(() => {});
  await trimming;
  return kept;
}

// A tile asked for again while it is on its way (a map redrawn during a
// slow load, a page reloaded) waits for that fetch: fetched once.
const pending = new Map();

async function tile(req) {
  if (!(await isTile(req.url))) return fetch(req);
  const cache = await caches.open(TILES);
  const hit = await cache.match(req.url);
  if (hit && Date.now() - Number(hit.headers.get('X-Aduan-Stored') || 0) < TILE_MAX_AGE_MS) return hit;
  let p = pending.get(req.url);
  if (!p) {
    p = fetchTile(req.url, cache).finally(() => pending.delete(req.url));
    pending.set(req.url, p);
  }
  const res = await p;
  if (!res) return hit || fetch(req); // no CORS (shown, not kept), or no signal (the map shows its markers)
  if (!res.ok) return hit || res.clone();
  return res.clone();
}

self.addEventListener('fetch', (ev) => {
  const req = ev.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) {
    if (req.destination === 'image') ev.respondWith(tile(req));
    return;
  }
  if (req.mode === 'navigate' && (url.pathname === '/app/' || url.pathname === '/app/index.html' || url.pathname === '/app')) {
    ev.respondWith(networkFirst(req, SHELL, '/app/'));
  } else if (url.pathname.startsWith('/vendor/leaflet/')) {
    ev.respondWith(cacheFirst(req));
  } else if (url.pathname.startsWith('/app/') && !url.search) {
    ev.respondWith(networkFirst(req, SHELL, url.pathname));
  } else if (url.pathname === '/api/v1/dashboard/settings' && !url.search) {
    ev.respondWith(networkFirst(req, API, url.pathname).then(async (res) => {
      if (res.ok) await learnTemplate(res.clone());
      return res;
    }));
  } else if (API_PATHS.has(url.pathname) && !url.search) {
    ev.respondWith(networkFirst(req, API, url.pathname));
  }
});
