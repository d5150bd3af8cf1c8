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
// - Nothing else is touched: changes (POST) go through the page's outbox
//   (outbox.js), tiles come from their own origin.
const VERSION = 'v1';
const SHELL = 'aduan-shell-' + VERSION;
const API = 'aduan-api-v1';
const SHELL_FILES = [
  '/app/', '/app/index.html', '/app/manifest.webmanifest', '/app/icon.svg', '/app/icon-192.png',
  '/app/account.js', '/app/api.js', '/app/app.js', '/app/case.js', '/app/dispatch.js',
  '/app/field.js', '/app/i18n.js', '/app/inbox.js', '/app/lapor.js', '/app/live.js', '/app/notes.js',
  '/app/outbox.js', '/app/report.js', '/app/reports.js', '/app/sla.js', '/app/svc.js',
  '/app/util.js', '/app/app.css', '/app/notes.css', '/app/svc.css',
  '/app/evidence.js', '/app/evidence.css',
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
      if (k.startsWith('aduan-shell-') && k !== SHELL) await caches.delete(k);
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

self.addEventListener('fetch', (ev) => {
  const req = ev.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate' && (url.pathname === '/app/' || url.pathname === '/app/index.html' || url.pathname === '/app')) {
    ev.respondWith(networkFirst(req, SHELL, '/app/'));
  } else if (url.pathname.startsWith('/vendor/leaflet/')) {
    ev.respondWith(cacheFirst(req));
  } else if (url.pathname.startsWith('/app/') && !url.search) {
    ev.respondWith(networkFirst(req, SHELL, url.pathname));
  } else if (API_PATHS.has(url.pathname) && !url.search) {
    ev.respondWith(networkFirst(req, API, url.pathname));
  }
});
