// Issue 16 §1: the public web form /lapor in real Chromium at 360 px.
// Without JavaScript: the citizen answers the security question, sends text,
// address and a photo, and gets the tracking code and its link; a fake photo
// is refused with the form still filled. With JavaScript: the proof of work
// answers the question, "lokasi saya" and the map set the point, the photo
// is previewed, missing fields are named before sending, and an emergency
// category brings the agency's numbers to the top; the tracking code goes
// to the WhatsApp number given, as the agency's status template. Screenshots in
// build/artifacts/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, FakeGraph, ROOT } from './harness.mjs';

const PHOTO = join(ROOT, 'tests/fixtures/images/exif-gps.jpg');
let graph, srv, browser, admin;
// Words never seen in proper Indonesian interface text (tests/browser/lang.test.mjs).
const ENGLISH = ['the', 'not found', 'invalid', 'must', 'required', 'your', 'please', 'report',
  'submit', 'cancel', 'file', 'agency', 'emergency', 'complaint', 'photo', 'location', 'send',
  'error', 'too many', 'at most', 'missing', 'wrong'];
const errors = [];

async function open(js, extra) {
  const ctx = await browser.newContext({ javaScriptEnabled: js, locale: 'id-ID',
    viewport: { width: 360, height: 780 }, deviceScaleFactor: 2, isMobile: true, ...extra });
  await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  return page;
}

async function noWiderThanThePhone(page) {
  const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((e) => { const r = e.getBoundingClientRect(); return r.width && r.right > 361; })
    .filter((e) => !e.closest('.hp') && !e.closest('.leaflet-pane'))
    .map((e) => e.tagName + '.' + e.className));
  assert.deepEqual(wide, []);
}

async function caseByCode(code) {
  const list = (await admin.call('GET', '/api/v1/cases?q=' + code)).json.items;
  const c = list.find((x) => x.tracking_code === code);
  assert.ok(c, 'the case ' + code + ' is in the inbox');
  return (await admin.call('GET', '/api/v1/cases/' + c.id)).json;
}

describe('public web form (/lapor)', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    admin = await srv.session('admin.satpolpp');
  });
  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
    assert.deepEqual(errors, [], 'errors in the page');
  });

  it('works without JavaScript: the question, a photo, the tracking code', async () => {
    const page = await open(false);
    // Page weight without the map: the page, its style sheet and script.
    let bytes = 0;
    for (const p of ['/lapor', '/public/lapor.css', '/public/lapor.js'])
      bytes += (await (await fetch(srv.url + p)).arrayBuffer()).byteLength;
    assert.ok(bytes < 100 * 1024, 'page weight ' + bytes);
    console.log('# /lapor page weight without the map: ' + bytes + ' bytes');
    await page.goto(srv.url + '/lapor');
    await noWiderThanThePhone(page);
    // Indonesian first: no English word of lang.test.mjs's list on the page.
    const text = await page.evaluate(() => {
      let t = document.body.innerText;
      for (const e of document.querySelectorAll('body [lang=en]')) t = t.replace(e.innerText, ' ');
      return t;
    });
    const english = text.match(new RegExp('\\b(' + ENGLISH.join('|') + ')\\b', 'gi'));
    assert.equal(english, null, 'English on the Indonesian page: ' + english);
    // The fire service's numbers come before the form.
    const sos = await page.locator('.sos a.tel').first().getAttribute('href');
    assert.equal(sos, 'tel:113');
    await page.screenshot({ path: join(ARTIFACTS, 'lapor-nojs-360.png'), fullPage: true });
    // A fake photo first: refused, the form still filled.
    await page.check('input[name=category][data-kind=complaint] >> nth=0');
    await page.fill('#f-text', 'Lampu jalan padam di gang Kenanga sejak Senin');
    await page.fill('#f-address', 'Gang Kenanga depan musala');
    await page.selectOption('#f-kecamatan', '63.11.06');
    await page.setInputFiles('#f-photo', { name: 'foto.jpg', mimeType: 'image/jpeg',
      buffer: Buffer.from('\xff\xd8\xff\xe0<?php echo 1; ?>', 'latin1') });
    const sum = async () => {
      const q = (await page.innerText('label[for=f-answer]')).match(/(\d) \+ (\d)/);
      return String(Number(q[1]) + Number(q[2]));
    };
    await page.fill('#f-answer', await sum());
    await Promise.all([page.waitForNavigation(), page.click('#send')]);
    assert.ok((await page.innerText('#problem')).includes('foto.jpg'));
    assert.equal(await page.inputValue('#f-text'), 'Lampu jalan padam di gang Kenanga sejak Senin');
    assert.equal(await page.inputValue('#f-address'), 'Gang Kenanga depan musala');
    assert.equal(await page.inputValue('#f-kecamatan'), '63.11.06');
    await page.screenshot({ path: join(ARTIFACTS, 'lapor-nojs-refused-360.png'), fullPage: true });
    // Now the real photo.
    await page.setInputFiles('#f-photo', PHOTO);
    await page.fill('#f-answer', await sum());
    await Promise.all([page.waitForNavigation(), page.click('#send')]);
    const code = (await page.innerText('#code')).trim();
    assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    assert.equal(await page.getAttribute('#track', 'href'), '/t/' + code + '?lang=id');
    await noWiderThanThePhone(page);
    await page.screenshot({ path: join(ARTIFACTS, 'lapor-nojs-done-360.png'), fullPage: true });
    const c = await caseByCode(code);
    assert.equal(c.channel, 'web');
    assert.equal(c.attachments.length, 1);
    assert.equal(c.attachments[0].source, 'citizen');
    const cancel = await page.getAttribute('#cancel', 'href');
    assert.match(cancel, /^\/batal\?t=[0-9a-f]{64}&lang=id$/);
    await page.click('#track');
    assert.ok((await page.innerText('h1')).includes(code));
    // Issue 16: the private cancel link asks first, then withdraws the case.
    await page.goto(srv.url + cancel);
    assert.equal((await page.innerText('#code')).trim(), code);
    await noWiderThanThePhone(page);
    await page.screenshot({ path: join(ARTIFACTS, 'lapor-cancel-ask-360.png'), fullPage: true });
    assert.equal((await caseByCode(code)).status, 'received');
    await Promise.all([page.waitForNavigation(), page.click('#confirm')]);
    assert.ok((await page.innerText('h1')).includes('Laporan dibatalkan'));
    await page.screenshot({ path: join(ARTIFACTS, 'lapor-cancel-done-360.png'), fullPage: true });
    assert.equal((await caseByCode(code)).status, 'closed');
    await page.goto(srv.url + '/t/' + code);
    assert.ok((await page.innerText('body')).includes('Dibatalkan oleh pelapor'));
  });

  it('with JavaScript: proof of work, location, preview, inline checks, emergency first', async () => {
    const page = await open(true, { permissions: ['geolocation'],
      geolocation: { latitude: -2.3364, longitude: 115.4669, accuracy: 12 } });
    await page.goto(srv.url + '/lapor');
    // The proof of work answers the question; it disappears.
    await page.waitForSelector('#check', { state: 'hidden', timeout: 30000 });
    assert.notEqual(await page.inputValue('#f-pow'), '');
    // Sending an empty form names what is missing, without leaving the page.
    await page.click('#send');
    await page.waitForSelector('#hint-f-text');
    assert.ok((await page.innerText('#hint-kategori')).includes('Pilih jenis masalah'));
    assert.ok(page.url().endsWith('/lapor'));
    await page.screenshot({ path: join(ARTIFACTS, 'lapor-js-inline-360.png'), fullPage: true });
    // An emergency category: the agency's numbers move to the top of the form.
    await page.check('input[name=category][data-kind=emergency] >> nth=0');
    assert.equal(await page.evaluate(() => document.getElementById('lapor').firstElementChild.className),
      'sos now');
    await page.screenshot({ path: join(ARTIFACTS, 'lapor-js-emergency-360.png') });
    // A complaint after all: "lokasi saya" sets the point; the map shows it.
    await page.check('input[name=category][data-kind=complaint] >> nth=1');
    await page.fill('#f-text', 'Pedagang menutup trotoar depan pasar qxbrowserjs');
    await page.click('#locate');
    await page.waitForFunction(() => document.getElementById('f-lat').value !== '');
    assert.equal(await page.inputValue('#f-lat'), '-2.336400');
    await page.click('#openmap');
    await page.waitForSelector('#map .leaflet-marker-icon');
    await page.setInputFiles('#f-photo', PHOTO);
    await page.waitForSelector('#previews img');
    // Updates on WhatsApp, with the consent.
    await page.fill('#f-contact', '0812-7777-1234');
    await page.check('input[name=consent]');
    await noWiderThanThePhone(page);
    await page.screenshot({ path: join(ARTIFACTS, 'lapor-js-360.png'), fullPage: true });
    const since = await graph.lastSeq();
    await Promise.all([page.waitForNavigation(), page.click('#send')]);
    const code = (await page.innerText('#code')).trim();
    // The tracking code reaches the citizen's WhatsApp as the status template.
    const [sent] = await graph.waitMessages('6281277771234', since);
    assert.equal(sent.type, 'template');
    assert.ok(JSON.stringify(sent.template).includes(code), JSON.stringify(sent));
    const c = await caseByCode(code);
    assert.equal(c.channel, 'web');
    assert.ok(Math.abs(c.location.lat + 2.3364) < 1e-6, JSON.stringify(c.location));
    assert.equal(c.attachments.length, 1);
    await page.screenshot({ path: join(ARTIFACTS, 'lapor-js-done-360.png'), fullPage: true });
  });

  it('speaks English on request', async () => {
    const page = await open(false);
    await page.goto(srv.url + '/lapor');
    await Promise.all([page.waitForNavigation(), page.click('nav a')]);
    assert.ok(page.url().includes('lang=en'));
    assert.equal(await page.innerText('#send'), 'Send report');
  });
});
