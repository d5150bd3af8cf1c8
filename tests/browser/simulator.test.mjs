// Issue 18, the simulator, in real Chromium: without a Meta access token
// /sim is a WhatsApp look-alike. An admin signed in to the dashboard acts
// as a field officer's number, sees the emergency alert as WhatsApp shows
// the approved template (its text, its Terima / Tidak bisa buttons), taps
// Terima, and the case is accepted by that officer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, FakeGraph, PASSWORD } from './harness.mjs';

let graph, srv, browser;
const errors = [];

describe('simulator', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    // No access token: the WhatsApp driver is in simulator mode.
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

  it('an admin acts as an officer and taps Terima on the emergency template', async () => {
    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1100, height: 860 } });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    // Signed in to the dashboard as Damkar's admin, in the same browser.
    await page.goto(srv.url + '/');
    await page.fill('#login-name', 'admin.damkar');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#top:not([hidden])');

    await page.goto(srv.url + '/sim');
    await page.waitForSelector('#act-as:not([disabled])');
    await page.selectOption('#agency', '100000000000002');
    const officer = '6281100000201';
    await page.selectOption('#act-as', officer);
    assert.equal(await page.inputValue('#wa-id'), officer);

    // An emergency the desk records: the crew on duty is alerted.
    const admin = await srv.session('admin.damkar');
    const cats = (await admin.call('GET', '/api/v1/categories')).json.items;
    const c = (await admin.call('POST', '/api/v1/cases', {
      category_id: cats.find((k) => k.code === 'kebakaran').id, channel: 'phone',
      description: 'Api besar di gudang karet dekat jembatan', address: 'Jl. Jembatan Paringin',
      kecamatan_code: '63.11.06', lat: -2.33, lon: 115.46 })).json;
    const bubble = page.locator('.msg.in', { hasText: 'DARURAT' }).last();
    await bubble.waitFor({ timeout: 15000 });
    const text = await bubble.innerText();
    assert.match(text, /DARURAT Kebakaran\. Lokasi: .*Kode laporan [A-Z0-9]{4}-[A-Z0-9]{4}\. Terima tugas ini\?/s);
    assert.match(text, /aduan_darurat/);
    await page.screenshot({ path: join(ARTIFACTS, 'simulator-template.png') });
    await bubble.locator('button.reply', { hasText: 'Terima' }).click();
    let got;
    for (let i = 0; i < 100; i++) {
      got = (await admin.call('GET', '/api/v1/cases/' + c.id)).json;
      if (got.dispatch?.accepted_by) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(got.dispatch.accepted_by.name, 'Anggota Regu Damkar Paringin');
    await page.locator('.msg.out', { hasText: 'Terima' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'simulator-template-tapped.png') });
    await ctx.close();
  });
});
