// Issue #13: a login tried from many addresses at once is locked for
// everyone, and the superadmin sees it at the top of the admin page (in
// Indonesian, and in English after the switch); an agency admin does not.
// The ten addresses are loopback addresses 127.0.0.20-29.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, FakeGraph, PASSWORD } from './harness.mjs';

let graph, srv, browser;

// One login attempt connecting from localAddress; resolves to the status.
function attempt(login, password, localAddress) {
  const body = JSON.stringify({ login, password });
  return new Promise((resolve, reject) => {
    const req = request(srv.url + '/api/v1/auth/login', {
      method: 'POST', localAddress,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.end(body);
  });
}

async function adminPage(ctx, user) {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.errors = errors;
  await page.goto(srv.url + '/admin/');
  await page.fill('#login-name', user);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#panes:not([hidden])');
  await page.waitForFunction(() => document.getElementById('status').textContent === '');
  return page;
}

describe('login attack notice', () => {
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

  it('shows the superadmin the logins locked for everyone, and no one else', async () => {
    for (let i = 0; i < 10; i++)
      assert.equal(await attempt('admin.damkar', 'tebak-' + i, '127.0.0.' + (20 + i)), 401);
    assert.equal(await attempt('admin.damkar', PASSWORD, '127.0.0.30'), 429);

    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1100, height: 800 } });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const page = await adminPage(ctx, 'superadmin');
    const box = page.locator('#login-attacks');
    await box.waitFor({ state: 'visible' });
    const text = await box.textContent();
    assert.match(text, /Peringatan keamanan/);
    assert.match(text, /admin\.damkar/);
    assert.match(text, /10 alamat/);
    assert.match(text, /masih berlaku/);
    assert.equal(await box.getAttribute('role'), 'alert');
    await page.screenshot({ path: join(ARTIFACTS, 'admin-login-attacks.png') });
    await page.click('#lang');
    await page.waitForFunction(() => /Security warning/.test(document.getElementById('login-attacks').textContent));
    assert.match(await box.textContent(), /10 addresses/);
    assert.deepEqual(page.errors, []);

    await ctx.close();

    const ctx2 = await browser.newContext({ locale: 'id-ID', viewport: { width: 1100, height: 800 } });
    await ctx2.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const other = await adminPage(ctx2, 'admin.satpolpp');
    assert.equal(await other.locator('#login-attacks').isHidden(), true);
    assert.deepEqual(other.errors, []);
    await ctx2.close();
  });
});
