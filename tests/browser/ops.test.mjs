// Issue 18 "find anything" in real Chromium: a saved filter shown as a chip
// beside the inbox's views, the keyboard shortcuts (listed with `?`, j/k to
// move, a to take a case, Enter to open, g i back), and a bulk verification
// of two selected cases.
// Screenshots: build/artifacts/ops-saved-filter.png, ops-shortcuts.png,
// ops-bulk.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, FakeGraph, PASSWORD } from './harness.mjs';

let graph, srv, browser, api, ids;

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

const rowIds = (page) => page.$$eval('#cases tr[data-id]', (rs) => rs.map((r) => Number(r.dataset.id)));

describe('operators: saved filters, keyboard shortcuts, bulk actions', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    api = await srv.session('admin.satpolpp');
    const cats = (await api.call('GET', '/api/v1/categories')).json.items;
    const pkl = cats.find((k) => k.code === 'pkl').id;
    ids = [];
    for (const d of ['Lapak qxops di trotoar pasar', 'Gerobak qxops menutup jalan', 'Tenda qxops di taman kota']) {
      const r = await api.call('POST', '/api/v1/cases', { category_id: pkl, description: d });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      ids.push(r.json.id);
    }
  });

  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
  });

  it('a filter saved as a chip, the shortcuts, and a bulk verification', async () => {
    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 } });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const page = await login(ctx, 'admin.satpolpp');
    await page.waitForSelector('#cases tr[data-id]');

    // ---- a saved filter: search, save it, reset, and the chip brings it back.
    await page.fill('#f-q', 'qxops');
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('#cases tr[data-id]').length === 3);
    await page.click('#sf-save');
    await page.fill('#sf-name', 'Lapak qxops');
    await page.click('#sf-form button[type=submit]');
    const chip = page.locator('#saved-filters button.chip', { hasText: 'Lapak qxops' });
    await chip.waitFor();
    assert.equal(await chip.getAttribute('aria-pressed'), 'true');
    const saved = (await api.call('GET', '/api/v1/me/filters')).json.items;
    assert.deepEqual(saved.map((f) => [f.name, f.query]), [['Lapak qxops', { q: 'qxops' }]]);
    await page.click('#f-reset');
    await page.waitForFunction(() => document.querySelectorAll('#cases tr[data-id]').length > 3);
    assert.equal(await chip.getAttribute('aria-pressed'), 'false');
    await chip.click();
    await page.waitForFunction(() => document.querySelectorAll('#cases tr[data-id]').length === 3);
    assert.equal(await page.inputValue('#f-q'), 'qxops');
    assert.equal(await chip.getAttribute('aria-pressed'), 'true');
    assert.deepEqual((await rowIds(page)).sort(), [...ids].sort());
    await page.locator('#saved-filters').screenshot({ path: join(ARTIFACTS, 'ops-saved-filter-chip.png') });
    await page.screenshot({ path: join(ARTIFACTS, 'ops-saved-filter.png') });

    // ---- `?` lists the shortcuts (not while typing); Esc closes.
    await page.focus('#f-q');
    await page.keyboard.type('?');
    assert.equal(await page.inputValue('#f-q'), 'qxops?');
    assert.equal(await page.locator('#shortcuts[open]').count(), 0, 'no dialog while typing');
    await page.fill('#f-q', 'qxops');
    await page.locator('#cases').click({ position: { x: 5, y: 5 } }).catch(() => {});
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.keyboard.press('?');
    const dialog = page.locator('#shortcuts[open]');
    await dialog.waitFor();
    assert.equal(await page.textContent('#shortcuts-title'), 'Pintasan keyboard');
    const text = await dialog.textContent();
    for (const want of ['Kasus berikutnya', 'Ambil kasus', 'Verifikasi kasus', 'Kembali ke kotak masuk'])
      assert.ok(text.includes(want), want);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'shortcuts-close');
    await page.screenshot({ path: join(ARTIFACTS, 'ops-shortcuts.png') });
    await page.keyboard.press('Escape');
    await page.waitForSelector('#shortcuts[open]', { state: 'detached' }).catch(() => {});
    assert.equal(await page.locator('#shortcuts[open]').count(), 0);

    // ---- j/k move the current row; a takes it; Ctrl+j does nothing.
    const order = await rowIds(page);
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    const current = () => page.$eval('#cases tr.current', (r) => Number(r.dataset.id));
    assert.equal(await current(), order[1]);
    await page.keyboard.press('k');
    assert.equal(await current(), order[0]);
    await page.keyboard.press('Control+j');
    assert.equal(await current(), order[0]);
    await page.keyboard.press('a');
    const me = api.me.user.id;
    for (let i = 0; i < 50; i++) {
      const c = (await api.call('GET', '/api/v1/cases/' + order[0])).json;
      if (c.assignee && c.assignee.id === me) break;
      await page.waitForTimeout(100);
    }
    assert.equal((await api.call('GET', '/api/v1/cases/' + order[0])).json.assignee.id, me);
    await page.waitForFunction((id) => {
      const r = document.querySelector('#cases tr[data-id="' + id + '"] td.assignee');
      return r && r.textContent === 'Operator Satpol PP';
    }, order[0]);
    // Enter opens it, g i comes back.
    await page.keyboard.press('Enter');
    await page.waitForSelector('#case-code');
    assert.ok(page.url().endsWith('#/case/' + order[0]));
    // On the case page: v opens the verification form, Esc (not typing) closes it.
    await page.keyboard.press('v');
    await page.waitForSelector('#actions form.action-form[data-action=verify]');
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#actions form.action-form').count(), 0);
    await page.keyboard.press('g');
    await page.keyboard.press('i');
    await page.waitForSelector('#cases tr[data-id]');
    assert.ok(page.url().endsWith('#/inbox'));

    // ---- bulk: two selected cases verified at once.
    await page.fill('#f-q', 'qxops');
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('#cases tr[data-id]').length === 3);
    const [a, b] = (await rowIds(page)).slice(0, 2);
    await page.check('input.pick[data-id="' + a + '"]');
    await page.check('input.pick[data-id="' + b + '"]');
    await page.waitForSelector('#bulk-bar:not([hidden])');
    assert.equal(await page.textContent('#bulk-count'), '2 kasus dipilih');
    await page.screenshot({ path: join(ARTIFACTS, 'ops-bulk-selected.png') });
    await page.click('#bulk-verify');
    await page.waitForFunction(() => /2 berhasil/.test(document.getElementById('bulk-result').textContent));
    for (const id of [a, b])
      assert.equal((await api.call('GET', '/api/v1/cases/' + id)).json.status, 'verified');
    const third = ids.find((x) => x !== a && x !== b);
    assert.equal((await api.call('GET', '/api/v1/cases/' + third)).json.status, 'received');
    await page.waitForSelector('#bulk-bar[hidden]', { state: 'attached' });
    await page.waitForFunction((ids2) => ids2.every((id) => {
      const s = document.querySelector('#cases tr[data-id="' + id + '"] .status');
      return s && s.classList.contains('s-verified');
    }), [a, b]);
    await page.screenshot({ path: join(ARTIFACTS, 'ops-bulk.png') });

    // Select all on the page, then verify again: the two done fail, one is done.
    await page.check('#pick-all');
    assert.equal(await page.textContent('#bulk-count'), '3 kasus dipilih');
    await page.click('#bulk-verify');
    await page.waitForSelector('#bulk-errors li');
    assert.match(await page.textContent('#bulk-result'), /1 berhasil, 2 gagal/);
    assert.equal(await page.locator('#bulk-errors li').count(), 2);
    await ctx.close();
  });
});
