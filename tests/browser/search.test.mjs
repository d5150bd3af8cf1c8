// Issue 18, "find anything", in real Chromium: the inbox's one search box
// finds a case by its tracking code typed with slips and by the reporter's
// phone number, and says what it matched.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, FakeGraph, PASSWORD } from './harness.mjs';

let graph, srv, browser, page, made;
const errors = [];

// Searches q and waits until the page says it matched `want`.
async function find(q, want) {
  await page.fill('#f-q', q);
  await page.press('#f-q', 'Enter');
  await page.waitForFunction((w) => {
    const m = document.querySelector('#matched');
    return !m.hidden && m.textContent === w;
  }, want, { timeout: 10000 });
}

describe('search box', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const admin = await srv.session('admin.satpolpp');
    const cats = (await admin.call('GET', '/api/v1/categories')).json.items;
    made = (await admin.call('POST', '/api/v1/cases', {
      category_id: cats.find((k) => k.code === 'pkl').id, channel: 'phone',
      description: 'Gerobak menutup trotoar depan sekolah', kecamatan_code: '63.11.06',
      reporter: { name: 'Bu Salmah', phone: '0812-9999-1234' } })).json;
    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 } });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(srv.url + '/');
    await page.fill('#login-name', 'admin.satpolpp');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#f-q');
  });
  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
    assert.deepEqual(errors, [], 'errors in the page');
  });

  it('finds a case by a code typed with slips, and by the phone number', async () => {
    const slipped = made.tracking_code.replace('-', '').toLowerCase().replace(/0/g, 'o');
    await find(slipped, 'Ditemukan dari kode laporan.');
    const rows = page.locator('#cases tr');
    assert.equal(await rows.count(), 1);
    assert.ok((await rows.first().innerText()).includes(made.tracking_code));
    await page.screenshot({ path: join(ARTIFACTS, 'search-code.png') });
    await find('+62 812 9999 1234', 'Laporan dari nomor HP ini.');
    assert.ok((await page.locator('#cases').innerText()).includes(made.tracking_code));
  });
});
