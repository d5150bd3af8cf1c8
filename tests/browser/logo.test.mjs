// Issue 18 in real Chromium: the superadmin uploads the district's logo on
// the "Laporan" page; a file that is not PNG or JPEG is refused in
// Indonesian and changes nothing; the monthly PDF then carries the logo on
// its kop, under the name laporan-bulanan-{agency}-{YYYY-MM}.pdf. An agency
// admin sees no upload. Screenshot: build/artifacts/report-logo.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, FakeGraph, PASSWORD, ROOT } from './harness.mjs';

let graph, srv, browser;

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

function images(pdf) {
  const path = join(ARTIFACTS, 'report-logo.pdf');
  writeFileSync(path, pdf);
  const out = spawnSync('pdfimages', ['-list', path], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout.trim().split('\n').slice(2).filter(Boolean);
}

describe('the district logo on the monthly report', () => {
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

  it('the superadmin uploads it and the PDF carries it', async () => {
    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 } });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const page = await login(ctx, 'superadmin');
    await page.goto(srv.url + '/#/reports');
    await page.waitForSelector('#logo-form');
    const month = await page.inputValue('#m-month');
    const pdfUrl = srv.url + '/api/v1/reports/monthly.pdf?agency=satpolpp&month=' + month;
    let r = await ctx.request.get(pdfUrl);
    assert.equal(r.status(), 200);
    assert.equal(images(await r.body()).length, 0);

    // Not PNG or JPEG: refused, in Indonesian, nothing stored.
    await page.setInputFiles('#logo-file', join(ROOT, 'tests/fixtures/images/lossy.webp'));
    await page.click('#logo-upload');
    await page.waitForSelector('#logo-status.error');
    assert.match(await page.textContent('#logo-status'), /logo harus gambar PNG atau JPEG/);
    r = await ctx.request.get(pdfUrl);
    assert.equal(images(await r.body()).length, 0);

    await page.setInputFiles('#logo-file', join(ROOT, 'tests/fixtures/images/text.png'));
    await page.click('#logo-upload');
    await page.waitForFunction(() => /Logo tersimpan/.test(document.getElementById('logo-status').textContent));
    await page.screenshot({ path: join(ARTIFACTS, 'report-logo.png'), fullPage: true });
    r = await ctx.request.get(pdfUrl);
    assert.equal(r.headers()['content-disposition'], `attachment; filename="laporan-bulanan-satpolpp-${month}.pdf"`);
    assert.ok(images(await r.body()).length >= 1);
    await ctx.close();
  });

  it('an agency admin gets the report but not the upload', async () => {
    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 } });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const page = await login(ctx, 'admin.satpolpp');
    await page.goto(srv.url + '/#/reports');
    await page.waitForSelector('#monthly-pdf');
    assert.equal(await page.locator('#logo-form').count(), 0);
    await ctx.close();
  });
});
