// Issue 18, "what the public sees": the public list and map of reports,
// /laporan, in real Chromium at 360 px. Without JavaScript the list, the
// filter form and the next-page link work; with it the same reports appear
// as markers on the map, each opening a popup that links to the tracking
// page. Nothing personal on the page. A report's tracking page offers to
// follow it on WhatsApp (not a rahasia one).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, FakeGraph } from './harness.mjs';

const NAME = 'Hairiyah Pelapor', PHONE = '0813-4444-2288';
let graph, srv, browser, code, secretCode;
const errors = [];

async function open(js) {
  const ctx = await browser.newContext({ javaScriptEnabled: js, locale: 'id-ID',
    viewport: { width: 360, height: 780 }, deviceScaleFactor: 2, isMobile: true });
  await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  return page;
}

describe('public list of reports (/laporan)', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const admin = await srv.session('admin.satpolpp');
    const cats = (await admin.call('GET', '/api/v1/categories')).json.items;
    const make = async (rahasia) => (await admin.call('POST', '/api/v1/cases', {
      category_id: cats.find((k) => k.code === 'trantibum').id, channel: 'phone',
      description: 'Parkir liar di depan rumah ' + NAME, address: 'Jl. Kenari 9',
      kecamatan_code: '63.11.06', lat: -2.3364, lon: 115.4669, rahasia,
      reporter: { name: NAME, phone: PHONE } })).json;
    code = (await make(false)).tracking_code;
    secretCode = (await make(true)).tracking_code;
  });
  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
    assert.deepEqual(errors, [], 'errors in the page');
  });

  it('works without JavaScript: filters, the list and the tracking link', async () => {
    const page = await open(false);
    await page.goto(srv.url + '/laporan');
    await page.selectOption('select[name=agency]', 'satpolpp');
    await page.click('form.filters button');
    await page.waitForURL(/agency=satpolpp/);
    // With an agency chosen, its categories are offered.
    await page.selectOption('select[name=category]', 'trantibum');
    await page.selectOption('select[name=status]', 'open');
    await page.click('form.filters button');
    await page.waitForURL(/category=trantibum/);
    const text = await page.innerText('body');
    assert.ok(text.includes(code), 'the new report is listed');
    assert.ok(!text.includes(secretCode), 'a rahasia report is not');
    for (const s of [NAME, 'Hairiyah', '4444', 'Kenari']) assert.ok(!text.includes(s), s);
    await page.screenshot({ path: join(ARTIFACTS, 'public-list-nojs-360.png'), fullPage: true });
    // Nothing wider than the phone.
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > 361).map((e) => e.tagName + '.' + e.className));
    assert.deepEqual(wide, []);
    await page.click(`a[href^="/t/${code}"]`);
    await page.waitForURL(new RegExp('/t/' + code));
    assert.ok((await page.innerText('h1')).includes(code));
    // The tracking page offers to follow the report on WhatsApp: a
    // click-to-chat link to the agency's number with the words ready.
    const follow = page.locator('a.follow');
    assert.equal(await follow.innerText(), 'Ikuti lewat WhatsApp');
    const href = new URL(await follow.getAttribute('href'));
    assert.equal(href.host, 'wa.me');
    assert.equal(href.searchParams.get('text'), 'IKUTI ' + code);
    await follow.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'public-follow-360.png'), fullPage: true });
    await page.goto(srv.url + '/t/' + secretCode);
    assert.equal(await page.locator('a.follow').count(), 0, 'a rahasia report cannot be followed');
    await page.context().close();
  });

  it('with JavaScript, the same reports on a map, each marker linking to its page', async () => {
    const page = await open(true);
    await page.goto(srv.url + '/laporan?agency=satpolpp');
    await page.waitForSelector('#map:not([hidden]) .leaflet-interactive');
    const markers = await page.locator('#map .leaflet-interactive').count();
    const listed = await page.locator('#reports li[data-lat]').count();
    assert.equal(markers, listed);
    assert.ok(markers >= 1);
    await page.screenshot({ path: join(ARTIFACTS, 'public-list-map-360.png'), fullPage: true });
    await page.locator('#map .leaflet-interactive').first().click({ force: true });
    const link = page.locator('.leaflet-popup-content a');
    await link.waitFor();
    assert.match(await link.getAttribute('href'), /^\/t\/[A-Z0-9]{4}-[A-Z0-9]{4}\?lang=id$/);
    await page.context().close();
  });
});
