// Issue 19 §3 in the browser: an admin (a role that must use two-step
// verification) is taken to the account page at the first sign-in, scans
// the QR code (the code is computed here with node:crypto, independently of
// aduan), gets recovery codes, then reaches the dashboard; the next sign-in
// asks for the code. The sessions list ends the other devices, then all.
// Indonesian first, English after the switch.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, FakeGraph, PASSWORD } from './harness.mjs';

let graph, srv, browser;

function base32(s) {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, val = 0;
  const out = [];
  for (const c of s.replace(/[\s=]/g, '').toUpperCase()) {
    val = (val << 5) | A.indexOf(c);
    bits += 5;
    if (bits >= 8) { out.push((val >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

// RFC 6238: HMAC-SHA-1 of the 30 s step, 6 digits.
function totp(secret, offset = 0) {
  const step = Math.floor(Date.now() / 1000 / 30) + offset;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(msg).digest();
  const o = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

async function newPage() {
  const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1100, height: 900 } });
  await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  return page;
}

async function signIn(page, user) {
  await page.goto(srv.url + '/app/');
  await page.fill('#login-name', user);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-form button[type=submit]');
}

describe('account page', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph, { ADUAN_2FA_REQUIRED_ROLES: 'superadmin,admin' }).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
  });

  it('enrols an admin at the first sign-in, then asks for the code', async () => {
    const page = await newPage();
    await signIn(page, 'admin.damkar');
    await page.waitForSelector('#account-2fa #tfa-setup');
    assert.match(await page.textContent('#account-2fa'), /wajib memakai verifikasi dua langkah/);
    assert.equal(await page.locator('#account-sessions').count(), 0);
    await page.click('#tfa-setup');
    await page.waitForSelector('#tfa-qr svg path');
    const secret = (await page.textContent('#tfa-secret')).replace(/\s/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await page.screenshot({ path: join(ARTIFACTS, 'account-2fa-setup.png') });
    // A wrong code: a clear error, still on the setup.
    await page.fill('#tfa-code', totp(secret) === '000000' ? '111111' : '000000');
    await page.click('#tfa-confirm button[type=submit]');
    await page.waitForFunction(() => /kode verifikasi salah/.test(document.getElementById('tfa-msg').textContent));
    await page.fill('#tfa-code', totp(secret));
    await page.click('#tfa-confirm button[type=submit]');
    await page.waitForSelector('#tfa-recovery');
    assert.equal(await page.locator('#tfa-recovery li').count(), 10);
    await page.click('#tfa-continue');
    await page.waitForFunction(() => location.hash === '#/inbox' && document.querySelector('#nav a[href="#/account"]'));
    await page.waitForSelector('#view table, #view .case-list, #view .inbox', { timeout: 10000 }).catch(() => {});
    // Sign out and in again: the password is not enough.
    await page.click('#logout');
    await page.waitForSelector('#login-form');
    await page.fill('#login-name', 'admin.damkar');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#login-code-box:not([hidden])');
    assert.match(await page.textContent('#login-error'), /kode 6 angka/);
    await page.fill('#login-code', totp(secret, 1));
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => location.hash === '#/inbox' && !document.getElementById('top').hidden);
    await page.goto(srv.url + '/app/#/account');
    await page.waitForSelector('#tfa-left');
    assert.match(await page.textContent('#account-2fa'), /Aktif/);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('shows the superadmin the audit log with its filter and CSV link', async () => {
    // Enrol the superadmin through the API (the dashboard's way is tested above).
    const login = await fetch(srv.url + '/api/v1/auth/login', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: 'superadmin', password: PASSWORD }),
    });
    const me = await login.json();
    const cookie = login.headers.get('set-cookie').split(';')[0];
    const h = { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': me.csrf_token };
    const setup = await (await fetch(srv.url + '/api/v1/me/2fa/setup', { method: 'POST', headers: h, body: '{}' })).json();
    const conf = await fetch(srv.url + '/api/v1/me/2fa/confirm', { method: 'POST', headers: h, body: JSON.stringify({ code: totp(setup.secret) }) });
    assert.equal(conf.status, 200);

    const page = await newPage();
    await page.goto(srv.url + '/admin/');
    await page.fill('#login-name', 'superadmin');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#login-code-box:not([hidden])');
    await page.fill('#login-code', totp(setup.secret, 1));
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#panes:not([hidden])');
    await page.click('#tab-audit');
    await page.waitForSelector('#audit-rows tr td');
    const text = await page.textContent('#audit-rows');
    assert.match(text, /admin\.damkar/);
    assert.match(text, /2fa_enabled/);
    assert.match(await page.textContent('#audit-help'), /730 hari/);
    await page.fill('#au-action', 'login_failed');
    await page.click('#audit-form button[type=submit]');
    await page.waitForFunction(() => [...document.querySelectorAll('#audit-rows tr')].every((tr) => /login_failed|Tidak ada/.test(tr.textContent)));
    assert.match(await page.getAttribute('#audit-csv', 'href'), /^\/api\/v1\/admin\/audit\.csv\?action=login_failed/);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-audit.png') });
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  it('lists the sessions and signs out of the other devices, then of all', async () => {
    const a = await newPage();
    const b = await newPage();
    await signIn(b, 'kabid.satpolpp');
    await b.waitForFunction(() => !document.getElementById('top').hidden);
    await signIn(a, 'kabid.satpolpp');
    await a.waitForFunction(() => !document.getElementById('top').hidden);
    await a.click('#nav a[href="#/account"]');
    await a.waitForSelector('#sessions li');
    assert.equal(await a.locator('#sessions li').count(), 2);
    assert.equal(await a.locator('#sessions li[data-current=yes]').count(), 1);
    assert.match(await a.textContent('#sessions li[data-current=yes]'), /perangkat ini/);
    assert.match(await a.textContent('#account-2fa'), /Tidak wajib/);
    await a.screenshot({ path: join(ARTIFACTS, 'account-sessions.png') });
    await a.click('#end-others');
    await a.waitForFunction(() => document.querySelectorAll('#sessions li').length === 1);
    await b.reload();
    await b.waitForSelector('#login-form');
    // English.
    await a.click('#lang');
    // The page is drawn again in English: the section is briefly absent.
    await a.waitForFunction(() => /Devices signed in/.test(document.getElementById('account-sessions')?.textContent || ''));
    assert.match(await a.textContent('#account-2fa'), /Two-step verification/);
    await a.click('#end-all');
    await a.waitForSelector('#login-form');
    assert.deepEqual(a.errors, []);
    assert.deepEqual(b.errors, []);
    await a.context().close();
    await b.context().close();
  });
});
