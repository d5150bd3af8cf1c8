// Issue 13 in real Chromium: the field card on a 360 px phone (the kepala
// bidang's dispatch instruction, the reporter's phone while the case is the
// team's, "selesai hari ini", another team's case refused); the LAPOR!
// number on the case page and the inbox filter "sudah/belum diteruskan ke
// LAPOR!"; the texts page grouped by step with labels, the built-in text
// beside the override, a lost {placeholder} refused, "Kembalikan ke bawaan".
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, FakeGraph, PASSWORD } from './harness.mjs';

const INSTRUCTION = 'Mohon tertibkan hari ini, koordinasi dengan pengelola pasar';
let graph, srv, browser, admin, kabid, paringin, juai, pkl;

async function context(opts = {}) {
  const ctx = await browser.newContext({ locale: 'id-ID', ...opts });
  await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
  await ctx.addInitScript(() => { localStorage.setItem('aduan.pollMs', '700'); });
  return ctx;
}

async function login(ctx, user) {
  const page = await ctx.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e));
  page.on('dialog', (d) => d.dismiss());
  await page.goto(srv.url + '/');
  await page.fill('#login-name', user);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#top:not([hidden])');
  return page;
}

async function ok(p) {
  const r = await p;
  assert.ok(r.status < 300, JSON.stringify(r.json));
  return r.json;
}

// A complaint with a reporter and a location, verified and dispatched.
async function dispatched(text, phone, team, note) {
  const c = await ok(admin.call('POST', '/api/v1/cases', {
    category_id: pkl, description: text, lat: -2.3361, lon: 115.4668, address: 'Jl. A. Yani, Paringin',
    reporter: { name: 'Warga Uji', phone },
  }));
  await ok(admin.call('POST', `/api/v1/cases/${c.id}/transitions`, { action: 'verify' }));
  await ok(kabid.call('POST', `/api/v1/cases/${c.id}/transitions`, { action: 'dispatch', team_id: team, note }));
  return c.id;
}

describe('issue 13: field card, LAPOR! number, message texts', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    admin = await srv.session('admin.satpolpp');
    kabid = await srv.session('kabid.satpolpp');
    const teams = (await ok(admin.call('GET', '/api/v1/teams'))).items;
    paringin = teams.find((t) => t.name === 'TRC Pos Paringin').id;
    juai = teams.find((t) => t.name === 'TRC Pos Juai').id;
    pkl = (await ok(admin.call('GET', '/api/v1/categories'))).items.find((k) => k.code === 'pkl').id;
  });

  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
  });

  it('the field card shows the instruction and what the team resolved today', async () => {
    const mine = await dispatched('Lapak menutup trotoar depan pasar', '081377000001', paringin, INSTRUCTION);
    const other = await dispatched('Reklame liar di jalan provinsi', '081377000002', juai, 'Untuk Juai');
    const earlier = await dispatched('Parkir liar di bahu jalan', '081377000003', paringin, null);
    await ok(kabid.call('POST', `/api/v1/cases/${earlier}/transitions`, { action: 'start' }));
    await ok(kabid.call('POST', `/api/v1/cases/${earlier}/transitions`, { action: 'resolve', public_note: 'Sudah tertib' }));

    const ctx = await context({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await login(ctx, 'trc.satpolpp');
    await page.waitForSelector('#tasks');
    const task = page.locator(`#tasks article[data-id="${mine}"]`);
    await task.waitFor();
    const instr = task.locator('[data-instruction]');
    assert.match(await instr.textContent(), /Instruksi kepala bidang/);
    assert.match(await instr.textContent(), new RegExp(INSTRUCTION));
    assert.match(await instr.textContent(), /Kepala Bidang Trantibum/);
    assert.equal(await task.locator('a[data-call]').getAttribute('href'), 'tel:+6281377000001');
    assert.equal(await page.locator(`#tasks article[data-id="${other}"]`).count(), 0);
    // Resolved today by the team, in its own list.
    await page.locator(`#done-today li[data-id="${earlier}"]`).waitFor();
    assert.match(await page.textContent('#done-today h2'), /Selesai hari ini/);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360);
    await page.screenshot({ path: join(ARTIFACTS, 'field-card.png'), fullPage: true });

    // Start and resolve from the card: it moves to "selesai hari ini".
    await task.locator('button[data-do=start]').click();
    await task.locator('[data-status=in_progress]').waitFor();
    const form = task.locator('form[data-form=resolve]');
    await form.locator('textarea').fill('Lapak sudah ditertibkan.');
    await form.locator('button[type=submit]').click();
    await page.locator(`#tasks article[data-id="${mine}"]`).waitFor({ state: 'detached' });
    await page.locator(`#done-today li[data-id="${mine}"]`).waitFor();

    // Another team's case, opened by its address: refused, nothing of it shown.
    await page.goto(srv.url + `/#/case/${other}`);
    await page.locator('#case-error').waitFor();
    assert.match(await page.textContent('#case-error'), /tidak berhak/);
    assert.equal(await page.locator('#case-description').count(), 0);
    assert.ok(!(await page.content()).includes('081377000002'));
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });

  it('the LAPOR! number is recorded on the case page and filters the inbox', async () => {
    const withNo = (await ok(admin.call('POST', '/api/v1/cases', { category_id: pkl, description: 'Pedagang qxbrlapor ya' }))).id;
    const without = (await ok(admin.call('POST', '/api/v1/cases', { category_id: pkl, description: 'Pedagang qxbrlapor belum' }))).id;
    const ctx = await context({ viewport: { width: 1280, height: 900 } });
    const page = await login(ctx, 'admin.satpolpp');
    await page.goto(srv.url + `/#/case/${withNo}`);
    await page.locator('#lapor-form').waitFor();
    assert.equal(await page.textContent('#lapor-id'), '—');
    // A wrong number: refused with the reason, nothing saved.
    await page.fill('#lapor-input', 'nomor saya');
    await page.click('#lapor-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('lapor-error').textContent.length > 0);
    assert.match(await page.textContent('#lapor-error'), /berupa angka/);
    await page.fill('#lapor-input', '#1916449');
    await page.click('#lapor-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('lapor-id')?.textContent === '#1916449');
    assert.match(await page.textContent('#timeline'), /Nomor LAPOR! dicatat/);
    await page.screenshot({ path: join(ARTIFACTS, 'case-lapor.png'), fullPage: true });

    // The inbox: "sudah diteruskan ke LAPOR!".
    await page.goto(srv.url + '/#/inbox');
    await page.locator('#f-lapor').waitFor();
    await page.fill('#f-q', 'qxbrlapor');
    await page.selectOption('#f-lapor', 'yes');
    await page.click('#filters button[type=submit]');
    await page.waitForFunction((id) => {
      const rows = [...document.querySelectorAll('#cases tr')].map((r) => r.dataset.id);
      return rows.length === 1 && rows[0] === String(id);
    }, withNo);
    assert.match(await page.getAttribute('#export-csv', 'href'), /lapor=yes/);
    await page.selectOption('#f-lapor', 'no');
    await page.click('#filters button[type=submit]');
    await page.waitForFunction((id) => {
      const rows = [...document.querySelectorAll('#cases tr')].map((r) => r.dataset.id);
      return rows.length === 1 && rows[0] === String(id);
    }, without);
    const label = await page.locator('#f-lapor option[value=no]').textContent();
    assert.equal(label, 'Belum diteruskan ke LAPOR!');

    // Emptied and saved: removed.
    await page.goto(srv.url + `/#/case/${withNo}`);
    await page.locator('#lapor-form').waitFor();
    await page.fill('#lapor-input', '');
    await page.click('#lapor-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('lapor-id')?.textContent === '—');
    assert.match(await page.textContent('#timeline'), /Nomor LAPOR! dihapus/);
    assert.deepEqual(page.errors, []);
    await ctx.close();

    // The head of the agency reads it, and may not change it.
    await ok(admin.call('PUT', `/api/v1/cases/${without}/lapor`, { lapor_tracking_id: '4352158' }));
    const vctx = await context({ viewport: { width: 1280, height: 900 } });
    const viewer = await login(vctx, 'pimpinan.satpolpp');
    await viewer.goto(srv.url + `/#/case/${without}`);
    await viewer.waitForFunction(() => document.getElementById('lapor-id')?.textContent === '#4352158');
    assert.equal(await viewer.locator('#lapor-form').count(), 0);
    await vctx.close();
  });

  it('the texts page groups texts by step, shows the built-in text and resets it', async () => {
    const ctx = await context({ viewport: { width: 1100, height: 900 } });
    const page = await ctx.newPage();
    page.errors = [];
    page.on('pageerror', (e) => page.errors.push(e));
    await page.goto(srv.url + '/admin/');
    await page.fill('#login-name', 'superadmin');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#panes:not([hidden])');
    await page.click('#tab-texts');
    await page.locator('li[data-key=created]').waitFor();
    // Steps in the order a citizen meets them, with labels, not keys.
    const steps = await page.locator('#texts .step-title').allTextContents();
    assert.equal(steps[0], 'Sapaan dan menu');
    assert.ok(steps.indexOf('Mengisi laporan') < steps.indexOf('Laporan diterima'), steps.join(' | '));
    const item = page.locator('li[data-key=created]');
    assert.equal(await item.locator('.text-title span').first().textContent(), 'Laporan diterima, dengan kode pelacakan');
    assert.equal(await page.locator('li.text-step[data-step=created] li[data-key=created]').count(), 1);
    const titles = await page.locator('#texts .text-title').allTextContents();
    assert.ok(!titles.some((x) => /^[a-z_]+$/.test(x.trim())), titles.filter((x) => /^[a-z_]+$/.test(x)).join());
    // Indonesian first; the built-in text beside the override.
    assert.deepEqual(await item.locator('.text-lang').evaluateAll((n) => n.map((x) => x.dataset.lang)), ['id', 'en']);
    const id = item.locator('.text-lang[data-lang=id]');
    assert.match(await id.locator('.default-text').textContent(), /\{code\}/);
    assert.match(await id.locator('.ph').textContent(), /Wajib memuat: \{code\}, \{url\}/);
    const [a, b] = await Promise.all([id.locator('.default-text').boundingBox(), id.locator('textarea').boundingBox()]);
    assert.ok(b.x > a.x + a.width - 1, 'the override is beside the built-in text');

    // Without {code}: the hint says so as it is typed, the server refuses it.
    await page.fill('#tx-created-id', 'Terima kasih, laporan Anda kami terima.');
    assert.match(await page.textContent('#tx-created-id-hint'), /Belum dimuat: \{code\}, \{url\}/);
    await page.click('button[data-save="created:id"]');
    await page.waitForFunction(() => document.getElementById('status').classList.contains('bad'));
    assert.match(await page.textContent('#status'), /Hilang: \{code\}, \{url\}/);
    assert.equal(await page.locator('button[data-reset="created:id"]').count(), 0);

    // A good one is saved; "Kembalikan ke bawaan" deletes it.
    await page.fill('#tx-created-id', 'Laporan diterima: *{code}*. Pantau {url}');
    assert.ok(await page.locator('#tx-created-id-hint').isHidden());
    await page.click('button[data-save="created:id"]');
    await page.locator('button[data-reset="created:id"]').waitFor();
    assert.equal(await page.locator('button[data-reset="created:id"]').textContent(), 'Kembalikan ke bawaan');
    assert.equal(await page.locator('li[data-key=created] .text-title .tag.custom').count(), 1);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-texts-steps.png') });
    const sa = await srv.session('superadmin');
    const custom = async () => (await ok(sa.call('GET', '/api/v1/bot/texts'))).items.find((x) => x.key === 'created').custom.id;
    assert.equal(await custom(), 'Laporan diterima: *{code}*. Pantau {url}');
    await page.click('button[data-reset="created:id"]');
    await page.locator('button[data-reset="created:id"]').waitFor({ state: 'detached' });
    assert.equal(await custom(), null);
    assert.equal(await page.inputValue('#tx-created-id'), '');

    // In English: the labels follow.
    await page.click('#lang');
    await page.waitForFunction(() => [...document.querySelectorAll('#texts .step-title')].some((x) => x.textContent === 'Report received'));
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });
});
