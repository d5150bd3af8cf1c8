// Issue 17 §1 (media) in real Chromium: two Open311 requests name their
// photo by media_url (a local media server). The case page shows the one
// that came as the reporter's photo, and for the one the server refused
// (404) the attachment "gagal diunduh" and the timeline entry "Foto dari
// tautan pelapor gagal diambil" with its reason; in Indonesian first.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, BIN, CHROMIUM, FakeGraph, PASSWORD, ROOT } from './harness.mjs';

const JPEG = readFileSync(join(ROOT, 'tests', 'fixtures', 'images', 'exif-gps.jpg'));
let graph, srv, browser, media, admin;

async function post(key, words, url) {
  const body = new URLSearchParams({ api_key: key, service_code: 'satpolpp-pkl', lat: '-2.3301',
    long: '115.4602', description: 'Lapak di trotoar ' + words, media_url: url });
  const r = await fetch(srv.url + '/open311/v2/requests.json', { method: 'POST', body });
  assert.equal(r.status, 200);
  return Number((await r.json())[0].service_request_id);
}

async function settled(id) {
  for (let i = 0; i < 300; i++) {
    const c = (await admin.call('GET', `/api/v1/cases/${id}`)).json;
    const a = c.attachments.find((x) => x.source === 'citizen');
    if (a && a.state !== 'pending') return a;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the fetch of case ' + id + ' did not settle');
}

describe('issue 17 §1: Open311 media_url on the case page', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    media = createServer((req, res) => {
      if (req.url === '/photo.jpg') res.writeHead(200, { 'Content-Type': 'image/jpeg' }).end(JPEG);
      else res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not here');
    });
    await new Promise((r) => media.listen(0, '127.0.0.1', r));
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    admin = await srv.session('admin.satpolpp');
  });

  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    if (media) media.close();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
  });

  it('the fetched photo, and the failed one on the timeline', async () => {
    const made = spawnSync(BIN, ['open311', 'key', 'add', 'browser-test'],
      { env: srv.env(), cwd: srv.dir, encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const key = made.stdout.trim().split('\n').pop();
    const base = `http://127.0.0.1:${media.address().port}`;
    const good = await post(key, 'qxbrmediaok', base + '/photo.jpg');
    const bad = await post(key, 'qxbrmedia404', base + '/missing.jpg');
    assert.equal((await settled(good)).state, 'stored');
    assert.equal((await settled(bad)).state, 'failed');

    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 } });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(srv.url + '/');
    await page.fill('#login-name', 'admin.satpolpp');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#top:not([hidden])');

    await page.goto(srv.url + `/#/case/${good}`);
    await page.locator('#gallery img').first().waitFor();
    assert.ok(await page.locator('#gallery img').first().evaluate((img) => img.complete && img.naturalWidth > 0));

    await page.goto(srv.url + `/#/case/${bad}`);
    await page.waitForFunction(() => /Foto dari tautan pelapor gagal diambil/.test(document.getElementById('timeline')?.textContent || ''));
    const timeline = await page.locator('#timeline').textContent();
    assert.match(timeline, /HTTP 404/);
    assert.doesNotMatch(timeline, /media_failed/);
    assert.match(await page.locator('#gallery').textContent(), /gagal diunduh/);
    await page.locator('#gallery').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'open311-media-failed.png'), fullPage: false });
    assert.deepEqual(errors, []);
    await ctx.close();
  });
});
