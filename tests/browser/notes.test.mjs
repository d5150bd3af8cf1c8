// Issue #13 in real Chromium: the case page's two texts of a step (an
// internal note, and the message to the reporter, each marked on the
// timeline), the conversation of this case only with WhatsApp's
// formatting and the reporter's other cases beside it, and a walk-in
// reporter who agreed to WhatsApp updates (the reply box explains the
// template rule). Screenshot: build/artifacts/case-notes.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, Citizen, FakeGraph, PASSWORD, textOf } from './harness.mjs';

const WA = '6281313150001';
const STORY_A = 'Pedagang *menutup* trotoar _setiap pagi_ ~kemarin~ juga <b>tebal</b><script>window.__xss=1</script>';
const STORY_B = 'Parkir liar menutup jalan masuk gang';
const INTERNAL = 'Mohon tertibkan hari ini, koordinasi dengan pengelola pasar';
const PUBLIC = 'Laporan Anda sudah kami periksa dan akan ditindaklanjuti';

let graph, srv, browser, citizen, idA, codeA, idB, codeB;

async function context(opts = {}) {
  const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 }, ...opts });
  await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
  return ctx;
}

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

async function report(story, address) {
  await citizen.text('halo');
  await citizen.tap('menu:report');
  if (!citizen.agreed) { await citizen.tap('consent:yes', true); citizen.agreed = true; }
  await citizen.tap('cat:1');
  await citizen.text(story);
  await citizen.text(address);
  await citizen.tap('kec:63.11.06');
  await citizen.tap('photos:skip', true);
  const done = textOf((await citizen.tap('confirm:send', true))[0]);
  const code = done.match(/\*([0-9A-Z]{4}-[0-9A-Z]{4})\*/)[1];
  const sa = await srv.session('superadmin');
  const list = (await sa.call('GET', '/api/v1/cases?limit=50')).json.items;
  return [list.find((c) => c.tracking_code === code).id, code];
}

describe('notes, conversation and walk-in reporters', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    citizen = new Citizen(srv, graph, WA, 'Sari');
    [idA, codeA] = await report(STORY_A, 'Jl. A. Yani depan pasar');
    // A draft the citizen cancels, then another report.
    await citizen.text('halo');
    await citizen.tap('menu:report');
    await citizen.tap('cat:1');
    await citizen.text('DRAF yang dibatalkan warga');
    await citizen.text('batal');
    [idB, codeB] = await report(STORY_B, 'Jl. Merdeka depan toko emas');
  });

  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
  });

  it('a step takes an internal note and a message to the reporter, marked apart', async () => {
    const ctx = await context();
    const page = await login(ctx, 'admin.satpolpp');
    await page.goto(srv.url + '/#/case/' + idA);
    await page.waitForSelector('#case-code');
    await page.click('#actions button[data-action=verify]');
    const form = page.locator('form.action-form[data-action=verify]');
    const pubLabel = await form.locator('label[for=act-verify-public]').textContent();
    assert.match(pubLabel, /Pesan untuk pelapor \(dikirim dan tampil di halaman publik\)/);
    assert.match(await form.locator('label[for=act-verify-note]').textContent(), /Catatan internal/);
    await form.locator('textarea[name=note]').fill(INTERNAL);
    await form.locator('textarea[name=public_note]').fill(PUBLIC);
    const since = await graph.lastSeq();
    await form.locator('button[type=submit]').click();
    await page.waitForSelector('#case-status[data-status=verified]');

    // The timeline: both texts, each with its mark.
    const li = page.locator('#timeline li', { hasText: 'Diverifikasi' });
    assert.equal(await li.locator('.note-internal').textContent(), 'Internal ' + INTERNAL);
    assert.equal(await li.locator('.note-public').textContent(), 'Publik ' + PUBLIC);

    // The reporter got the message, never the note; the thread shows the
    // update's text, not a placeholder.
    const sent = await graph.waitMessages(WA, since, 1, 20000);
    assert.match(textOf(sent[0]), new RegExp(PUBLIC));
    assert.ok(!JSON.stringify(sent).includes('tertibkan'));
    const update = page.locator('#thread li[data-dir=out]', { hasText: PUBLIC });
    await update.waitFor({ timeout: 20000 });
    assert.match(await update.locator('.text').textContent(), new RegExp(codeA + ': Diverifikasi'));
    assert.equal(await page.locator('#thread .muted', { hasText: 'Pemberitahuan status' }).count(), 0);
    await page.screenshot({ path: join(ARTIFACTS, 'case-notes.png'), fullPage: true });

    // The public page shows the message and not the note.
    const pub = await (await fetch(srv.url + '/t/' + codeA)).text();
    assert.ok(pub.includes(PUBLIC) && !pub.includes('tertibkan'));
    await ctx.close();
  });

  it('a reject needs the reason for the reporter', async () => {
    const ctx = await context();
    const page = await login(ctx, 'admin.satpolpp');
    await page.goto(srv.url + '/#/case/' + idB);
    await page.click('#actions button[data-action=reject]');
    const form = page.locator('form.action-form[data-action=reject]');
    // The required message comes first.
    assert.deepEqual(await form.locator('textarea').evaluateAll((t) => t.map((x) => x.name)), ['public_note', 'note']);
    assert.match(await form.locator('label[for=act-reject-public]').textContent(), /Alasan penolakan untuk pelapor \(wajib/);
    await form.locator('textarea[name=note]').fill('Hanya catatan internal');
    await form.locator('button[type=submit]').click();
    // The browser holds the form at the empty message; nothing is sent.
    await page.waitForFunction(() => document.activeElement && document.activeElement.name === 'public_note');
    assert.ok(await form.locator('textarea[name=public_note]').evaluate((t) => !t.validity.valid));
    await page.waitForTimeout(500);
    assert.equal(await page.getAttribute('#case-status', 'data-status'), 'received');
    const sa = await srv.session('admin.satpolpp');
    assert.equal((await sa.call('GET', '/api/v1/cases/' + idB)).json.status, 'received');
    await ctx.close();
  });

  it('the thread is this case only, formatted, with the other cases beside it', async () => {
    const ctx = await context();
    const page = await login(ctx, 'admin.satpolpp');
    await page.goto(srv.url + '/#/case/' + idA);
    const story = page.locator('#thread li[data-dir=in]', { hasText: 'Pedagang' });
    await story.waitFor();
    // WhatsApp's markers become formatting; markup stays text.
    assert.equal(await story.locator('.text strong').textContent(), 'menutup');
    assert.equal(await story.locator('.text em').textContent(), 'setiap pagi');
    assert.equal(await story.locator('.text s').textContent(), 'kemarin');
    assert.match(await story.locator('.text').textContent(), /<b>tebal<\/b><script>/);
    assert.equal(await page.locator('#thread b, #thread script').count(), 0);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    // Our messages too: the summary's labels are bold, without asterisks.
    const summary = page.locator('#thread li[data-dir=out]', { hasText: 'Periksa laporan Anda' });
    assert.ok(await summary.locator('strong', { hasText: 'Jenis:' }).count() >= 1);
    assert.ok(!(await summary.textContent()).includes('*Jenis:*'));
    // Not another report's, not a cancelled draft.
    const thread = await page.textContent('#thread');
    assert.ok(thread.includes(codeA) && !thread.includes(codeB), thread);
    assert.ok(!thread.includes(STORY_B) && !thread.includes('DRAF yang dibatalkan'));
    // The other case, one click away.
    const other = page.locator('#other-cases a.code');
    assert.equal(await other.textContent(), codeB);
    await other.click();
    await page.waitForFunction((c) => document.querySelector('#case-code')?.textContent === c, codeB);
    await page.locator('#thread li[data-dir=in]', { hasText: STORY_B }).waitFor();
    assert.ok(!(await page.textContent('#thread')).includes('Pedagang'));
    assert.equal(await page.locator('#other-cases a.code').textContent(), codeA);
    await ctx.close();
  });

  it('a walk-in reporter who agreed gets updates; the reply box says they go as templates', async () => {
    const ctx = await context();
    const page = await login(ctx, 'admin.satpolpp');
    await page.goto(srv.url + '/#/new');
    await page.waitForSelector('#report-form');
    await page.fill('#r-description', 'Lapak menutup saluran air di depan rumah');
    await page.fill('#r-name', 'Bu Rina');
    await page.fill('#r-phone', '0812-4455-7701');
    assert.match(await page.textContent('label[for=r-wa-consent]'), /WhatsApp/);
    await page.check('#r-wa-consent');
    const since = await graph.lastSeq();
    await page.click('#report-form button[type=submit]');
    await page.waitForSelector('#case-code');
    const code = await page.textContent('#case-code');
    // The code reached the reporter, as the approved template.
    const got = await graph.waitMessages('6281244557701', since, 1, 20000);
    assert.equal(got[0].type, 'template');
    assert.equal(got[0].template.name, 'aduan_status_update');
    assert.equal(got[0].template.components[0].parameters[0].text, code);
    // The reply box, with the template rule.
    await page.waitForSelector('#reply');
    assert.match(await page.textContent('#consent-rule'), /templat yang disetujui/);
    await page.locator('#thread li[data-dir=out]', { hasText: code + ': Diterima' }).waitFor({ timeout: 20000 });
    await page.fill('#reply-text', 'Tim kami datang besok pagi.');
    const since2 = await graph.lastSeq();
    await page.click('#reply button[type=submit]');
    // The flash of the new report may still show: wait for the reply's.
    await page.waitForFunction(() => /templat/.test(document.getElementById('alert').textContent));
    assert.match(await page.getAttribute('#alert', 'class'), /\bok\b/);
    const reply = await graph.waitMessages('6281244557701', since2, 1, 20000);
    assert.equal(reply[0].template.name, 'aduan_reply');
    await ctx.close();
  });
});
