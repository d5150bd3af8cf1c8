// The admin pages in real Chromium (issues #5, #6): the superadmin changes a
// WhatsApp text and the citizen reads it; an agency admin sees the texts read
// only, adds a holiday, sets working hours (and is told when they are
// invalid), changes a category's SLA, adds and removes a duty shift and a
// community group member; a field officer is refused the admin data (403).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, Citizen, FakeGraph, PASSWORD, textOf } from './harness.mjs';

let graph, srv, browser;
const YEAR = new Date().getFullYear();

async function context(opts = {}) {
  const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1100, height: 900 }, ...opts });
  await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
  return ctx;
}

// Opens /admin (without the slash: the short address works too) and logs in.
async function adminLogin(ctx, user, path = '/admin') {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.on('dialog', (d) => d.accept());
  page.errors = errors;
  await page.goto(srv.url + path);
  await page.fill('#login-name', user);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login button[type=submit]');
  return page;
}

const status = (page) => page.locator('#status');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Clicks `selector` with the status line cleared; waits for the page's
// answer: `ok` true expects "saved"/"deleted", false an error shown; returns it.
async function submit(page, selector, ok = true) {
  await page.evaluate(() => { const s = document.getElementById('status'); s.textContent = ''; s.className = 'status'; });
  await page.click(selector);
  await page.waitForFunction(() => {
    const s = document.getElementById('status');
    return ['Tersimpan.', 'Dihapus.', 'Saved.', 'Deleted.'].includes(s.textContent) || s.classList.contains('bad');
  });
  const text = await status(page).textContent();
  assert.equal((await status(page).getAttribute('class')).includes('bad'), !ok, text);
  return text;
}

describe('admin pages', () => {
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

  it('serves the admin page at /admin and /admin/, with a strict CSP', async () => {
    for (const p of ['/admin', '/admin/']) {
      const r = await fetch(srv.url + p);
      assert.equal(r.status, 200, p);
      assert.match(await r.text(), /<title>Administrasi/);
      assert.match(r.headers.get('content-security-policy'), /script-src 'self'/);
    }
  });

  it('the superadmin changes a WhatsApp text; the citizen reads it; reset brings the default back', async () => {
    const ctx = await context();
    const page = await adminLogin(ctx, 'superadmin', '/admin/');
    await page.waitForSelector('#panes:not([hidden])');
    await page.click('#tab-texts');
    await page.fill('#texts-filter', 'greeting');
    const box = page.locator('#tx-greeting-id');
    await box.waitFor();
    const custom = 'Halo dari {agency}! Ini teks uji <b>tebal</b>. Pilih menu.';
    await box.fill(custom);
    await submit(page, 'button[data-save="greeting:id"]');
    await page.locator('li[data-key=greeting] .tag.custom').waitFor();
    await sleep(1500); // the dialogue picks changed texts up within a second
    await page.screenshot({ path: join(ARTIFACTS, 'admin-texts.png') });
    const citizen = new Citizen(srv, graph, '6281234598001', 'Sari');
    const hello = textOf((await citizen.text('halo'))[0]);
    assert.match(hello, /^Halo dari .*Ini teks uji <b>tebal<\/b>\. Pilih menu\./);

    // A placeholder the default does not have is refused, with the reason shown.
    await page.locator('#tx-greeting-id').fill('Halo {nik}');
    assert.match(await submit(page, 'button[data-save="greeting:id"]', false), /\{nik\}|placeholder/i);

    await submit(page, 'button[data-reset="greeting:id"]');
    assert.equal(await page.locator('li[data-key=greeting] .tag.custom').count(), 0);
    assert.equal(await page.locator('#tx-greeting-id').inputValue(), '');
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  it('an agency admin reads the texts, adds a holiday, sets hours and SLA, adds a duty shift and a group member', async () => {
    const ctx = await context();
    const page = await adminLogin(ctx, 'admin.satpolpp');
    await page.waitForSelector('#panes:not([hidden])');
    const api = await srv.session('admin.satpolpp');
    const agency = api.me.roles[0].agency_id;

    // Texts: read only for an agency admin (the superadmin's).
    await page.click('#tab-texts');
    await page.locator('li[data-key=greeting]').waitFor();
    assert.ok(await page.locator('#texts-readonly').isVisible());
    assert.equal(await page.locator('#texts textarea').count(), 0);

    // A local holiday.
    await page.click('#tab-calendar');
    const date = `${YEAR}-11-27`;
    await page.fill('#hd-date', date);
    await page.fill('#hd-name', 'Hari Jadi Kabupaten Balangan');
    await page.selectOption('#hd-kind', 'local');
    await submit(page, '#holiday-form button[type=submit]');
    await page.locator(`#holidays tr[data-date="${date}"]`).waitFor();
    let cal = (await api.call('GET', `/api/v1/agencies/${agency}/calendar?from=${date}&to=${date}`)).json;
    assert.deepEqual(cal.holidays.find((h) => h.scope === 'agency'),
      { date, name: 'Hari Jadi Kabupaten Balangan', kind: 'local', scope: 'agency' });

    // Working hours: Saturday morning open; every day closed is refused.
    await page.check('#h-open-sat');
    await page.fill('#h-from-sat', '08:00');
    await page.fill('#h-until-sat', '12:00');
    await submit(page, '#hours-form button[type=submit]');
    cal = (await api.call('GET', `/api/v1/agencies/${agency}/calendar`)).json;
    assert.equal(cal.hours.sat, '08:00-12:00');
    assert.equal(cal.source, 'agency');
    for (const d of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) await page.uncheck(`#h-open-${d}`);
    assert.match(await submit(page, '#hours-form button[type=submit]', false), /at least one day|hari/i);
    assert.equal((await api.call('GET', `/api/v1/agencies/${agency}/calendar`)).json.hours.sat, '08:00-12:00');

    // SLA of a category: verification within 2 working days.
    const pcat = await page.locator('#p-category').inputValue();
    await page.fill('#p-verify-amount', '2');
    await page.selectOption('#p-verify-unit', 'work_days');
    await submit(page, '#policy-form button[type=submit]');
    const pol = (await api.call('GET', `/api/v1/categories/${pcat}/sla`)).json;
    assert.deepEqual(pol.verify, { amount: 2, unit: 'work_days' });
    assert.equal(pol.source, 'category');
    await page.screenshot({ path: join(ARTIFACTS, 'admin-calendar.png'), fullPage: true });

    // A weekly night shift for the TRC officer.
    await page.click('#tab-duty');
    await page.selectOption('#d-team', { label: 'TRC Pos Paringin' });
    await page.waitForSelector('#d-user option:has-text("trc.satpolpp")', { state: 'attached' });
    await page.selectOption('#d-user', { label: 'Anggota TRC Paringin (trc.satpolpp)' });
    assert.ok(await page.locator('#d-starts').isHidden());
    await page.selectOption('#d-weekday', '6');
    await page.fill('#d-start', '22:00');
    await page.fill('#d-end', '06:00');
    const before = (await api.call('GET', `/api/v1/duty?agency=${agency}`)).json.items.length;
    await submit(page, '#duty-form button[type=submit]');
    const roster = (await api.call('GET', `/api/v1/duty?agency=${agency}`)).json.items;
    assert.equal(roster.length, before + 1);
    const shift = roster.find((d) => d.weekday === 6 && d.start === '22:00' && d.end === '06:00');
    assert.ok(shift, JSON.stringify(roster));
    assert.equal(shift.login, 'trc.satpolpp');
    const row = page.locator(`#duty tr[data-shift="${shift.id}"]`);
    assert.match(await row.textContent(), /Sabtu 22:00–06:00/);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-duty.png'), fullPage: true });
    await submit(page, `#duty tr[data-shift="${shift.id}"] button`);
    await row.waitFor({ state: 'detached' });
    assert.equal((await api.call('GET', `/api/v1/duty?agency=${agency}`)).json.items.length, before);

    // A community group and a member; a bad number is refused.
    await page.click('#tab-groups');
    await page.fill('#g-name', 'Paguyuban Bentor Paringin');
    await page.check('#g-skip');
    await submit(page, '#group-form button[type=submit]');
    const grow = page.locator('#groups tr', { hasText: 'Paguyuban Bentor Paringin' });
    await grow.waitFor();
    await page.fill('#m-phone', '12345');
    await submit(page, '#member-form button[type=submit]', false);
    await page.fill('#m-phone', '0812-7777-0001');
    await page.fill('#m-name', 'Pak Amat');
    await submit(page, '#member-form button[type=submit]');
    await page.waitForFunction(() => [...document.querySelectorAll('#groups tr')].some((r) => r.querySelector('.members-count')?.textContent === '1'));
    const groups = (await api.call('GET', `/api/v1/community-groups?agency=${agency}`)).json.items;
    assert.deepEqual(groups.map((g) => [g.name, g.skip_verification, g.members]), [['Paguyuban Bentor Paringin', true, 1]]);
    const member = page.locator('#group-members li[data-wa="6281277770001"]');
    assert.match(await member.textContent(), /Pak Amat · \+6281277770001/);
    await submit(page, '#group-members li[data-wa="6281277770001"] button');
    await member.waitFor({ state: 'detached' });
    assert.equal((await api.call('GET', `/api/v1/community-groups?agency=${agency}`)).json.items[0].members, 0);

    // English switch; phone width.
    await page.click('#lang');
    await page.click('#tab-duty');
    assert.equal(await page.locator('#tab-duty').textContent(), 'Duty roster');
    await page.setViewportSize({ width: 360, height: 740 });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 362, `page is ${wide}px wide at 360`);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-phone.png'), fullPage: true });
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  it('the dashboard links the admin page for admins only', async () => {
    for (const [user, linked] of [['admin.satpolpp', true], ['trc.satpolpp', false]]) {
      const ctx = await context();
      const page = await ctx.newPage();
      await page.goto(srv.url + '/');
      await page.fill('#login-name', user);
      await page.fill('#login-password', PASSWORD);
      await page.click('#login-form button[type=submit]');
      await page.waitForSelector('#top:not([hidden]) #nav a');
      assert.equal(await page.locator('#nav a[href="/admin/"]').count(), linked ? 1 : 0, user);
      await ctx.close();
    }
  });

  it('a field officer is refused the admin data (403 shown)', async () => {
    const ctx = await context({ viewport: { width: 360, height: 740 } });
    const page = await adminLogin(ctx, 'trc.satpolpp');
    await page.waitForSelector('#status.bad');
    const msg = await status(page).textContent();
    assert.match(msg, /403/);
    assert.ok(await page.locator('#panes').isHidden());
    assert.equal(await page.locator('#users tr').count(), 0);
    // The server refuses whatever the page would do.
    const api = await srv.session('trc.satpolpp');
    assert.equal((await api.call('POST', '/api/v1/duty', { team_id: 1, user_id: 4, weekday: 1, start: '08:00', end: '09:00' })).status, 403);
    assert.equal((await api.call('POST', '/api/v1/agencies/1/holidays', { date: `${YEAR}-12-01`, name: 'x', kind: 'local' })).status, 403);
    assert.equal((await api.call('GET', '/api/v1/bot/texts')).status, 403);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-refused.png') });
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });
});
