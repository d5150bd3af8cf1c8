// Issue 18 "Operators" in real Chromium: two operators on one case see each
// other's presence, and a citizen's new message arrives on the open case
// page without a reload (the event stream); a case is assigned to a person,
// the other operator's page follows, and the inbox's views "Milik saya /
// Belum ditugaskan / Semua" list it with live unread counts.
// Screenshots: build/artifacts/live-presence.png, live-message.png,
// live-views.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, Citizen, FakeGraph, PASSWORD, textOf } from './harness.mjs';

const WA = '6281313160001';
const DAMKAR = '100000000000002';
const FIRE = { lat: -2.3620, lon: 115.4410 };

// A citizen writing to Damkar's number (the harness's writes to Satpol PP's).
class DamkarCitizen extends Citizen {
  async post(msg) {
    const { createHmac } = await import('node:crypto');
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA1', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '6281150000002', phone_number_id: DAMKAR },
      contacts: [{ profile: { name: this.name }, wa_id: this.waId }], messages: [msg] } }] }] });
    const sig = 'sha256=' + createHmac('sha256', 'browser-app-secret').update(body).digest('hex');
    const r = await fetch(this.srv.url + '/webhooks/whatsapp', {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': sig }, body,
    });
    if (r.status !== 200) throw new Error('webhook -> ' + r.status);
  }
}

let graph, srv, browser, citizen, caseId, code, admin, kasi;

async function context() {
  const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 } });
  await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
  return ctx;
}

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

describe('operators live: presence, messages, ownership and views', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    citizen = new DamkarCitizen(srv, graph, WA, 'Sari');
    await citizen.text('menu');
    await citizen.tap('menu:report');
    const cats = (await citizen.tap('consent:yes', true))[0];
    const rows = cats.interactive.action.sections[0].rows;
    await citizen.tap(rows.find((r) => (r.description || '').includes('DARURAT')).id);
    const done = await citizen.say('location', { ...FIRE, address: 'Desa Batu Piring' });
    code = textOf(done[0]).match(/\*([0-9A-Z]{4}-[0-9A-Z]{4})\*/)[1];
    const sa = await srv.session('superadmin');
    caseId = (await sa.call('GET', '/api/v1/cases?limit=50')).json.items.find((c) => c.tracking_code === code).id;
    admin = (await srv.session('admin.damkar')).me.user;
    kasi = (await srv.session('kasi.damkar')).me.user;
  });

  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
  });

  it('two operators on one case see each other, a message and the owner live', async () => {
    const ctxA = await context();
    const ctxB = await context();
    const a = await login(ctxA, 'admin.damkar');
    const b = await login(ctxB, 'kasi.damkar');
    await a.goto(srv.url + '/#/case/' + caseId);
    await b.goto(srv.url + '/#/case/' + caseId);
    await a.waitForSelector('#case-code');
    await b.waitForSelector('#case-code');
    // Each sees the other (the first beat of the second page is an event
    // for the first).
    await a.waitForFunction((n) => {
      const p = document.getElementById('presence');
      return p && !p.hidden && p.textContent.includes(n);
    }, kasi.name, { timeout: 5000 });
    await b.waitForFunction((n) => {
      const p = document.getElementById('presence');
      return p && !p.hidden && p.textContent.includes(n);
    }, admin.name, { timeout: 5000 });
    assert.ok(!(await a.textContent('#presence')).includes(admin.name), 'not oneself');
    await a.screenshot({ path: join(ARTIFACTS, 'live-presence.png'), fullPage: true });

    // The citizen writes more about the fire: on both pages, no reload.
    await a.evaluate(() => { window.__sameDocument = true; });
    await citizen.post(citizen.message('text', { body: 'Apinya makin besar qxlive, tolong cepat' }));
    await a.waitForFunction(() => (document.getElementById('thread') || {}).textContent?.includes('qxlive'),
      null, { timeout: 3000 });
    // The description is refreshed by its own request after the thread: wait for it too.
    await a.waitForFunction(() => (document.getElementById('case-description') || {}).textContent?.includes('qxlive'),
      null, { timeout: 3000 });
    assert.equal(await a.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
    await b.waitForFunction(() => (document.getElementById('thread') || {}).textContent?.includes('qxlive'),
      null, { timeout: 3000 });
    await a.screenshot({ path: join(ARTIFACTS, 'live-message.png'), fullPage: true });

    // The admin takes the case; the supervisor's page shows the owner.
    assert.equal((await a.textContent('#assignee-name')).trim(), 'Belum ditugaskan');
    await a.click('#assign-me');
    await a.waitForFunction((n) => document.getElementById('assignee-name')?.textContent === n, admin.name);
    await b.waitForFunction((n) => document.getElementById('assignee-name')?.textContent === n, admin.name,
      { timeout: 3000 });
    const tl = await b.textContent('#timeline');
    assert.ok(tl.includes('Ditugaskan ke petugas'), tl);

    // The supervisor leaves: the admin's page no longer shows them.
    await b.goto(srv.url + '/#/inbox');
    await a.waitForFunction(() => document.getElementById('presence')?.hidden === true, null, { timeout: 3000 });
    await ctxB.close();

    // The inbox's views.
    await a.goto(srv.url + '/#/inbox');
    await a.waitForSelector('#views');
    const row = `#cases tr[data-id="${caseId}"]`;
    await a.waitForSelector(row);
    assert.equal(await a.getAttribute('#view-all', 'aria-pressed'), 'true');
    await a.click('#view-me');
    await a.waitForSelector(row);
    assert.ok((await a.textContent(row)).includes(admin.name));
    await a.click('#view-none');
    await a.waitForFunction((sel) => !document.querySelector(sel), row);
    await a.click('#view-me');
    await a.waitForSelector(row);
    // A new message: the row turns unread and "Milik saya" counts it, live.
    await citizen.post(citizen.message('text', { body: 'Sudah merambat ke rumah sebelah' }));
    await a.waitForSelector(row + '.unread', { timeout: 3000 });
    await a.waitForFunction(() => {
      const c = document.getElementById('unread-me');
      return c && !c.hidden && c.textContent === '1';
    }, null, { timeout: 3000 });
    assert.equal(await a.textContent('#unread-all'), '1');
    assert.equal(await a.isHidden('#unread-none'), true);
    await a.screenshot({ path: join(ARTIFACTS, 'live-views.png'), fullPage: true });
    // Opening the case reads it.
    await a.click(row + ' a.code');
    await a.waitForSelector('#case-code');
    await a.goto(srv.url + '/#/inbox');
    await a.waitForSelector('#views');
    await a.waitForFunction(() => document.getElementById('unread-me')?.hidden === true);
    await ctxA.close();
  });
});
