// The operator guide's pictures (docs/OPERATOR.md), taken from the demo in
// real Chromium, each asserting what it shows so that a picture of a broken
// page fails the test: the inbox's three views with their unread counts,
// taking a case, a case page with a second operator present and the canned
// reply inserted, the LAPOR! worklist, the admin's Webhook tab, the field app
// on a 360 px phone (tasks, map, the queue while offline, then the case page
// showing the start and the photos once), the public list and map, a tracking
// page with its follow button, and the simulator's template buttons.
// Pictures: build/artifacts/docs-*.png (docs/img/ holds copies of them).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, Citizen, FakeGraph, PASSWORD, textOf } from './harness.mjs';

// The offline step must cut the service worker's own fetches too (see
// field-offline.test.mjs), else the queue would not wait.
process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS = '1';

const WA = '6281313180001';
const HERE = { latitude: -2.3372, longitude: 115.4651 };
let graph, srv, browser, receiver, admin, kabid, adminUser, kabidUser, fieldCase;
const hooks = [];

const shot = (name) => join(ARTIFACTS, 'docs-' + name + '.png');

async function context(opts = {}) {
  const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 800 }, ...opts });
  await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
  return ctx;
}

async function login(ctx, user, path = '/') {
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  page.on('dialog', (d) => d.dismiss());
  await page.goto(srv.url + path);
  await page.fill('#login-name', user);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#top:not([hidden])');
  if (path !== '/' && !path.startsWith('/app/')) await page.goto(srv.url + path);
  return page;
}

// A picture of the page from its top down to the bottom of `sel` (plus a
// margin), at most `max` pixels high: what the guide talks about, no more.
async function shotDownTo(page, name, sel, max = 900) {
  const box = await page.locator(sel).boundingBox();
  assert.ok(box, sel + ' is on the page');
  const width = page.viewportSize().width;
  const height = Math.min(max, Math.ceil(box.y + box.height + 12));
  await page.screenshot({ path: shot(name), clip: { x: 0, y: 0, width, height }, fullPage: true });
}

async function ok(p) {
  const r = await p;
  assert.ok(r.status < 300, JSON.stringify(r.json));
  return r.json;
}

// A citizen reports to Satpol PP on WhatsApp, as the demo's guide tells:
// the case ({id, code}).
async function report(wa, name, words) {
  const citizen = new Citizen(srv, graph, wa, name);
  // Taps with the titles WhatsApp would show (the conversation is in a picture).
  const tap = (id, title, button = false) => citizen.say('interactive', { id, title, button });
  await citizen.text('halo');
  await tap('menu:report', 'Buat laporan');
  const cats = (await tap('consent:yes', 'Setuju', true))[0].interactive.action.sections[0].rows;
  const pkl = cats.find((r) => /Pedagang/.test(r.title));
  await tap(pkl.id, pkl.title);
  await citizen.text(words);
  await citizen.text('Jl. A. Yani depan Pasar Paringin');
  await tap('kec:63.11.06', 'Paringin');
  await tap('photos:skip', 'Lewati', true);
  const done = textOf((await tap('confirm:send', 'Kirim', true))[0]);
  const c = done.match(/\*([0-9A-Z]{4}-[0-9A-Z]{4})\*/)[1];
  const list = (await ok(admin.call('GET', '/api/v1/cases?limit=50'))).items;
  return { id: list.find((x) => x.tracking_code === c).id, code: c };
}

describe('the operator guide in pictures', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    receiver = createServer((req, res) => {
      req.on('data', () => {});
      req.on('end', () => { hooks.push(req.headers['x-aduan-event']); res.writeHead(200).end('ok'); });
    });
    await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    admin = await srv.session('admin.satpolpp');
    kabid = await srv.session('kabid.satpolpp');
    adminUser = admin.me.user;
    kabidUser = kabid.me.user;
    // A citizen's report on WhatsApp, already the admin's, not opened yet.
    const mine = await report(WA, 'Rahmah', 'Lapak di atas saluran air dekat terminal, air meluap ke jalan');
    await ok(admin.call('PUT', `/api/v1/cases/${mine.id}/assignee`, { user_id: adminUser.id }));
    srv.mine = mine;
  });

  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    if (receiver) receiver.close();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
  });

  it('the inbox: three views, the unread counts, a report arriving live', async () => {
    // The kepala bidang's own case, and one nobody holds, by telephone.
    const cats = (await ok(admin.call('GET', '/api/v1/categories'))).items;
    const theirs = (await ok(admin.call('POST', '/api/v1/cases', {
      category_id: cats.find((k) => k.code === 'pkl').id, channel: 'phone',
      description: 'Gerobak di bahu jalan depan sekolah', kecamatan_code: '63.11.06',
      reporter: { name: 'Warga', phone: '081377180002' } }))).id;
    await ok(kabid.call('PUT', `/api/v1/cases/${theirs}/assignee`, { user_id: kabidUser.id }));

    const ctx = await context();
    const page = await login(ctx, 'admin.satpolpp');
    await page.waitForSelector('#views');
    const mine = `#cases tr[data-id="${srv.mine.id}"]`;
    await page.waitForSelector(mine + '.unread');
    assert.equal(await page.getAttribute('#view-all', 'aria-pressed'), 'true');
    assert.ok((await page.textContent(mine)).includes(adminUser.name));
    assert.ok((await page.textContent(`#cases tr[data-id="${theirs}"]`)).includes(kabidUser.name));
    await page.waitForFunction(() => document.getElementById('unread-me')?.textContent === '1');
    assert.equal(await page.isHidden('#unread-none'), true, 'no unassigned case has a citizen message yet');

    // A new report on WhatsApp while the inbox is open: its row arrives
    // (no reload), unread and nobody's.
    await page.evaluate(() => { window.__sameDocument = true; });
    const fresh = await report('6281313180002', 'Sari', 'Pedagang menutup trotoar depan pasar setiap pagi, pejalan kaki turun ke jalan');
    srv.fresh = fresh;
    const row = `#cases tr[data-id="${fresh.id}"]`;
    await page.waitForSelector(row + '.unread', { timeout: 5000 });
    await page.waitForFunction(() => document.getElementById('unread-none')?.textContent === '1', null, { timeout: 3000 });
    await page.waitForFunction(() => document.getElementById('unread-all')?.textContent === '2');
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
    const views = (await page.textContent('#views')).replace(/\s+/g, ' ');
    for (const v of ['Milik saya', 'Belum ditugaskan', 'Semua']) assert.ok(views.includes(v), views);
    await page.mouse.move(0, 0);
    await shotDownTo(page, 'inbox', '#cases', 760);

    // "Milik saya": the admin's case only.
    await page.click('#view-me');
    await page.waitForFunction((sel) => !document.querySelector(sel), row);
    await page.waitForSelector(mine);
    assert.equal(await page.getAttribute('#view-me', 'aria-pressed'), 'true');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  it('a case page: a second operator present, taking the case, a canned reply', async () => {
    const ctxA = await context();
    const ctxB = await context();
    const a = await login(ctxA, 'admin.satpolpp', '/#/case/' + srv.fresh.id);
    const b = await login(ctxB, 'kabid.satpolpp', '/#/case/' + srv.fresh.id);
    await a.waitForSelector('#case-code');
    await b.waitForSelector('#case-code');
    await a.waitForFunction((n) => {
      const p = document.getElementById('presence');
      return p && !p.hidden && p.textContent.trim() === 'Sedang membuka kasus ini juga: ' + n;
    }, kabidUser.name, { timeout: 5000 });

    // Taking the case: "Belum ditugaskan" becomes the admin's name, on the
    // other operator's page too, and the timeline says so.
    assert.equal(await a.textContent('#assignee-name'), 'Belum ditugaskan');
    await a.click('#assign-me');
    await a.waitForFunction((n) => document.getElementById('assignee-name')?.textContent === n, adminUser.name);
    await b.waitForFunction((n) => document.getElementById('assignee-name')?.textContent === n, adminUser.name,
      { timeout: 3000 });
    await a.waitForFunction(() => /Ditugaskan ke petugas/.test(document.getElementById('timeline')?.textContent || ''));
    await a.locator('#case-assignee').scrollIntoViewIfNeeded();
    const facts = a.locator('#case-assignee').locator('xpath=ancestor::section[1]');
    await facts.screenshot({ path: shot('assign') });

    // The canned reply, with the reporter's name and the code filled in.
    await a.waitForSelector('#canned:not([hidden]) #canned-select');
    await a.selectOption('#canned-select', { label: 'Laporan diterima' });
    await a.click('#canned-insert');
    const text = await a.inputValue('#reply-text');
    assert.equal(text, `Terima kasih, Sari. Laporan Anda dengan kode ${srv.fresh.code} sudah kami terima dan sedang diverifikasi oleh petugas Satpol PP.`);
    assert.match(await a.textContent('#window'), /Jendela 24 jam terbuka sampai/);
    // Writing a reply: a change by someone else waits behind a notice.
    await ok(kabid.call('PUT', `/api/v1/cases/${srv.fresh.id}/lapor`, { lapor_marked: true }));
    await a.waitForSelector('#case-stale:not([hidden])', { timeout: 3000 });
    assert.equal(await a.inputValue('#reply-text'), text, 'the reply being written is kept');
    await a.locator('#reply').scrollIntoViewIfNeeded();
    await a.locator('#reply').screenshot({ path: shot('reply') });
    await a.evaluate(() => window.scrollTo(0, 0));
    await shotDownTo(a, 'case', '#case-assignee', 720);
    assert.deepEqual(a.errors, []);
    assert.deepEqual(b.errors, []);
    await ctxA.close();
    await ctxB.close();
  });

  it('the LAPOR! worklist', async () => {
    const ctx = await context();
    const page = await login(ctx, 'admin.satpolpp');
    await page.waitForSelector('#top:not([hidden])');
    await page.click('#nav a[href="#/lapor"]');
    const item = page.locator(`#lapor-list li[data-id="${srv.fresh.id}"]`);
    await item.waitFor();
    const summary = await item.locator('textarea').inputValue();
    assert.match(summary, /Klasifikasi: Pengaduan/);
    assert.match(summary, /Kronologi: Pedagang menutup trotoar/);
    assert.ok(!summary.includes(WA) && !summary.includes(WA.slice(2)), 'no reporter phone in the summary');
    assert.equal(await item.locator('button.lapor-copy').textContent(), 'Salin ringkasan');
    await shotDownTo(page, 'lapor', `#lapor-list li[data-id="${srv.fresh.id}"]`, 760);
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  it("the admin's Webhook tab with a delivery", async () => {
    const ctx = await context({ viewport: { width: 1280, height: 760 } });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(srv.url + '/admin/');
    await page.fill('#login-name', 'admin.satpolpp');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#panes:not([hidden])');
    await page.click('#tab-webhooks');
    await page.locator('#wh-form').waitFor();
    await page.fill('#wh-url', `http://127.0.0.1:${receiver.address().port}/aduan`);
    await page.click('#wh-form button[type=submit]');
    await page.waitForFunction(() => /Rahasia webhook ini/.test(document.getElementById('wh-note').textContent));
    const row = page.locator('#webhooks tr[data-id]');
    await row.waitFor();
    assert.match(await row.textContent(), /aktif/);
    const cats = (await ok(admin.call('GET', '/api/v1/categories'))).items;
    await ok(admin.call('POST', '/api/v1/cases', { category_id: cats.find((k) => k.code === 'pkl').id,
      description: 'Lapak di trotoar depan pasar' }));
    for (let i = 0; i < 100 && !hooks.length; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(hooks[0], 'case.created');
    await row.locator('button', { hasText: 'Log pengiriman' }).click();
    const log = page.locator('#wh-deliveries tbody tr');
    await log.first().waitFor();
    assert.match(await log.first().textContent(), /terkirim.*200/);
    await shotDownTo(page, 'webhooks', '#wh-deliveries', 760);
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  it('the field app on a 360 px phone: tasks, map, the queue offline, then the case once', async () => {
    const cats = (await ok(admin.call('GET', '/api/v1/categories'))).items;
    const teams = (await ok(admin.call('GET', '/api/v1/teams'))).items;
    const paringin = teams.find((x) => x.name === 'TRC Pos Paringin').id;
    const c = await ok(admin.call('POST', '/api/v1/cases', {
      category_id: cats.find((k) => k.code === 'pkl').id, description: 'Lapak menutup trotoar depan Pasar Paringin',
      lat: -2.3361, lon: 115.4668, address: 'Jl. A. Yani, Paringin', kecamatan_code: '63.11.06',
      reporter: { name: 'Warga Paringin', phone: '081377180004' } }));
    fieldCase = c;
    await ok(admin.call('POST', `/api/v1/cases/${c.id}/transitions`, { action: 'verify' }));
    await ok(kabid.call('POST', `/api/v1/cases/${c.id}/transitions`,
      { action: 'dispatch', team_id: paringin, note: 'Mohon tertibkan hari ini, koordinasi dengan pengelola pasar' }));

    const ctx = await context({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true,
      geolocation: HERE, permissions: ['geolocation'] });
    const page = await login(ctx, 'trc.satpolpp', '/app/#/field');
    const task = page.locator(`#tasks article[data-id="${c.id}"]`);
    await task.waitFor();
    await page.evaluate(async () => { await navigator.serviceWorker.ready; });
    assert.match(await task.locator('[data-instruction]').textContent(), /Mohon tertibkan hari ini/);
    await page.waitForFunction(() => document.querySelectorAll('#field-map path.leaflet-interactive').length >= 2);
    await page.waitForFunction(() => (document.getElementById('field-map').dataset.me || '').startsWith('-2.33720,115.46510'));
    assert.equal(await page.getAttribute('#field-map', 'aria-label'), 'Peta tugas tim');
    assert.match(await task.locator('button[data-do=start]').textContent(), /Tiba di lokasi · mulai tangani/);
    await page.screenshot({ path: shot('field'), clip: { x: 0, y: 0, width: 360, height: 740 } });

    // No signal: start and one photo wait on the phone, in order.
    await ctx.setOffline(true);
    await page.waitForFunction(() => /Luring: tidak ada sinyal/.test(document.getElementById('net')?.textContent || ''));
    await task.locator('button[data-do=start]').click();
    await task.locator('[data-pending] li').waitFor();
    const jpeg = Buffer.from(await page.evaluate(() => {
      const cv = document.createElement('canvas');
      cv.width = 1200; cv.height = 900;
      const g = cv.getContext('2d');
      g.fillStyle = '#8a9a5b'; g.fillRect(0, 0, 1200, 900);
      g.fillStyle = '#ddd'; g.fillRect(0, 600, 1200, 300);
      return cv.toDataURL('image/jpeg', 0.8).split(',')[1];
    }), 'base64');
    await task.locator('input[data-camera]').setInputFiles([
      { name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: jpeg },
      { name: 'IMG_0002.jpg', mimeType: 'image/jpeg', buffer: jpeg }]);
    await page.waitForSelector('#outbox[data-waiting="3"]');
    const panel = await page.textContent('#outbox');
    assert.match(panel, /Menunggu dikirim \(3\)/);
    assert.match(panel, /Tidak ada sinyal/);
    await page.waitForFunction((id) => document.querySelectorAll(`[data-thumbs="${id}"] [data-thumb=waiting]`).length === 2, c.id);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: shot('field-offline'), clip: { x: 0, y: 0, width: 360, height: 740 } });
    await task.screenshot({ path: shot('field-card') });

    // The signal returns: everything is sent, and the case page shows the
    // start and the two photos exactly once.
    await ctx.setOffline(false);
    await page.waitForSelector('#outbox[data-waiting="0"][data-failed="0"]', { timeout: 30000 });
    assert.match(await page.textContent('#outbox'), /Semua tindakan sudah terkirim/);
    await page.goto(srv.url + '/app/#/case/' + c.id);
    await page.waitForSelector('#case-code');
    assert.equal(await page.getAttribute('#case-status', 'data-status'), 'in_progress');
    await page.waitForFunction(() => document.querySelectorAll('#gallery img').length === 2);
    const events = await page.$$eval('#timeline li', (li) => li.map((x) => x.textContent));
    assert.equal(events.filter((e) => /Mulai ditangani/.test(e)).length, 1, events.join(' | '));
    assert.equal(events.filter((e) => /Foto petugas ditambahkan/.test(e)).length, 2, events.join(' | '));
    const now = await ok(admin.call('GET', `/api/v1/cases/${c.id}`));
    assert.equal(now.events.filter((e) => e.action === 'start').length, 1);
    assert.equal(now.attachments.filter((x) => x.source === 'officer').length, 2);
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  it('the public list and map, and a tracking page with its follow button', async () => {
    const ctx = await context({ viewport: { width: 360, height: 740 }, isMobile: true });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(srv.url + '/laporan?agency=satpolpp');
    await page.waitForSelector('#map:not([hidden]) .leaflet-interactive');
    const markers = await page.locator('#map .leaflet-interactive').count();
    assert.equal(markers, await page.locator('#reports li[data-lat]').count());
    assert.ok(markers >= 1);
    const body = await page.innerText('body');
    assert.ok(body.includes(fieldCase.tracking_code), 'the located report is listed');
    for (const s of ['Warga Paringin', '081377180004', 'Rahmah', 'Sari', WA]) assert.ok(!body.includes(s), s);
    await page.screenshot({ path: shot('public-list'), clip: { x: 0, y: 0, width: 360, height: 740 } });

    const code = fieldCase.tracking_code;
    await page.goto(srv.url + '/t/' + code);
    assert.ok((await page.innerText('h1')).includes(code));
    assert.ok((await page.locator('#timeline li').count()) >= 3, 'the public timeline');
    const follow = page.locator('a.follow').first();
    assert.equal(await follow.innerText(), 'Ikuti lewat WhatsApp');
    assert.equal(new URL(await follow.getAttribute('href')).searchParams.get('text'), 'IKUTI ' + code);
    for (const x of ['Warga Paringin', '081377180004']) assert.ok(!(await page.innerText('body')).includes(x), x);
    await page.screenshot({ path: shot('tracking'), clip: { x: 0, y: 0, width: 360, height: 740 }, fullPage: true });
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  it('the simulator: a template with its buttons, tapped as an officer', async () => {
    // Simulator mode: a server without a Meta access token.
    const sim = await new Aduan(graph, { ADUAN_WA_ACCESS_TOKEN: null }).start();
    try {
      const ctx = await context({ viewport: { width: 1100, height: 760 } });
      const page = await ctx.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e));
      await page.goto(sim.url + '/');
      await page.fill('#login-name', 'admin.damkar');
      await page.fill('#login-password', PASSWORD);
      await page.click('#login-form button[type=submit]');
      await page.waitForSelector('#top:not([hidden])');
      await page.goto(sim.url + '/sim');
      await page.waitForSelector('#act-as:not([disabled])');
      await page.selectOption('#agency', '100000000000002');
      await page.selectOption('#act-as', '6281100000201');
      const damkar = await sim.session('admin.damkar');
      const cats = (await ok(damkar.call('GET', '/api/v1/categories'))).items;
      const c = await ok(damkar.call('POST', '/api/v1/cases', {
        category_id: cats.find((k) => k.code === 'kebakaran').id, channel: 'phone',
        description: 'Api di gudang karet dekat jembatan', address: 'Jl. Jembatan Paringin',
        kecamatan_code: '63.11.06', lat: -2.33, lon: 115.46 }));
      const bubble = page.locator('.msg.in', { hasText: 'DARURAT' }).last();
      await bubble.waitFor({ timeout: 15000 });
      assert.match(await bubble.innerText(), /Terima tugas ini\?/);
      const buttons = await bubble.locator('button.reply').allTextContents();
      assert.deepEqual(buttons.map((x) => x.trim()), ['Terima', 'Tidak bisa']);
      await page.screenshot({ path: shot('simulator') });
      await bubble.locator('button.reply', { hasText: 'Terima' }).click();
      let got;
      for (let i = 0; i < 100; i++) {
        got = (await damkar.call('GET', '/api/v1/cases/' + c.id)).json;
        if (got.dispatch?.accepted_by) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(got.dispatch.accepted_by.name, 'Anggota Regu Damkar Paringin');
      assert.deepEqual(errors, []);
      await ctx.close();
    } finally {
      assert.deepEqual(await sim.stop(), [], 'sanitizer findings in the simulator server');
    }
  });
});
