// Issue 18 in real Chromium: the demo seeds canned replies for every agency,
// the picker appears in the reply box of a WhatsApp case, and inserting one
// fills {nama}, {kode} and {tim} in for this case (the team once the case
// has one). Screenshot: build/artifacts/case-canned.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, Citizen, FakeGraph, PASSWORD, textOf } from './harness.mjs';

const WA = '6281313150077';
let graph, srv, browser, citizen, caseId, code;

async function login(ctx, user) {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => { throw e; });
  page.on('dialog', (d) => { throw new Error('dialog: ' + d.message()); });
  await page.goto(srv.url + '/');
  await page.fill('#login-name', user);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#top:not([hidden])');
  return page;
}

describe('canned replies in the demo', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    citizen = new Citizen(srv, graph, WA, 'Sari');
    await citizen.text('halo');
    await citizen.tap('menu:report');
    await citizen.tap('consent:yes', true);
    await citizen.tap('cat:1');
    await citizen.text('Pedagang menutup trotoar depan pasar setiap pagi');
    await citizen.text('Jl. A. Yani depan pasar');
    await citizen.tap('kec:63.11.06');
    await citizen.tap('photos:skip', true);
    const done = textOf((await citizen.tap('confirm:send', true))[0]);
    code = done.match(/\*([0-9A-Z]{4}-[0-9A-Z]{4})\*/)[1];
    const sa = await srv.session('superadmin');
    const list = (await sa.call('GET', '/api/v1/cases?limit=50')).json.items;
    caseId = list.find((c) => c.tracking_code === code).id;
  });

  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
  });

  it('every demo agency has canned replies, with placeholders', async () => {
    const sa = await srv.session('superadmin');
    for (const agency of [1, 2, 3]) {
      const { items } = (await sa.call('GET', '/api/v1/canned-replies?agency=' + agency)).json;
      assert.ok(items.length >= 3, 'agency ' + agency);
      assert.ok(items.some((x) => /\{nama\}/.test(x.body) && /\{kode\}/.test(x.body)));
    }
  });

  it('the picker fills the reply with the name, the code and the team', async () => {
    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 } });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const page = await login(ctx, 'admin.satpolpp');
    await page.goto(srv.url + '/#/case/' + caseId);
    await page.waitForSelector('#case-code');
    await page.waitForSelector('#canned:not([hidden]) #canned-select');
    const titles = await page.locator('#canned-select option').allTextContents();
    assert.ok(titles.includes('Laporan diterima') && titles.includes('Petugas menuju lokasi'), titles.join('|'));

    const ta = page.locator('#reply-text');
    await page.selectOption('#canned-select', { label: 'Laporan diterima' });
    await page.click('#canned-insert');
    assert.equal(await ta.inputValue(),
      `Terima kasih, Sari. Laporan Anda dengan kode ${code} sudah kami terima dan sedang diverifikasi oleh petugas Satpol PP.`);

    // No team yet: a polite general word, never a raw {tim}.
    await ta.fill('');
    await page.selectOption('#canned-select', { label: 'Petugas menuju lokasi' });
    await page.click('#canned-insert');
    assert.match(await ta.inputValue(), /^Sari, petugas dari tim kami sedang menuju lokasi untuk menindaklanjuti laporan [0-9A-Z]{4}-[0-9A-Z]{4}\./);
    assert.ok(!(await ta.inputValue()).includes('{'));

    // Dispatched to a team: the team's name.
    const boss = await srv.session('kabid.satpolpp');
    const admin = await srv.session('admin.satpolpp');
    assert.equal((await admin.call('POST', `/api/v1/cases/${caseId}/transitions`, { action: 'verify' })).status, 200);
    const teams = (await admin.call('GET', '/api/v1/teams')).json.items;
    const team = teams.find((x) => x.name === 'TRC Pos Paringin');
    assert.equal((await boss.call('POST', `/api/v1/cases/${caseId}/transitions`,
      { action: 'dispatch', team_id: team.id })).status, 200);
    await page.reload();
    await page.waitForSelector('#canned:not([hidden]) #canned-select');
    await page.selectOption('#canned-select', { label: 'Petugas menuju lokasi' });
    await page.click('#canned-insert');
    assert.equal(await page.locator('#reply-text').inputValue(),
      `Sari, petugas dari TRC Pos Paringin sedang menuju lokasi untuk menindaklanjuti laporan ${code}. Mohon tetap menjaga keamanan.`);
    await page.screenshot({ path: join(ARTIFACTS, 'case-canned.png'), fullPage: true });
    await ctx.close();
  });
});
