// Issue 18, "the public map and follow", to its end in real Chromium: a
// citizen finds a report on the public list, opens its tracking page, takes
// the follow button's message (IKUTI and the code) and sends it from a phone
// — the simulator, which shows what WhatsApp would — gets the confirmation,
// then the agency's next public step arrives there with the message to the
// reporter and never the internal note. BERHENTI stops it.
// Screenshot: build/artifacts/follow-sim.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, FakeGraph, SATPOLPP } from './harness.mjs';

let graph, srv, browser;
const errors = [];

async function ok(p) {
  const r = await p;
  assert.ok(r.status < 300, JSON.stringify(r.json));
  return r.json;
}

describe('follow a report from its public page', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    // No access token: WhatsApp is the simulator.
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

  it('list, tracking page, IKUTI from the phone, an update, BERHENTI', async () => {
    const admin = await srv.session('admin.satpolpp');
    const kabid = await srv.session('kabid.satpolpp');
    const cats = (await ok(admin.call('GET', '/api/v1/categories'))).items;
    const c = await ok(admin.call('POST', '/api/v1/cases', {
      category_id: cats.find((k) => k.code === 'pkl').id, channel: 'phone',
      description: 'Lapak qxfollow menutup trotoar depan sekolah', address: 'Jl. Merdeka 3',
      kecamatan_code: '63.11.06', lat: -2.3364, lon: 115.4669,
      reporter: { name: 'Pak Anwar', phone: '0812-1111-2222' } }));
    const code = c.tracking_code;

    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1100, height: 800 } });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));

    // The public list links to the tracking page, whose button has the words.
    await page.goto(srv.url + '/laporan?agency=satpolpp');
    await page.click(`a[href^="/t/${code}"]`);
    await page.waitForURL(new RegExp('/t/' + code));
    const href = new URL(await page.locator('a.follow').getAttribute('href'));
    assert.equal(href.host, 'wa.me');
    const words = href.searchParams.get('text');
    assert.equal(words, 'IKUTI ' + code);

    // On the phone (the simulator), to the agency's number.
    await page.goto(srv.url + '/sim');
    await page.waitForFunction((v) => [...document.querySelectorAll('#agency option')].some((o) => o.value === v), SATPOLPP);
    await page.selectOption('#agency', SATPOLPP);
    await page.fill('#wa-id', '6281399990001');
    await page.press('#wa-id', 'Enter');
    await page.fill('#text', words);
    await page.click('#send');
    const confirm = page.locator('.msg.in', { hasText: 'Anda akan menerima kabar perkembangan laporan' });
    await confirm.waitFor({ timeout: 15000 });
    const said = await confirm.innerText();
    assert.ok(said.includes(code) && said.includes('/t/' + code) && said.includes('BERHENTI ' + code), said);

    // The agency's next public step reaches the follower, live.
    await ok(admin.call('POST', `/api/v1/cases/${c.id}/transitions`, {
      action: 'verify', note: 'catatan internal qxsecret', public_note: 'Petugas akan datang sore ini' }));
    const update = page.locator('.msg.in', { hasText: 'Petugas akan datang sore ini' });
    await update.waitFor({ timeout: 15000 });
    const text = await page.locator('#thread').innerText();
    assert.ok(text.includes(code), text);
    for (const x of ['qxsecret', 'Anwar', '1111-2222']) assert.ok(!text.includes(x), x);
    await page.screenshot({ path: join(ARTIFACTS, 'follow-sim.png') });

    // BERHENTI: the next step is not sent to this number.
    await page.fill('#text', 'BERHENTI ' + code);
    await page.click('#send');
    await page.locator('.msg.in', { hasText: 'tidak akan lagi menerima kabar laporan' }).waitFor({ timeout: 15000 });
    const before = await page.locator('.msg.in').count();
    const teams = (await ok(admin.call('GET', '/api/v1/teams'))).items;
    await ok(kabid.call('POST', `/api/v1/cases/${c.id}/transitions`, {
      action: 'dispatch', team_id: teams.find((x) => x.name === 'TRC Pos Paringin').id,
      public_note: 'Tim qxafterstop berangkat' }));
    await page.waitForTimeout(2500);
    assert.equal(await page.locator('.msg.in').count(), before);
    assert.ok(!(await page.locator('#thread').innerText()).includes('qxafterstop'));
    await ctx.close();
  });
});
