// Issue 18 in real Chromium: the field view as an installable app that
// works without a signal. A TRC officer opens it once online (the service
// worker stores the shell, Leaflet and the tasks), loses the signal
// (Playwright's context.setOffline), opens it again: the team's tasks, their
// map and the officer's own position are there. They start the case and
// take two photos (made smaller on the phone): the page says they wait.
// The signal returns, the outbox sends them in order, and the case shows
// the transition and exactly two photos (checked through the API), even
// though the answer to one upload was lost on the way back and it was sent
// again (its Idempotency-Key).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, FakeGraph, PASSWORD, ROOT } from './harness.mjs';

// context.setOffline reaches the service worker's own requests only with
// Playwright's service-worker network support (the worker would otherwise
// fetch from the live server and the test would prove nothing: it counts
// the server's requests while offline).
process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS = '1';

let graph, srv, browser;
const HERE = { latitude: -2.3372, longitude: 115.4651 };

// A session for checks beside the browser: its cookie and CSRF token.
async function session(login) {
  const r = await fetch(srv.url + '/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password: PASSWORD }),
  });
  assert.equal(r.status, 200);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const me = await r.json();
  const call = async (method, path, body) => {
    const res = await fetch(srv.url + path, {
      method, headers: { Cookie: cookie, 'X-CSRF-Token': me.csrf_token, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await res.json().catch(() => null);
    assert.ok(res.status < 300, method + ' ' + path + ' ' + res.status + ' ' + JSON.stringify(json));
    return json;
  };
  const bytes = async (path) => Buffer.from(await (await fetch(srv.url + path, { headers: { Cookie: cookie } })).arrayBuffer());
  return { call, bytes };
}

// Width and height of a JPEG (its first SOF marker).
function jpegSize(b) {
  assert.equal(b.readUInt16BE(0), 0xffd8, 'not a JPEG');
  for (let i = 2; i < b.length;) {
    const marker = b.readUInt16BE(i);
    const len = b.readUInt16BE(i + 2);
    if (marker >= 0xffc0 && marker <= 0xffcf && ![0xffc4, 0xffc8, 0xffcc].includes(marker))
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  throw new Error('no SOF');
}

describe('issue 18: the field app offline', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) await graph.stop();
    assert.deepEqual(problems, []);
  });

  it('the service worker stores every file of the shell', () => {
    // A module the list forgets would be missing offline.
    const sw = readFileSync(join(ROOT, 'web/app/sw.js'), 'utf8');
    for (const f of readdirSync(join(ROOT, 'web/app')))
      if (/\.(js|css|html)$/.test(f) && f !== 'sw.js') assert.ok(sw.includes("'/app/" + f + "'"), f + ' not in sw.js');
  });

  it('opens offline, queues a start and two photos, sends them once when online', async () => {
    const admin = await session('admin.satpolpp');
    const kabid = await session('kabid.satpolpp');
    const teams = await admin.call('GET', '/api/v1/teams');
    const paringin = teams.items.find((x) => x.name === 'TRC Pos Paringin').id;
    const cats = await admin.call('GET', '/api/v1/categories');
    const pkl = cats.items.find((x) => x.code === 'pkl').id;
    const c = await admin.call('POST', '/api/v1/cases', {
      category_id: pkl, description: 'Lapak qxoffline menutup trotoar depan pasar', lat: -2.3361, lon: 115.4668,
      address: 'Jl. A. Yani, Paringin', reporter: { name: 'Warga Uji', phone: '081377100001' },
    });
    await admin.call('POST', `/api/v1/cases/${c.id}/transitions`, { action: 'verify' });
    await kabid.call('POST', `/api/v1/cases/${c.id}/transitions`, { action: 'dispatch', team_id: paringin, note: 'Bawa kamera, foto sebelum dan sesudah' });

    // The manifest and the worker, with their content types.
    const man = await fetch(srv.url + '/app/manifest.webmanifest');
    assert.match(man.headers.get('content-type'), /^application\/manifest\+json/);
    const manifest = await man.json();
    assert.equal(manifest.scope, '/app/');
    assert.equal(manifest.start_url, '/app/#/field');
    assert.equal(manifest.display, 'standalone');
    const sw = await fetch(srv.url + '/app/sw.js');
    assert.match(sw.headers.get('content-type'), /^text\/javascript/);

    const ctx = await browser.newContext({
      locale: 'id-ID', viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
      geolocation: HERE, permissions: ['geolocation'],
    });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(srv.url + '/app/#/field');
    await page.fill('#login-name', 'trc.satpolpp');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.locator(`#tasks article[data-id="${c.id}"]`).waitFor();
    // The worker installed (the shell and Leaflet stored) and in control.
    await page.evaluate(async () => { await navigator.serviceWorker.ready; });
    await page.reload();
    await page.locator(`#tasks article[data-id="${c.id}"]`).waitFor();
    assert.ok(await page.evaluate(() => !!navigator.serviceWorker.controller), 'the page is controlled');
    assert.equal(await page.locator('link[rel=manifest]').getAttribute('href'), '/app/manifest.webmanifest');

    // No signal: the app opens from the phone (the server sees no request).
    const served = () => (readFileSync(srv.errPath, 'utf8').match(/path=\/(app\/|api\/v1\/me\/tasks )/g) || []).length;
    await ctx.setOffline(true);
    const before = served();
    assert.ok(before > 5, 'the server logs the requests it answers: ' + before);
    await page.reload();
    const task = page.locator(`#tasks article[data-id="${c.id}"]`);
    await task.waitFor();
    await page.waitForTimeout(200);
    assert.equal(served(), before, 'requests reached the server while offline');
    assert.match(await page.textContent('#net'), /Luring/);
    assert.match(await task.locator('[data-instruction]').textContent(), /Bawa kamera/);
    // The map: the task's marker, and my own position.
    await page.waitForFunction(() => document.querySelectorAll('#field-map path.leaflet-interactive').length >= 2);
    await page.waitForFunction(() => (document.getElementById('field-map').dataset.me || '').startsWith('-2.33720,115.46510'));
    assert.match(await page.textContent('#done-today h2'), /Selesai hari ini/);
    await page.screenshot({ path: join(ARTIFACTS, 'field-offline-open.png'), fullPage: true });

    // Start, then two photos from the camera (large: made smaller on the phone).
    await task.locator('button[data-do=start]').click();
    await task.locator('[data-pending] li').waitFor();
    assert.match(await task.locator('[data-pending]').textContent(), /menunggu sinyal: Tiba di lokasi · mulai tangani/);
    const big = async (hue) => Buffer.from(await page.evaluate((h) => {
      const cv = document.createElement('canvas');
      cv.width = 3200; cv.height = 2400;
      const g = cv.getContext('2d');
      g.fillStyle = `hsl(${h}, 60%, 50%)`; g.fillRect(0, 0, 3200, 2400);
      g.fillStyle = '#fff'; g.fillRect(800, 600, 1600, 1200);
      return cv.toDataURL('image/jpeg', 0.9).split(',')[1];
    }, hue), 'base64');
    const shots = [await big(20), await big(200)];
    await task.locator('input[data-camera]').setInputFiles([
      { name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: shots[0] },
      { name: 'IMG_0002.jpg', mimeType: 'image/jpeg', buffer: shots[1] },
    ]);
    await page.waitForFunction((id) => document.querySelectorAll(`[data-thumbs="${id}"] [data-thumb=waiting]`).length === 2, c.id);
    await page.waitForSelector('#outbox[data-waiting="3"]');
    const panel = await page.textContent('#outbox');
    assert.match(panel, /Menunggu dikirim \(3\)/);
    assert.match(panel, /Tidak ada sinyal/);
    // The result form is there (the start waits), for when the work is done.
    await task.locator('form[data-form=resolve]').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'field-offline-queued.png'), fullPage: true });
    // The top of the page, and the card (docs/OPERATOR.md shows docs-shots.test.mjs' pictures).
    await page.screenshot({ path: join(ARTIFACTS, 'field-offline.png') });
    await task.screenshot({ path: join(ARTIFACTS, 'field-offline-card.png') });
    // Nothing reached the server.
    let now = await admin.call('GET', `/api/v1/cases/${c.id}`);
    assert.equal(now.status, 'dispatched');
    assert.equal(now.attachments.filter((a) => a.source === 'officer').length, 0);

    // The signal returns, but the answer to the first photo is lost on the
    // way back (the server stored it): the outbox sends it again, under the
    // same key, and the server does not store it twice.
    let lost = 0, firstDone;
    const first = new Promise((resolve) => { firstDone = resolve; });
    await ctx.route('**/api/v1/cases/*/attachments', async (route) => {
      if (lost++ === 0) {
        const res = await route.fetch();
        await route.abort('connectionreset');
        firstDone(res.status());
      } else await route.continue();
    });
    await ctx.setOffline(false);
    assert.equal(await first, 201);
    await page.waitForSelector('#outbox[data-waiting="2"]');
    await page.waitForTimeout(300); // the outbox gives up until the next try
    assert.equal(lost, 1);
    now = await admin.call('GET', `/api/v1/cases/${c.id}`);
    assert.equal(now.status, 'in_progress');
    assert.equal(now.attachments.filter((a) => a.source === 'officer').length, 1);
    // "Kirim sekarang" rather than the 15 s wait.
    await page.click('#outbox button:has-text("Kirim sekarang")');
    await page.waitForSelector('#outbox[data-waiting="0"][data-failed="0"]');
    assert.match(await page.textContent('#outbox'), /Semua tindakan sudah terkirim/);
    await page.waitForFunction((id) => document.querySelectorAll(`[data-thumbs="${id}"] [data-thumb=sent]`).length === 2, c.id);
    await task.locator('[data-status=in_progress]').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'field-online-sent.png'), fullPage: true });

    now = await admin.call('GET', `/api/v1/cases/${c.id}`);
    assert.equal(now.status, 'in_progress');
    assert.equal(now.events.filter((e) => e.action === 'start').length, 1);
    const photos = now.attachments.filter((a) => a.source === 'officer');
    assert.equal(photos.length, 2, JSON.stringify(now.attachments));
    for (const p of photos) {
      const size = jpegSize(await admin.bytes(`/api/v1/attachments/${p.id}`));
      assert.ok(Math.max(size.width, size.height) <= 1600, JSON.stringify(size));
      assert.equal(size.width, 1600);
      console.log(`photo: ${shots[0].length} bytes 3200x2400 from the camera -> ${p.size} bytes ${size.width}x${size.height} stored`);
    }
    assert.ok(lost >= 3, 'the lost upload was sent again: ' + lost);

    // Resolve offline too: it waits, then the case leaves the list for "selesai hari ini".
    await ctx.setOffline(true);
    const form = task.locator('form[data-form=resolve]');
    await form.locator('textarea').fill('Lapak sudah dipindahkan ke dalam pasar.');
    await form.locator('button[type=submit]').click();
    await page.waitForSelector('#outbox[data-waiting="1"]');
    await page.locator(`#tasks article[data-id="${c.id}"]`).waitFor({ state: 'detached' });
    await ctx.setOffline(false);
    await page.locator(`#done-today li[data-id="${c.id}"]`).waitFor();
    now = await admin.call('GET', `/api/v1/cases/${c.id}`);
    assert.equal(now.status, 'resolved');
    assert.ok(served() > before, 'online again, the tasks come from the server');
    assert.equal(now.events.filter((e) => e.action === 'resolve').length, 1);

    // Logging out removes the stored answers (the reporter's phone is in them).
    await page.click('#logout');
    await page.waitForSelector('#login-form');
    assert.equal(await page.evaluate(async () => (await caches.keys()).includes('aduan-api-v1')), false);
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  it('an action the server refuses meanwhile is shown with its reason, to retry or drop', async () => {
    const admin = await session('admin.satpolpp');
    const kabid = await session('kabid.satpolpp');
    const teams = (await admin.call('GET', '/api/v1/teams')).items;
    const paringin = teams.find((x) => x.name === 'TRC Pos Paringin').id;
    const juai = teams.find((x) => x.name === 'TRC Pos Juai').id;
    const pkl = (await admin.call('GET', '/api/v1/categories')).items.find((x) => x.code === 'pkl').id;
    const c = await admin.call('POST', '/api/v1/cases', { category_id: pkl, description: 'Reklame qxrefused di pohon' });
    await admin.call('POST', `/api/v1/cases/${c.id}/transitions`, { action: 'verify' });
    await kabid.call('POST', `/api/v1/cases/${c.id}/transitions`, { action: 'dispatch', team_id: paringin });

    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 360, height: 740 }, isMobile: true });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(srv.url + '/app/#/field');
    await page.fill('#login-name', 'trc.satpolpp');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    const task = page.locator(`#tasks article[data-id="${c.id}"]`);
    await task.waitFor();
    await ctx.setOffline(true);
    await task.locator('button[data-do=start]').click();
    await page.waitForSelector('#outbox[data-waiting="1"]');
    // Meanwhile the kepala bidang gives the case to another team.
    await kabid.call('POST', `/api/v1/cases/${c.id}/transitions`, { action: 'dispatch', team_id: juai });
    await ctx.setOffline(false);
    await page.waitForSelector('#outbox[data-waiting="0"][data-failed="1"]');
    const panel = page.locator('#outbox');
    assert.match(await panel.textContent(), /Ditolak, perlu keputusan Anda \(1\)/);
    assert.match(await panel.textContent(), /Ditolak server: .*petugas lapangan hanya melihat kasus tim sendiri/);
    assert.match(await panel.textContent(), /Coba lagi/);
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'field-outbox-refused.png') });
    await panel.locator('button:has-text("Buang")').click();
    await page.waitForSelector('#outbox[data-waiting="0"][data-failed="0"]');
    const now = await admin.call('GET', `/api/v1/cases/${c.id}`);
    assert.equal(now.status, 'dispatched');
    assert.equal(now.team.id, juai);
    assert.equal(now.events.filter((e) => e.action === 'start').length, 0);
    assert.deepEqual(errors, []);
    await ctx.close();
  });
  // Issue 18: the map's tiles the officer has seen are kept by the service
  // worker (from the tile server of ADUAN_MAP_TILE_URL: here the fake, on
  // this machine), shown offline, at most 400, the oldest out; nothing is
  // fetched that the map did not ask for.
  it('keeps the map tiles it has seen and shows them offline, at most 400', async () => {
    await graph.control('POST', 'tiles', { enabled: true });
    const admin = await session('admin.satpolpp');
    const kabid = await session('kabid.satpolpp');
    const paringin = (await admin.call('GET', '/api/v1/teams')).items.find((x) => x.name === 'TRC Pos Paringin').id;
    const pkl = (await admin.call('GET', '/api/v1/categories')).items.find((x) => x.code === 'pkl').id;
    const c = await admin.call('POST', '/api/v1/cases', { category_id: pkl, description: 'Lapak qxtiles di bahu jalan', lat: -2.3361, lon: 115.4668 });
    await admin.call('POST', `/api/v1/cases/${c.id}/transitions`, { action: 'verify' });
    await kabid.call('POST', `/api/v1/cases/${c.id}/transitions`, { action: 'dispatch', team_id: paringin });

    const ctx = await browser.newContext({
      locale: 'id-ID', viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
      geolocation: HERE, permissions: ['geolocation'],
    });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(srv.url + '/app/#/field');
    await page.fill('#login-name', 'trc.satpolpp');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.locator(`#tasks article[data-id="${c.id}"]`).waitFor();
    await page.evaluate(async () => { await navigator.serviceWorker.ready; });
    // From here the worker is in control (the first page, whose tiles the
    // browser fetched by itself, was not).
    await page.waitForLoadState('networkidle');
    const start = await graph.lastSeq();
    await page.reload();
    await page.locator(`#tasks article[data-id="${c.id}"]`).waitFor();
    const loadedTiles = () => page.waitForFunction(() => document.querySelectorAll('#field-map img.leaflet-tile-loaded').length >= 4);
    await loadedTiles();
    const stored = () => page.evaluate(async () => (await (await caches.open('aduan-tiles-v1')).keys())
      .map((r) => r.url).filter((u) => u.includes('/tiles/')));
    const seen = await page.evaluate(() => [...document.querySelectorAll('#field-map img.leaflet-tile-loaded')].map((i) => i.src));
    await page.waitForFunction(async (n) => (await (await caches.open('aduan-tiles-v1')).keys()).length > n, seen.length - 1);
    const kept = await stored();
    for (const u of seen) assert.ok(kept.includes(u), u + ' not kept');
    const tileRequests = async (since) => (await graph.requests(since)).filter((r) => r.kind === 'tile');
    // Only the tiles the map showed were fetched (no prefetch), each once
    // (or none: the browser's own cache may still hold the first page's).
    const fetched = (await tileRequests(start)).map((r) => r.path);
    assert.equal(new Set(fetched).size, fetched.length, 'a tile fetched twice');
    assert.ok(fetched.length <= kept.length + 4, fetched.length + ' fetched, ' + kept.length + ' kept');

    // No signal: the map opens with its tiles, none asked from the tile server.
    const seq = await graph.lastSeq();
    await ctx.setOffline(true);
    await page.reload();
    await page.locator(`#tasks article[data-id="${c.id}"]`).waitFor();
    await loadedTiles();
    assert.match(await page.textContent('#net'), /Luring/);
    assert.deepEqual(await tileRequests(seq), []);
    await page.locator('#field-map').screenshot({ path: join(ARTIFACTS, 'field-offline-tiles.png') });

    // Online again: many more tiles (as a long day of panning would show)
    // leave the newest 400, the first ones out.
    await ctx.setOffline(false);
    const urls = Array.from({ length: 450 }, (_, k) => `${graph.url}/tiles/18/${200000 + k}/130000.png`);
    for (let k = 0; k < urls.length; k += 50)
      await page.evaluate((batch) => Promise.all(batch.map((u) => new Promise((res, rej) => {
        const img = new Image();
        img.onload = res;
        img.onerror = () => rej(new Error('tile ' + u));
        img.src = u;
      }))), urls.slice(k, k + 50));
    const after = await stored();
    assert.equal(after.length, 400);
    assert.ok(after.includes(urls[449]) && after.includes(urls[50]), 'the newest are kept');
    assert.ok(!after.includes(urls[49]) && !seen.some((u) => after.includes(u)), 'the oldest are out');
    // At logout the tiles stay (public map pictures; the answers go).
    await page.click('#logout');
    await page.waitForSelector('#login-form');
    assert.equal((await stored()).length, 400);
    assert.deepEqual(errors, []);
    await ctx.close();
    await graph.control('POST', 'tiles', { enabled: false });
  });
});
