// Issue 18, the officer's "after" photo on the public tracking page, in
// real Chromium on a 360 px phone: the agency publishes photos, a TRC
// officer starts the work, takes a photo of the result and resolves; the
// tracking page shows it on the resolve step as a thumbnail (a smaller copy,
// loaded under the page's CSP) that opens the larger photo. The reporter's identity is
// nowhere on the page. Screenshot: build/artifacts/public-after.png (copied
// to docs/img/ for docs/OPERATOR.md).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, FakeGraph, PASSWORD } from './harness.mjs';

let graph, srv, browser;
const errors = [];

async function ok(p) {
  const r = await p;
  assert.ok(r.status < 300, JSON.stringify(r.json));
  return r.json;
}

// Posts a picture as the officer does from the field app (raw body).
async function upload(login, caseId, bytes) {
  const r = await fetch(srv.url + '/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password: PASSWORD }),
  });
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const me = await r.json();
  const res = await fetch(`${srv.url}/api/v1/cases/${caseId}/attachments`, {
    method: 'POST', body: bytes,
    headers: { Cookie: cookie, 'X-CSRF-Token': me.csrf_token, 'Content-Type': 'image/jpeg' },
  });
  assert.equal(res.status, 201);
  return (await res.json()).id;
}

describe('the officer\'s after photo on the tracking page', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph, { ADUAN_WA_ACCESS_TOKEN: null }).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
    assert.deepEqual(errors, [], 'errors in the page');
  });

  it('a resolved report shows the result photo at 360 px, and it opens larger', async () => {
    const admin = await srv.session('admin.satpolpp');
    const kabid = await srv.session('kabid.satpolpp');
    const trc = await srv.session('trc.satpolpp');
    const ag = (await ok(admin.call('GET', '/api/v1/agencies'))).items.find((a) => a.code === 'satpolpp');
    await ok(admin.call('PUT', `/api/v1/agencies/${ag.id}/settings`, { publish_photos: true }));
    const cats = (await ok(admin.call('GET', '/api/v1/categories'))).items;
    const teams = (await ok(admin.call('GET', '/api/v1/teams'))).items;
    const c = await ok(admin.call('POST', '/api/v1/cases', {
      category_id: cats.find((k) => k.code === 'pkl').id, channel: 'phone',
      description: 'Lapak menutup trotoar depan sekolah', address: 'Jl. Merdeka 3',
      kecamatan_code: '63.11.06', lat: -2.3364, lon: 115.4669,
      reporter: { name: 'Pak Anwar', phone: '0812-1111-2222' } }));
    const code = c.tracking_code;
    const act = (who, action, extra) => ok(who.call('POST', `/api/v1/cases/${c.id}/transitions`, { action, ...extra }));
    await act(admin, 'verify', { public_note: 'Laporan diterima dan diperiksa' });
    await act(kabid, 'dispatch', { team_id: teams.find((t) => t.name === 'TRC Pos Paringin').id,
      public_note: 'Tim TRC berangkat' });
    await act(trc, 'start', { public_note: 'Petugas di lokasi' });

    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 360, height: 740 } });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    // The officer's photo: a picture drawn by the browser (a clean pavement).
    await page.goto(srv.url + '/statistik');
    const b64 = await page.evaluate(() => {
      const cv = document.createElement('canvas');
      cv.width = 640; cv.height = 480;
      const g = cv.getContext('2d');
      g.fillStyle = '#8ec5ee'; g.fillRect(0, 0, 640, 220);
      g.fillStyle = '#b9b3a9'; g.fillRect(0, 220, 640, 260);
      g.fillStyle = '#d8d3ca';
      for (let x = 0; x < 640; x += 80) g.fillRect(x + 4, 300, 72, 36);
      g.fillStyle = '#3d7a3a'; g.fillRect(40, 120, 120, 100); g.fillRect(480, 100, 140, 120);
      g.fillStyle = '#7a5230'; g.fillRect(90, 200, 20, 40); g.fillRect(540, 200, 20, 40);
      return cv.toDataURL('image/jpeg', 0.9).split(',')[1];
    });
    const photo = await upload('trc.satpolpp', c.id, Buffer.from(b64, 'base64'));
    await act(trc, 'resolve', { public_note: 'Lapak sudah ditertibkan, trotoar kembali bisa dilewati' });

    await page.goto(`${srv.url}/t/${code}`);
    const thumb = page.locator('#timeline a.after img');
    await thumb.waitFor();
    assert.equal(await thumb.count(), 1);
    assert.equal(await page.locator('#timeline a.after').getAttribute('href'), `/t/foto/${photo}`);
    // Loaded (the page's CSP lets its own images in) and small.
    await page.waitForFunction(() => document.querySelector('#timeline a.after img').naturalWidth > 0);
    // The thumbnail is a smaller copy (1/2 of 640 px: the longer side stays >= 192).
    assert.equal(await thumb.evaluate((i) => i.naturalWidth), 320);
    assert.equal(await thumb.getAttribute('src'), `/t/foto/${photo}?ukuran=kecil`);
    const box = await thumb.boundingBox();
    assert.ok(box.width <= 100 && box.height <= 100, JSON.stringify(box));
    const text = await page.locator('body').innerText();
    assert.ok(text.includes('Foto dari petugas'), text);
    assert.ok(!text.includes('Anwar') && !text.includes('1111'), text);
    // No horizontal scrolling at 360 px.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360));
    await page.locator('#timeline .photos + p').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'public-after.png') });
    // The thumbnail opens the larger photo.
    await page.click('#timeline a.after');
    await page.waitForURL(new RegExp(`/t/foto/${photo}$`));
    const w = await page.evaluate(() => document.querySelector('img') && document.querySelector('img').naturalWidth);
    assert.equal(w, 640);

    await ok(admin.call('PUT', `/api/v1/agencies/${ag.id}/settings`, { publish_photos: false }));
    await page.goto(`${srv.url}/t/${code}`);
    assert.equal(await page.locator('#timeline a.after').count(), 0);
    await ctx.close();
  });
});
