// Issue 18, "new files from the citizen appear on the open case page without
// a reload", in real Chromium: an operator has an emergency open; the citizen
// sends a photo of the fire on WhatsApp; the photo appears in the
// conversation and among the case's files of the same page, once.
// Screenshot: build/artifacts/live-file.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, Citizen, FakeGraph, PASSWORD, SECRET, textOf } from './harness.mjs';

const WA = '6281313170001';
const DAMKAR = '100000000000002';

// A citizen writing to Damkar's number (the harness's writes to Satpol PP's).
class DamkarCitizen extends Citizen {
  async post(msg) {
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA1', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '6281150000002', phone_number_id: DAMKAR },
      contacts: [{ profile: { name: this.name }, wa_id: this.waId }], messages: [msg] } }] }] });
    const sig = 'sha256=' + createHmac('sha256', SECRET).update(body).digest('hex');
    const r = await fetch(this.srv.url + '/webhooks/whatsapp', {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': sig }, body,
    });
    if (r.status !== 200) throw new Error('webhook -> ' + r.status);
  }
}

let graph, srv, browser;

describe('a citizen file on the open case page, live', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
  });

  it('a photo sent after the report appears without a reload, once', async () => {
    const citizen = new DamkarCitizen(srv, graph, WA, 'Sari');
    await citizen.text('menu');
    await citizen.tap('menu:report');
    const rows = (await citizen.tap('consent:yes', true))[0].interactive.action.sections[0].rows;
    await citizen.tap(rows.find((r) => (r.description || '').includes('DARURAT')).id);
    const done = await citizen.say('location', { lat: -2.3620, lon: 115.4410, address: 'Desa Batu Piring' });
    const code = textOf(done[0]).match(/\*([0-9A-Z]{4}-[0-9A-Z]{4})\*/)[1];
    const api = await srv.session('admin.damkar');
    const caseId = (await api.call('GET', '/api/v1/cases?limit=50')).json.items.find((c) => c.tracking_code === code).id;

    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 } });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(srv.url + '/');
    await page.fill('#login-name', 'admin.damkar');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#top:not([hidden])');
    await page.goto(srv.url + '/#/case/' + caseId);
    await page.waitForSelector('#case-code');
    await page.locator('#thread').waitFor();
    const before = await page.locator('#gallery img[alt^="Foto "]').count();
    assert.equal(await page.locator('#thread img[alt^="Foto "]').count(), 0);
    await page.evaluate(() => { window.__sameDocument = true; });

    // The photo, made by the browser so that it can draw it.
    const jpeg = Buffer.from((await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 160; c.height = 120;
      const g = c.getContext('2d');
      g.fillStyle = '#c62828'; g.fillRect(0, 0, 160, 120);
      g.fillStyle = '#fff'; g.font = '20px sans-serif'; g.fillText('api', 60, 66);
      return c.toDataURL('image/jpeg');
    })).split(',')[1], 'base64');
    const media = await graph.addMedia(jpeg, 'image/jpeg');
    await citizen.post(citizen.message('image', { media_id: media.id, sha256: media.sha256 }));

    // In the thread and among the files, drawn (downloaded), on the same page.
    await page.waitForFunction(() => [...document.querySelectorAll('#thread img[alt^="Foto "]')].some((i) => i.complete && i.naturalWidth > 0),
      null, { timeout: 10000 });
    await page.waitForFunction((n) => document.querySelectorAll('#gallery img[alt^="Foto "]').length === n + 1, before, { timeout: 10000 });
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
    await page.waitForTimeout(500);
    assert.equal(await page.locator('#thread img[alt^="Foto "]').count(), 1, 'the photo once in the thread');
    assert.equal(await page.locator('#gallery img[alt^="Foto "]').count(), before + 1, 'the photo once among the files');
    const now = (await api.call('GET', '/api/v1/cases/' + caseId)).json;
    assert.equal(now.attachments.filter((a) => a.source === 'citizen').length, before + 1);
    await page.screenshot({ path: join(ARTIFACTS, 'live-file.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await ctx.close();
  });
});
