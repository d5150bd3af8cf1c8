// The admin page's Webhook tab in real Chromium (issue 17 §2): an agency
// admin adds a subscription (the made secret is shown once), a new case is
// delivered to a local receiver, the delivery log shows the 200 and
// "Kirim ulang" sends the same delivery again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, FakeGraph, PASSWORD } from './harness.mjs';

let graph, srv, browser, receiver;
const got = [];

describe('admin webhooks page', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        got.push({ id: req.headers['x-aduan-delivery'], event: req.headers['x-aduan-event'], body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    if (receiver) receiver.close();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
  });

  it('adds a webhook, shows its delivery log and sends one again', async () => {
    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1100, height: 900 } });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(srv.url + '/admin/');
    await page.fill('#login-name', 'admin.satpolpp');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#panes:not([hidden])');
    await page.click('#tab-webhooks');
    await page.locator('#wh-form').waitFor();
    // The list loads after the form: wait for it, do not read it at once.
    await page.waitForFunction(() => /Belum ada webhook/.test(document.getElementById('webhooks').textContent));
    await page.fill('#wh-url', `http://127.0.0.1:${receiver.address().port}/aduan`);
    await page.uncheck('#wh-events input[value="sla.breached"]');
    // The LAPOR! liaison's event (issue 17 §3), labelled in Indonesian.
    assert.match(await page.locator('#wh-events').textContent(), /data LAPOR! berubah/);
    await page.click('#wh-form button[type=submit]');
    await page.waitForFunction(() => /Rahasia webhook ini/.test(document.getElementById('wh-note').textContent));
    const row = page.locator('#webhooks tr[data-id]');
    await row.waitFor();
    assert.match(await row.textContent(), /aktif/);
    assert.doesNotMatch(await row.textContent(), /sla\.breached/);

    const api = await srv.session('admin.satpolpp');
    const cats = (await api.call('GET', '/api/v1/categories')).json;
    const agency = api.me.roles[0].agency_id;
    const cat = cats.items.find((c) => c.code === 'pkl' && c.agency_id === agency);
    const made = await api.call('POST', '/api/v1/cases', { category_id: cat.id, description: 'Lapak di trotoar depan pasar' });
    assert.equal(made.status, 201);
    for (let i = 0; i < 100 && !got.length; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(got[0].event, 'case.created');

    await row.locator('button', { hasText: 'Log pengiriman' }).click();
    const log = page.locator('#wh-deliveries tbody tr');
    await log.first().waitFor();
    assert.match(await log.first().textContent(), /terkirim.*200/);
    await log.first().locator('button', { hasText: 'Kirim ulang' }).click();
    for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(got[1].id, got[0].id);
    assert.equal(got[1].body, got[0].body);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-webhooks.png') });
    assert.deepEqual(errors, []);
    await ctx.close();
  });

  it('the Open311 card publishes the photos of reports (issue 17 §1)', async () => {
    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1100, height: 900 } });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(srv.url + '/admin/');
    await page.fill('#login-name', 'admin.satpolpp');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#panes:not([hidden])');
    await page.click('#tab-webhooks');
    await page.locator('#o311-photos').waitFor();
    assert.equal(await page.isChecked('#o311-photos'), false);
    await page.check('#o311-photos');
    const api = await srv.session('admin.satpolpp');
    const agency = api.me.roles[0].agency_id;
    const published = async () => (await api.call('GET', '/api/v1/agencies')).json.items.find((a) => a.id === agency).publish_photos;
    for (let i = 0; i < 50 && !(await published()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await published(), true);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-open311.png'), fullPage: true });
    await page.uncheck('#o311-photos');
    for (let i = 0; i < 50 && (await published()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await published(), false);
    assert.deepEqual(errors, []);
    await ctx.close();
  });
});
