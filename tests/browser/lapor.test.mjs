// Issue 17 §3 in real Chromium: the LAPOR! liaison. On the case page the
// admin sets the national classification and marks the case for LAPOR!;
// the inbox filters by classification; "Teruskan ke LAPOR!" lists the marked
// cases oldest first with a summary that the copy button puts on the
// clipboard (no reporter's name on an anonim case), and the tracking id
// entered back takes the case off the list.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, FakeGraph, PASSWORD } from './harness.mjs';

let graph, srv, browser, admin, pkl;

async function context(opts = {}) {
  const ctx = await browser.newContext({ locale: 'id-ID', ...opts });
  await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url });
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

describe('issue 17 §3: the LAPOR! liaison', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    admin = await srv.session('admin.satpolpp');
    pkl = (await ok(admin.call('GET', '/api/v1/categories'))).items.find((k) => k.code === 'pkl').id;
  });

  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
  });

  it('class and mark on the case page, the inbox filter, the worklist with copy and the number back', async () => {
    const first = (await ok(admin.call('POST', '/api/v1/cases', {
      category_id: pkl, description: 'Usul qxbrliaison taman kota diberi lampu', address: 'Taman Kota Paringin',
      reporter: { name: 'Warga Terang', phone: '081377790001' },
    }))).id;
    const anon = (await ok(admin.call('POST', '/api/v1/cases', {
      category_id: pkl, description: 'Pungutan qxbrliaison di pasar', anonim: true,
      reporter: { name: 'Warga Sembunyi', phone: '081377790002' },
    }))).id;
    const ctx = await context({ viewport: { width: 1280, height: 900 } });
    const page = await login(ctx, 'admin.satpolpp');

    // The case page: Aspirasi, then marked.
    await page.goto(srv.url + `/#/case/${first}`);
    await page.locator('#lapor-class-select').waitFor();
    assert.equal(await page.inputValue('#lapor-class-select'), 'pengaduan');
    await page.selectOption('#lapor-class-select', 'aspirasi');
    await page.waitForFunction(() => /Klasifikasi LAPOR! diubah/.test(document.getElementById('timeline')?.textContent || ''));
    assert.equal(await page.inputValue('#lapor-class-select'), 'aspirasi');
    await page.check('#lapor-mark');
    await page.waitForFunction(() => /Ditandai untuk LAPOR!/.test(document.getElementById('timeline')?.textContent || ''));
    assert.ok(await page.isChecked('#lapor-mark'));
    await page.screenshot({ path: join(ARTIFACTS, 'lapor-case.png'), fullPage: true });
    await ok(admin.call('PUT', `/api/v1/cases/${anon}/lapor`, { lapor_marked: true }));

    // The inbox: by classification.
    await page.goto(srv.url + '/#/inbox');
    await page.locator('#f-lapor_class').waitFor();
    await page.fill('#f-q', 'qxbrliaison');
    await page.selectOption('#f-lapor_class', 'aspirasi');
    await page.click('#filters button[type=submit]');
    await page.waitForFunction((id) => {
      const rows = [...document.querySelectorAll('#cases tr')].map((r) => r.dataset.id);
      return rows.length === 1 && rows[0] === String(id);
    }, first);
    assert.match(await page.getAttribute('#export-csv', 'href'), /lapor_class=aspirasi/);

    // The worklist, from the menu.
    await page.click('#nav a[href="#/lapor"]');
    await page.locator('#lapor-list li').first().waitFor();
    const ids = await page.$$eval('#lapor-list li', (xs) => xs.map((x) => Number(x.dataset.id)));
    assert.deepEqual(ids.filter((i) => i === first || i === anon), [first, anon]);
    const item = page.locator(`#lapor-list li[data-id="${first}"]`);
    const summary = await item.locator('textarea').inputValue();
    assert.match(summary, /Klasifikasi: Aspirasi/);
    assert.match(summary, /Lokasi: Taman Kota Paringin/);
    assert.match(summary, /Kronologi: Usul qxbrliaison taman kota diberi lampu/);
    assert.match(summary, /Pelapor: Warga Terang/);
    await item.locator('button.lapor-copy').click();
    await item.getByText('Ringkasan tersalin.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), summary);
    const hidden = await page.locator(`#lapor-list li[data-id="${anon}"] textarea`).inputValue();
    assert.ok(!hidden.includes('Sembunyi') && !hidden.includes('081377790002'), hidden);
    assert.match(hidden, /ANONIM/);
    await page.screenshot({ path: join(ARTIFACTS, 'lapor-worklist.png'), fullPage: true });

    // A wrong number is refused on the spot; the right one takes it off.
    await item.locator('input.lapor-id-input').fill('nomor saya');
    await item.locator('form button[type=submit]').click();
    await item.locator('.error').filter({ hasText: /berupa angka/ }).waitFor();
    await item.locator('input.lapor-id-input').fill('#1916449');
    await item.locator('form button[type=submit]').click();
    await page.locator(`#lapor-list li[data-id="${first}"]`).waitFor({ state: 'detached' });
    assert.equal((await ok(admin.call('GET', `/api/v1/cases/${first}`))).lapor_tracking_id, '1916449');
    assert.equal(await page.locator(`#lapor-list li[data-id="${anon}"]`).count(), 1);

    // A walk-in recorded with its class from the form.
    await page.click('nav a[href="#/new"]');
    await page.waitForSelector('#report-form');
    await page.selectOption('#r-category', { label: 'Pedagang kaki lima' });
    await page.fill('#r-description', 'Pertanyaan qxbrliaison jadwal penertiban pasar');
    await page.selectOption('#r-lapor-class', 'permintaan_informasi');
    await page.click('#report-form button[type=submit]');
    await page.waitForSelector('#lapor-class-select');
    assert.equal(await page.inputValue('#lapor-class-select'), 'permintaan_informasi');

    // In English the page follows.
    await page.click('nav a[href="#/lapor"]');
    await page.locator('#lapor-list').waitFor();
    await page.click('#lang');
    await page.getByRole('heading', { name: 'Forward to LAPOR!' }).waitFor();
    assert.deepEqual(page.errors, []);
    await ctx.close();
  });
});
