// Issue 16 §4 in real Chromium: one inbox for every channel. Each message
// of the conversation shows its channel with an inline SVG icon, the inbox
// filters by channel with a select, and /statistik counts cases per channel
// ("Kanal pengaduan"). Screenshots: build/artifacts/case-channels.png,
// inbox-channel.png, statistik-channels.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, Citizen, FakeGraph, PASSWORD, textOf } from './harness.mjs';

const WA = '6281313150078';
let graph, srv, browser, citizen, caseId, code, phoneCode;

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

describe('channels in the inbox', () => {
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
    const admin = await srv.session('admin.satpolpp');
    const cats = (await admin.call('GET', '/api/v1/categories')).json.items;
    const made = await admin.call('POST', '/api/v1/cases', {
      category_id: cats.find((k) => k.code === 'trantibum').id, channel: 'phone',
      description: 'Keributan di depan pasar setiap malam' });
    assert.equal(made.status, 201);
    phoneCode = made.json.tracking_code;
  });

  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
  });

  async function page(user) {
    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 } });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    return [ctx, await login(ctx, user)];
  }

  it('each message of the conversation shows its channel with an icon', async () => {
    const [ctx, p] = await page('admin.satpolpp');
    await p.goto(srv.url + '/#/case/' + caseId);
    await p.waitForSelector('#thread li[data-dir=in]');
    const chips = p.locator('#thread li .meta .chan');
    const n = await chips.count();
    assert.equal(n, await p.locator('#thread li').count());
    assert.ok(n >= 2);
    for (let i = 0; i < n; i++) {
      assert.equal(await chips.nth(i).getAttribute('data-channel'), 'whatsapp');
      assert.equal(await chips.nth(i).locator('svg path').count(), 1);
      assert.equal(await chips.nth(i).textContent(), 'WhatsApp');
    }
    // The icon is drawn (a real box), not a missing glyph or a remote image.
    const box = await chips.first().locator('svg').boundingBox();
    assert.ok(box && box.width >= 10 && box.height >= 10, JSON.stringify(box));
    assert.equal(await p.locator('#case-channel .chan[data-channel=whatsapp] svg').count(), 1);
    await p.screenshot({ path: join(ARTIFACTS, 'case-channels.png'), fullPage: true });
    await ctx.close();
  });

  it('the inbox filters by channel', async () => {
    const [ctx, p] = await page('admin.satpolpp');
    await p.goto(srv.url + '/#/inbox');
    await p.waitForSelector('#cases tr');
    const labels = await p.locator('#f-channel option').allTextContents();
    for (const l of ['WhatsApp', 'Telegram', 'Email', 'Formulir web', 'Open311', 'Datang langsung', 'Telepon'])
      assert.ok(labels.includes(l), labels.join('|'));
    const rowsOf = async () => p.locator('#cases tr').evaluateAll((trs) => trs.map((tr) => [
      tr.querySelector('.code').textContent, tr.querySelector('.chan').dataset.channel]));
    await p.selectOption('#f-channel', 'whatsapp');
    await p.click('#filters button[type=submit]');
    await p.waitForFunction(() => [...document.querySelectorAll('#cases .chan')].every((c) => c.dataset.channel === 'whatsapp'));
    let rows = await rowsOf();
    assert.ok(rows.some(([c]) => c === code) && rows.every(([, ch]) => ch === 'whatsapp'), JSON.stringify(rows));
    assert.match(await p.locator('#export-csv').getAttribute('href'), /channel=whatsapp/);
    await p.screenshot({ path: join(ARTIFACTS, 'inbox-channel.png'), fullPage: true });
    await p.selectOption('#f-channel', 'phone');
    await p.click('#filters button[type=submit]');
    await p.waitForFunction(() => [...document.querySelectorAll('#cases .chan')].every((c) => c.dataset.channel === 'phone'));
    rows = await rowsOf();
    assert.ok(rows.some(([c]) => c === phoneCode) && !rows.some(([c]) => c === code), JSON.stringify(rows));
    await ctx.close();
  });

  it('/statistik counts cases per channel', async () => {
    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 } });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const p = await ctx.newPage();
    p.on('pageerror', (e) => { throw e; });
    await p.goto(srv.url + '/statistik');
    await p.waitForSelector('#channel_table tbody tr');
    assert.equal((await p.locator('h2', { hasText: 'Kanal pengaduan' }).count()), 1);
    const rows = await p.locator('#channel_table tbody tr').evaluateAll((trs) => Object.fromEntries(
      trs.map((tr) => [tr.dataset.channel, [...tr.children].map((td) => td.textContent)])));
    assert.equal(rows.whatsapp[0], 'WhatsApp');
    assert.equal(rows.phone[0], 'Telepon');
    const stats = await (await fetch(srv.url + '/api/v1/stats')).json();
    for (const b of stats.by_channel) assert.equal(rows[b.channel][1], String(b.received));
    await p.locator('#channel_table').scrollIntoViewIfNeeded();
    await p.screenshot({ path: join(ARTIFACTS, 'statistik-channels.png'), fullPage: true });
    await ctx.close();
  });
});
