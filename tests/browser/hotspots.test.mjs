// Issue 18: "Peta rawan", the hotspot map for leadership, in real
// Chromium at 1280 px. The pimpinan opens it from the menu: a heat layer
// over the map where reports cluster, the kecamatan table beside it, and
// filters (agency, category, period, cell size) that redraw both. A field
// officer has no such page. Screenshot: build/artifacts/hotspots-1280.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, FakeGraph, PASSWORD } from './harness.mjs';

const NAME = 'Saprudin Pelapor';
let graph, srv, browser;
const errors = [];

async function login(user, width = 1280) {
  const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width, height: 900 } });
  await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(srv.url + '/');
  await page.fill('#login-name', user);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#top:not([hidden])');
  return page;
}

describe('hotspot map (Peta rawan)', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const admin = await srv.session('admin.satpolpp');
    const cats = (await admin.call('GET', '/api/v1/categories')).json.items;
    const cat = (code) => cats.find((k) => k.code === code).id;
    // Three clusters: Paringin's market (many), Juai (some), Halong (one).
    const spots = [
      ['63.11.06', -2.3364, 115.4669, 7, 'trantibum'], ['63.11.06', -2.3391, 115.4702, 3, 'perda'],
      ['63.11.01', -2.2801, 115.5320, 4, 'trantibum'], ['63.11.02', -2.2100, 115.6500, 1, 'perda'],
    ];
    for (const [kec, lat, lon, n, code] of spots)
      for (let i = 0; i < n; i++) {
        const r = await admin.call('POST', '/api/v1/cases', {
          category_id: cat(code), channel: 'phone', description: 'Keramaian malam hari ' + i,
          kecamatan_code: kec, lat: lat + i * 0.0004, lon: lon - i * 0.0003,
          reporter: { name: NAME, phone: '0813-7777-01' + String(10 + i) } });
        assert.equal(r.status, 201, JSON.stringify(r.json));
      }
  });
  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
    assert.deepEqual(errors, [], 'errors in the page');
  });

  it('shows the heat layer and the kecamatan table to the pimpinan', async () => {
    const page = await login('pimpinan.satpolpp');
    await page.click('#nav a[href="#/hotspots"]');
    await page.waitForSelector('#hotspot-kecamatan tbody tr[data-code="63.11.06"]');
    assert.equal(await page.innerText('h1'), 'Peta rawan laporan');
    const rows = await page.$$eval('#hotspot-kecamatan tbody tr', (trs) => trs.map((tr) =>
      [tr.dataset.code, tr.querySelector('td.num').textContent]));
    // The busiest kecamatan first, as the API counts them (the demo's own
    // reports count too).
    const api = (await (await srv.session('pimpinan.satpolpp')).call('GET', '/api/v1/stats/hotspots')).json;
    assert.deepEqual(rows, api.kecamatan.map((k) => [k.code || '', String(k.count)]));
    assert.equal(rows[0][0], '63.11.06');
    assert.ok(api.kecamatan.find((k) => k.code === '63.11.01').count >= 4);
    assert.match(await page.innerText('#hotspot-summary'), new RegExp('^' + api.total + ' laporan'));
    // The heat layer drew something, hottest where most reports are.
    const painted = await page.$eval('canvas.heat-layer', (c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
      return n;
    });
    assert.ok(painted > 500, 'heat pixels: ' + painted);
    const text = await page.innerText('body');
    for (const s of [NAME, 'Saprudin', '7777', 'Keramaian']) assert.ok(!text.includes(s), s);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ARTIFACTS, 'hotspots-1280.png') });

    // A category: only its reports.
    const perda = await page.$eval('#h-category', (s) => [...s.options].find((o) => /Perda/i.test(o.textContent)).value);
    await page.selectOption('#h-category', perda);
    const perdaApi = (await (await srv.session('pimpinan.satpolpp')).call('GET', '/api/v1/stats/hotspots?category=' + perda)).json;
    assert.ok(perdaApi.total >= 4 && perdaApi.total < api.total);
    await page.waitForFunction((n) => document.getElementById('hotspot-summary').textContent.startsWith(n + ' laporan'), perdaApi.total);
    // A period before any report: empty, said so.
    await page.fill('#h-from', '2020-01-01');
    await page.fill('#h-to', '2020-01-31');
    await page.click('#hotspot-form button[type=submit]');
    await page.waitForFunction(() => /^0 laporan/.test(document.getElementById('hotspot-summary').textContent));
    assert.match(await page.innerText('#hotspot-kecamatan'), /Tidak ada laporan/);
    // A bad period: the server's reason, in Indonesian.
    await page.fill('#h-from', '2020-02-01');
    await page.click('#hotspot-form button[type=submit]');
    await page.waitForSelector('#hotspot-summary.error');
    assert.match(await page.innerText('#hotspot-summary'), /harus sebelum/);
    // English through the switch.
    await page.click('#lang');
    await page.waitForFunction(() => document.querySelector('h1').textContent === 'Hotspot map of reports');
    await page.context().close();
  });

  it('is not offered to a field officer', async () => {
    const page = await login('trc.satpolpp', 400);
    assert.equal(await page.locator('#nav a[href="#/hotspots"]').count(), 0);
    await page.context().close();
  });
});
