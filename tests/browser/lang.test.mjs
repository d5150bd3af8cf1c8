// Issue 13 item 11, "Indonesian first, everywhere", in real Chromium: each
// role logs in and walks every dashboard page and the admin tabs in
// Indonesian; no page shows an English word or a raw catalogue key. The
// status filter names the statuses, the header names the roles, the admin
// pages name roles and category kinds; English stays available.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, FakeGraph, PASSWORD } from './harness.mjs';

// The same list as tests/e2e/lang_check.py: words that never appear in
// proper Indonesian interface text.
const ENGLISH = ['the', 'not found', 'invalid', 'must', 'attachment', 'received', 'in progress',
  'supervisor', 'required', 'expected', 'unknown', 'only', 'may not', 'belongs', 'another', 'your',
  'please', 'cannot', 'is not', 'no such', 'too many', 'at most', 'error', 'field officer', 'viewer',
  'request', 'report', 'reporter', 'submit', 'cancel', 'loading', 'case', 'file', 'agency', 'team',
  'not allowed', 'missing', 'forbidden', 'wrong', 'failed', 'should', 'already', 'allowed',
  'session', 'expired', 'log in', 'sign in', 'accept', 'resolved', 'dispatched', 'closed', 'rejected',
  'on hold', 'reopened', 'submitted', 'issued', 'processing', 'checking', 'incomplete', 'verified',
  'officer', 'leadership', 'emergency', 'complaint'];
const WORDS = new RegExp(`\\b(${ENGLISH.join('|')})\\b`, 'gi');
const SNAKE = /(?<![\w./{-])[a-z]+(?:_[a-z]+)+(?![\w/}])/g;

function strip(text) {
  return text.replace(/"[^"]*"/g, ' ').replace(/\S*\/\S*/g, ' ').replace(/\{[^}]*\}/g, ' ');
}
const englishIn = (text) => [...new Set((strip(text).match(WORDS) || []).map((w) => w.toLowerCase()))];
const keysIn = (text) => [...new Set(strip(text).match(SNAKE) || [])];

let graph, srv, browser, caseId;
const errors = [];

async function login(user, locale = 'id-ID') {
  const ctx = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(srv.url + '/');
  await page.fill('#login-name', user);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#top:not([hidden])');
  return page;
}

// The visible text of the page once its fetches are done.
async function settle(page) {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.waitForFunction(() => !document.body.innerText.includes('Memuat…'), null, { timeout: 5000 }).catch(() => {});
  return page.evaluate(() => {
    // Form controls' options count as text the user reads.
    const opts = [...document.querySelectorAll('option')].map((o) => o.textContent).join(' \n ');
    // Text marked English on purpose (the English version of the citizens'
    // WhatsApp texts on the admin page) is left out.
    let text = document.body.innerText;
    for (const e of document.querySelectorAll('body [lang=en]')) text = text.replace(e.innerText, ' ');
    return text + '\n' + opts;
  });
}

function clean(where, text, { keys = true } = {}) {
  // The user's own data (descriptions typed in Indonesian) is in the demo too.
  assert.deepEqual(englishIn(text), [], `${where}: English in\n${text}`);
  if (keys) assert.deepEqual(keysIn(text), [], `${where}: raw keys in\n${text}`);
}

// #/lapor: the LAPOR! worklist (issue 17 §3), with the case below on it.
const ROUTES = ['#/inbox', '#/new', '#/reports', '#/field', '#/lapor', '#/hotspots'];

describe('Indonesian first (issue 13)', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const admin = await srv.session('admin.satpolpp');
    const cats = (await admin.call('GET', '/api/v1/categories')).json.items;
    const c = await admin.call('POST', '/api/v1/cases', {
      category_id: cats.find((k) => k.code === 'trantibum').id, channel: 'phone',
      description: 'Keributan di depan pasar Paringin setiap malam.', kecamatan_code: '63.11.06' });
    assert.equal(c.status, 201, JSON.stringify(c.json));
    caseId = c.json.id;
    assert.equal((await admin.call('POST', `/api/v1/cases/${caseId}/transitions`, { action: 'verify' })).status, 200);
    assert.equal((await admin.call('PUT', `/api/v1/cases/${caseId}/lapor`, { lapor_marked: true })).status, 200);
  });

  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
    assert.deepEqual(errors, [], 'errors in the page');
  });

  for (const user of ['superadmin', 'admin.satpolpp', 'kabid.satpolpp', 'trc.satpolpp', 'pimpinan.satpolpp', 'admin.dukcapil']) {
    it(`${user} reads every dashboard page in Indonesian`, async () => {
      const page = await login(user);
      for (const r of [...ROUTES, `#/case/${caseId}`]) {
        await page.goto(srv.url + '/' + r);
        await page.waitForTimeout(300);
        clean(`${user} ${r}`, await settle(page));
      }
      await page.close();
    });
  }

  it('the status filter and the header name statuses and roles, not codes', async () => {
    const page = await login('kabid.satpolpp');
    await page.goto(srv.url + '/#/inbox');
    await page.waitForSelector('#filters');
    const opts = await page.$$eval('#f-status option, select[name=status] option', (os) => os.map((o) => [o.value, o.textContent]));
    const byValue = Object.fromEntries(opts);
    assert.equal(byValue.received, 'Diterima');
    assert.equal(byValue.in_progress, 'Sedang ditangani');
    assert.equal(byValue.on_hold, 'Ditunda');
    assert.ok(!opts.some(([, t]) => /received|in progress|on hold/i.test(t)), JSON.stringify(opts));
    const who = await page.textContent('#who');
    assert.match(who, /kepala bidang/);
    assert.doesNotMatch(who, /supervisor/);
    // English stays available: the switch, and the same filter in English.
    await page.click('#lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.goto(srv.url + '/#/inbox');
    await page.waitForSelector('#filters');
    const en = Object.fromEntries(await page.$$eval('select[name=status] option', (os) => os.map((o) => [o.value, o.textContent])));
    assert.equal(en.in_progress, 'In progress');
    assert.match(await page.textContent('#who'), /supervisor/);
    await page.close();
  });

  it('the admin pages name roles and category kinds in Indonesian', async () => {
    const page = await login('admin.satpolpp');
    await page.goto(srv.url + '/admin/');
    await page.waitForSelector('[role=tab]');
    // Only the tabs this role sees (the audit log is the superadmin's).
    const tabs = await page.$$eval('[role=tab]', (ts) => ts.filter((t) => !t.hidden).map((t) => t.id));
    for (const id of tabs) {
      await page.click('#' + id);
      await page.waitForTimeout(400);
      // The categories' own codes ("bangunan_liar") are data the admin types.
      clean(`admin ${id}`, await settle(page), { keys: id !== 'tab-categories' });
    }
    await page.click('#tab-users').catch(() => {});
    await page.waitForTimeout(300);
    const text = await settle(page);
    assert.match(text, /kepala bidang/);
    assert.match(text, /petugas lapangan/);
    await page.click('#tab-categories').catch(() => {});
    await page.waitForTimeout(300);
    const kinds = await page.$$eval('#k-kind option', (os) => os.map((o) => o.textContent));
    assert.deepEqual(kinds, ['pengaduan', 'layanan', 'darurat']);
    assert.match(await settle(page), /pengaduan/);
    // An API error reaches the admin in Indonesian, and changes nothing.
    await page.click('#tab-users');
    await page.fill('#u-login', 'uji.bahasa');
    await page.fill('#u-name', 'Uji Bahasa');
    await page.fill('#u-password', 'rahasia-sekali');
    await page.fill('#u-wa', '12345');
    await page.click('#user-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('status').textContent.length > 0);
    const said = await page.textContent('#status');
    assert.match(said, /Data tidak valid: wa: bukan nomor HP/);
    assert.deepEqual(englishIn(said), [], said);
    const sa = await srv.session('superadmin');
    const users = (await sa.call('GET', '/api/v1/admin/users')).json.items;
    assert.ok(!users.some((u) => u.login === 'uji.bahasa'));
    await page.close();
  });
});
