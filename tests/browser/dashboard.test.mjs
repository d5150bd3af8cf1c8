// The dashboard in real Chromium: a WhatsApp case from arrival to
// resolution across three roles, untrusted text kept as text, agencies
// kept apart, and screenshots of the inbox, the case and the field view.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, Citizen, FakeGraph, PASSWORD, choices, textOf } from './harness.mjs';

const XSS = 'Pedagang <img src=x onerror=alert(1)> menutup trotoar <script>window.__xss=1</script> depan pasar';
const XSS2 = '<b>tolong</b><script>alert(2)</script>';
const WA = '6281234599001';

let graph, srv, browser, citizen, caseId, code, photo;
const dialogs = [];

async function context(opts = {}) {
  const ctx = await browser.newContext({ locale: 'id-ID', ...opts });
  // Only this machine: map tiles and anything else outside stay unloaded.
  await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
  await ctx.addInitScript(() => { localStorage.setItem('aduan.pollMs', '700'); });
  return ctx;
}

async function login(ctx, user) {
  const page = await ctx.newPage();
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  page.on('pageerror', (e) => { throw e; });
  await page.goto(srv.url + '/');
  await page.fill('#login-name', user);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#top:not([hidden])');
  return page;
}

// Waits until the citizen got `count` more messages after seq `since`.
const notified = (since, count = 1) => graph.waitMessages(WA, since, count, 20000);

async function act(page, action, fill) {
  await page.click(`#actions button[data-action=${action}]`);
  const form = page.locator(`form.action-form[data-action=${action}]`);
  if (fill) await fill(form);
  await form.locator('button[type=submit]').click();
}

describe('dashboard', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    citizen = new Citizen(srv, graph, WA, 'Budi');
  });

  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
  });

  it('an admin sees a WhatsApp case arrive, opens it and verifies it', async () => {
    const ctx = await context({ viewport: { width: 1280, height: 860 } });
    const page = await login(ctx, 'admin.satpolpp');
    await page.waitForSelector('#cases tr');
    const before = await page.locator('#cases tr').count();

    // The citizen reports over WhatsApp meanwhile (through the signed webhook).
    assert.ok(choices((await citizen.text('halo'))[0]).includes('menu:report'));
    await citizen.tap('menu:report');
    const cats = (await citizen.tap('consent:yes', true))[0];
    await citizen.tap(choices(cats).filter((c) => c.startsWith('cat:'))[1]);
    await citizen.text(XSS);
    await citizen.say('location', { lat: -2.3361, lon: 115.4668, address: 'Jl. A. Yani, Paringin' });
    // A real JPEG the browser can draw, made by the browser itself.
    photo = Buffer.from((await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 160; c.height = 120;
      const g = c.getContext('2d');
      g.fillStyle = '#2e7d32'; g.fillRect(0, 0, 160, 120);
      g.fillStyle = '#fff'; g.font = '20px sans-serif'; g.fillText('bukti', 50, 66);
      return c.toDataURL('image/jpeg');
    })).split(',')[1], 'base64');
    const media = await graph.addMedia(photo, 'image/jpeg');
    await citizen.say('image', { media_id: media.id, sha256: media.sha256 });
    await citizen.tap('photos:next', true);
    const done = textOf((await citizen.tap('confirm:send', true))[0]);
    code = done.match(/\*([0-9A-Z]{4}-[0-9A-Z]{4})\*/)[1];
    await citizen.text(XSS2); // after the report: lands in the thread too

    // The inbox shows it without a reload.
    const row = page.locator('#cases tr', { hasText: code });
    await row.waitFor({ timeout: 15000 });
    assert.equal(await page.locator('#cases tr').count(), before + 1);
    await page.waitForSelector('#banner:not([hidden])');
    await page.screenshot({ path: join(ARTIFACTS, 'inbox.png'), fullPage: true });

    await row.locator('a.code').click();
    await page.waitForSelector('#case-code');
    caseId = Number(page.url().match(/case\/(\d+)/)[1]);
    assert.equal(await page.textContent('#case-code'), code);
    // The thread: the citizen's words, the photo inline (once downloaded), the pin.
    await page.locator('#thread li[data-dir=in]', { hasText: 'menutup trotoar' }).waitFor();
    await page.locator('#thread li[data-dir=out]').first().waitFor();
    assert.ok(await page.locator('#thread .pin-map').count() >= 1);
    // The maps ask the configured tile server, which the page's policy allows.
    const tile = await page.locator('#case-map img.leaflet-tile').first().getAttribute('src');
    assert.ok(tile.startsWith(graph.url + '/tiles/'), tile);
    assert.equal(await page.locator('#case-map .leaflet-marker-pane path, #case-map svg path').count() >= 1, true);
    const sa = await srv.session('admin.satpolpp');
    for (let i = 0; i < 100; i++) {
      const c = await sa.call('GET', `/api/v1/cases/${caseId}`);
      if (c.json.attachments.every((a) => a.state === 'stored')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.reload();
    await page.locator('#thread li[data-dir=in] img.thumb').first().waitFor();
    assert.ok(await page.locator('#thread li[data-dir=in] img.thumb').evaluate((i) => i.complete && i.naturalWidth > 0));
    assert.deepEqual(await page.$$eval('#actions .action-bar button', (b) => b.map((x) => x.dataset.action)),
      ['verify', 'reject', 'hold', 'forward']);

    // The 24-hour window is open: a reply goes as text.
    assert.match(await page.textContent('#window'), /terbuka/);
    let since = await graph.lastSeq();
    await page.fill('#reply-text', 'Terima kasih, laporan sedang kami periksa.');
    await page.click('#reply button[type=submit]');
    const reply = await notified(since);
    assert.equal(reply[0].type, 'text');
    assert.match(reply[0].text.body, /sedang kami periksa/);

    since = await graph.lastSeq();
    await act(page, 'verify');
    await page.waitForSelector('#case-status[data-status=verified]');
    await notified(since);
    await page.locator('#thread li[data-dir=out]', { hasText: 'sedang kami periksa' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'case.png'), fullPage: true });
    await ctx.close();
  });

  it('citizen text with HTML and script shows literally and runs nothing', async () => {
    const ctx = await context({ viewport: { width: 1280, height: 860 } });
    const page = await login(ctx, 'admin.satpolpp');
    await page.goto(srv.url + '/#/case/' + caseId);
    await page.waitForSelector('#case-description');
    assert.equal(await page.textContent('#case-description'), XSS);
    await page.locator('#thread li[data-dir=in]', { hasText: XSS2 }).waitFor();
    assert.equal(await page.locator('#thread li[data-dir=in] .text', { hasText: XSS }).count(), 1);
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.equal(await page.locator('#view script, #view b').count(), 0);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    await page.goto(srv.url + '/#/inbox');
    await page.locator('#cases tr', { hasText: code }).waitFor();
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.deepEqual(dialogs, []);
    await ctx.close();
  });

  it('the supervisor dispatches it to a team', async () => {
    const ctx = await context({ viewport: { width: 1280, height: 860 } });
    const page = await login(ctx, 'kabid.satpolpp');
    await page.goto(srv.url + '/#/case/' + caseId);
    await page.waitForSelector('#actions');
    assert.deepEqual(await page.$$eval('#actions .action-bar button', (b) => b.map((x) => x.dataset.action)),
      ['dispatch', 'reject', 'hold', 'forward']);
    const since = await graph.lastSeq();
    await act(page, 'dispatch', async (f) => {
      // The teams come with their distance once the suggestions arrived.
      await f.locator('#suggestions').waitFor();
      const v = await f.locator('select[name=team_id] option', { hasText: 'TRC Pos Paringin' }).getAttribute('value');
      await f.locator('select[name=team_id]').selectOption(v);
    });
    await page.waitForSelector('#case-status[data-status=dispatched]');
    assert.equal(await page.textContent('#case-team'), 'TRC Pos Paringin');
    await notified(since);
    await ctx.close();
  });

  it('the field officer on a phone starts and resolves it with a photo', async () => {
    const ctx = await context({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await login(ctx, 'trc.satpolpp');
    await page.waitForSelector('#tasks');
    const task = page.locator(`#tasks article[data-id="${caseId}"]`);
    await task.waitFor();
    // One tap to the phone's maps app.
    assert.match(await task.locator('a[data-nav]').getAttribute('href'), /google\.com\/maps\?q=-2\.3361(\d*)?%2C115\.4668/);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360);
    let since = await graph.lastSeq();
    await task.locator('button[data-do=start]').click();
    await task.locator('[data-status=in_progress]').waitFor();
    await notified(since);
    await page.screenshot({ path: join(ARTIFACTS, 'field.png'), fullPage: true });

    since = await graph.lastSeq();
    const form = task.locator('form[data-form=resolve]');
    // The camera button (issue 18): the photo goes through the outbox, its thumbnail stays.
    const camera = task.locator('input[data-camera]');
    assert.equal(await camera.getAttribute('capture'), 'environment');
    await camera.setInputFiles({ name: 'hasil.jpg', mimeType: 'image/jpeg', buffer: photo });
    await task.locator('[data-thumb=sent]').waitFor();
    await form.locator('textarea').fill('Lapak sudah ditertibkan, trotoar bersih.');
    await form.locator('button[type=submit]').click();
    await page.locator(`#tasks article[data-id="${caseId}"]`).waitFor({ state: 'detached' });
    await notified(since);
    const sa = await srv.session('admin.satpolpp');
    const c = (await sa.call('GET', `/api/v1/cases/${caseId}`)).json;
    assert.equal(c.status, 'resolved');
    const officer = c.attachments.filter((a) => a.source === 'officer');
    assert.equal(officer.length, 1);
    assert.equal(officer[0].mime, 'image/jpeg');
    assert.ok(c.events.some((e) => e.action === 'attachment'));
    // The field's result is the message to the reporter (issue #13).
    assert.equal(c.events.at(-1).public_note, 'Lapak sudah ditertibkan, trotoar bersih.');
    await ctx.close();
  });

  it('the head of the agency reads the case without personal data', async () => {
    const ctx = await context({ viewport: { width: 1280, height: 860 } });
    const page = await login(ctx, 'pimpinan.satpolpp');
    const denied = [];
    page.on('response', (r) => { if (r.status() === 403) denied.push(r.url()); });
    await page.goto(srv.url + '/#/case/' + caseId);
    await page.waitForSelector('#case-status[data-status=resolved]');
    assert.equal(await page.locator('#reporter').count(), 0);
    assert.equal(await page.locator('#actions .action-bar').count(), 0);
    assert.equal(await page.locator('#thread').count(), 0);
    assert.match(await page.textContent('#thread-box'), /data pribadi/);
    const img = page.locator('#files img');
    assert.equal(await img.count(), 1); // the officer's photo, not the citizen's
    await img.evaluate((i) => i.decode());
    assert.deepEqual(denied, []);
    await ctx.close();
  });

  it('the citizen was told of each step', async () => {
    // After the report: our reply, then verify, dispatch, start, resolve.
    const all = await graph.messages(WA);
    const bodies = all.map((m) => JSON.stringify(m));
    for (const word of ['Diverifikasi', 'Didisposisikan', 'Sedang ditangani', 'Selesai ditangani'])
      assert.ok(bodies.some((b) => b.includes(word)), 'no notification with ' + word);
  });

  it("another agency's user cannot open the case by URL", async () => {
    const ctx = await context({ viewport: { width: 1280, height: 860 } });
    const page = await login(ctx, 'admin.damkar');
    await page.goto(srv.url + '/#/case/' + caseId);
    await page.waitForSelector('#case-error');
    assert.match(await page.textContent('#case-error'), /tidak berhak/);
    assert.equal(await page.locator('#case-description').count(), 0);
    assert.equal(await page.content().then((h) => h.includes('menutup trotoar')), false);
    const dk = await srv.session('admin.damkar');
    assert.equal((await dk.call('GET', `/api/v1/cases/${caseId}`)).status, 403);
    assert.equal((await dk.call('GET', `/api/v1/cases/${caseId}/conversation`)).status, 403);
    await ctx.close();
  });

  it('an emergency arriving rings and shows a banner', async () => {
    const ctx = await context({ viewport: { width: 1280, height: 860 } });
    const page = await login(ctx, 'admin.damkar');
    await page.waitForSelector('#cases');
    const dk = await srv.session('admin.damkar');
    const cats = (await dk.call('GET', '/api/v1/categories')).json.items;
    const fire = cats.find((k) => k.code === 'kebakaran');
    const made = await dk.call('POST', '/api/v1/cases', { category_id: fire.id, channel: 'phone', description: 'Rumah terbakar di Jl. Merdeka' });
    assert.equal(made.status, 201);
    await page.waitForSelector('#banner.danger:not([hidden])', { timeout: 15000 });
    assert.match(await page.textContent('#banner'), new RegExp(made.json.tracking_code));
    assert.ok(await page.evaluate(() => window.__aduanBeeps) >= 1);
    await ctx.close();
  });

  it('an operator records a walk-in report with the form', async () => {
    const ctx = await context({ viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(srv.url + '/');
    await page.waitForSelector('#login-form');
    await page.screenshot({ path: join(ARTIFACTS, 'login.png') });
    await page.fill('#login-name', 'admin.satpolpp');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.click('nav a[href="#/new"]');
    await page.waitForSelector('#report-form');
    // Nothing required: a clear error, nothing recorded.
    const sa = await srv.session('admin.satpolpp');
    const count = (await sa.call('GET', '/api/v1/cases?limit=200')).json.items.length;
    await page.click('#report-form button[type=submit]');
    await page.waitForSelector('#report-form .error:not(:empty)');
    assert.match(await page.textContent('#report-form .error'), /description/);
    assert.equal((await sa.call('GET', '/api/v1/cases?limit=200')).json.items.length, count);
    await page.selectOption('#r-category', { label: 'Reklame liar' });
    await page.selectOption('#r-channel', 'phone');
    await page.fill('#r-description', 'Baliho <i>tanpa izin</i> di simpang empat');
    await page.fill('#r-address', 'Simpang empat Paringin');
    await page.selectOption('#r-kecamatan', { label: 'Paringin' });
    await page.fill('#r-lat', '-2.3349');
    await page.fill('#r-lon', '115.4660');
    await page.fill('#r-name', 'Pak Amat');
    await page.fill('#r-phone', '0812 3456 7001');
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    await page.click('#report-form button[type=submit]');
    await page.waitForSelector('#case-code');
    assert.equal(await page.textContent('#case-description'), 'Baliho <i>tanpa izin</i> di simpang empat');
    const id = Number(page.url().match(/case\/(\d+)/)[1]);
    const c = (await sa.call('GET', `/api/v1/cases/${id}`)).json;
    assert.equal(c.channel, 'phone');
    assert.deepEqual(c.location, { lat: -2.3349, lon: 115.466 });
    assert.equal(c.kecamatan.code, '63.11.06');
    assert.equal(c.reporter.phone, '6281234567001');
    await ctx.close();
  });

  it('the English switch is remembered and reaches the API', async () => {
    const ctx = await context({ viewport: { width: 1280, height: 860 } });
    const page = await login(ctx, 'admin.satpolpp');
    await page.waitForSelector('#cases tr');
    assert.equal(await page.textContent('nav a[href="#/inbox"]'), 'Kotak masuk');
    await page.click('#lang');
    await page.waitForSelector('nav a[href="#/inbox"]:has-text("Inbox")');
    await page.reload();
    await page.waitForSelector('#cases tr');
    assert.equal(await page.textContent('nav a[href="#/inbox"]'), 'Inbox');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.goto(srv.url + '/#/case/' + caseId);
    await page.waitForSelector('#case-status');
    assert.equal(await page.textContent('#case-status'), 'Resolved');
    await page.click('#logout');
    await page.waitForSelector('#login-form');
    assert.equal(await page.textContent('#login-form h1'), 'Sign in to the aduan dashboard');
    await ctx.close();
  });

  it('an ended session goes back to the login', async () => {
    const ctx = await context({ viewport: { width: 1280, height: 860 } });
    const page = await login(ctx, 'admin.satpolpp');
    await page.waitForSelector('#cases tr');
    await ctx.clearCookies();
    // The inbox's next poll (or any click) meets the 401 and shows the login.
    await page.waitForSelector('#login-form', { timeout: 15000 });
    assert.equal(await page.locator('#top').isHidden(), true);
    await ctx.close();
  });

  it('pages are framed by no one and not cached', async () => {
    for (const path of ['/', '/app/app.js', '/api/v1/me']) {
      const r = await fetch(srv.url + path);
      assert.equal(r.headers.get('x-frame-options'), 'DENY');
      assert.equal(r.headers.get('cache-control'), 'no-store');
      assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    }
    const csp = (await fetch(srv.url + '/')).headers.get('content-security-policy');
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  });
});
