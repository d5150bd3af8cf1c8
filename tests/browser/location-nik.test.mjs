// The case page in real Chromium (issue #13, items 7 and 12): a WhatsApp
// report whose shared location lies outside every kecamatan boundary shows
// "—" and says it is outside; one inside shows its kecamatan; a service
// request whose NIK names a kecamatan that does not exist shows the
// operator a warning beside the NIK.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, Citizen, FakeGraph, PASSWORD, SECRET, choices, textOf } from './harness.mjs';

const DUKCAPIL = '100000000000003';
const NIK = '6311094506210001'; // kecamatan 63.11.09: Balangan has 01-08
const CODE = /\*([0-9A-Z]{4}-[0-9A-Z]{4})\*/;
const jpeg = (fill, n) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(n, fill)]);
const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

class Resident extends Citizen {
  async post(msg) {
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA1', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '6281150000003', phone_number_id: DUKCAPIL },
      contacts: [{ profile: { name: this.name }, wa_id: this.waId }], messages: [msg] } }] }] });
    const sig = 'sha256=' + createHmac('sha256', SECRET).update(body).digest('hex');
    const r = await fetch(this.srv.url + '/webhooks/whatsapp', {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': sig }, body,
    });
    if (r.status !== 200) throw new Error('webhook -> ' + r.status);
  }
  async file(buf, mime, kind) {
    const m = await this.graph.addMedia(buf, mime);
    return this.say(kind, { media_id: m.id, mime, sha256: m.sha256 });
  }
}

let graph, srv, browser;

// A Satpol PP complaint with a shared location; returns its case id.
async function complaint(waId, lat, lon) {
  const w = new Citizen(srv, graph, waId);
  await w.text('halo');
  await w.tap('menu:report');
  const cats = (await w.tap('consent:yes', true))[0];
  await w.tap(choices(cats).filter((c) => c.startsWith('cat:'))[1]);
  await w.text('Pedagang kaki lima menutup trotoar setiap pagi');
  await w.say('location', { lat, lon });
  await w.tap('photos:next', true);
  const code = textOf((await w.tap('confirm:send', true))[0]).match(CODE)[1];
  const sa = await srv.session('superadmin');
  return (await sa.call('GET', '/api/v1/cases?limit=50')).json.items.find((c) => c.tracking_code === code).id;
}

async function openCase(login, id) {
  const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 } });
  await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
  const page = await ctx.newPage();
  page.on('pageerror', (e) => { throw e; });
  await page.goto(srv.url + '/');
  await page.fill('#login-name', login);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#top:not([hidden])');
  await page.goto(srv.url + '/#/case/' + id);
  await page.waitForSelector('#case-kecamatan');
  return page;
}

describe('case page: kecamatan from the location, NIK warning', () => {
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

  it('a location outside every boundary says so; one inside names its kecamatan', async () => {
    const outside = await complaint('6281234599001', -2.17, 115.38); // Tanjung, Tabalong
    const inside = await complaint('6281234599002', -2.35, 115.78);  // Tebing Tinggi
    let page = await openCase('admin.satpolpp', outside);
    assert.equal(await page.textContent('#case-kecamatan'), '— (di luar batas kecamatan yang dikenal)');
    await page.screenshot({ path: join(ARTIFACTS, 'case-outside-kecamatan.png'), fullPage: true });
    await page.context().close();
    page = await openCase('admin.satpolpp', inside);
    assert.equal(await page.textContent('#case-kecamatan'), 'Tebing Tinggi');
    await page.context().close();
  });

  it('a NIK of an unknown kecamatan is accepted, and the operator is warned', async () => {
    const api = await srv.session('admin.dukcapil');
    const svc = (await api.call('GET', '/api/v1/services')).json.items.find((x) => x.code === 'akta_kelahiran');
    const r = new Resident(srv, graph, '6281377000099', 'Siti');
    await r.text('halo');
    await r.tap('menu:service');
    await r.tap('svc:' + svc.id);
    await r.tap('svc_consent:yes', true);
    // A NIK where the name belongs is refused; the real name is taken.
    assert.match(textOf((await r.text(NIK))[0]), /nama lengkap/i);
    assert.match(textOf((await r.text(NIK))[0]), /angka/);
    assert.match(textOf((await r.text('Siti Aminah'))[0]), /Surat keterangan kelahiran/);
    await r.file(pdf, 'application/pdf', 'document');
    await r.file(jpeg(0x4e, 300), 'image/jpeg', 'image');
    await r.file(jpeg(0x4b, 400), 'image/jpeg', 'image');
    await r.tap('svc_skip', true);
    const code = textOf((await r.tap('svc_confirm:send', true))[0]).match(CODE)[1];
    const id = (await api.call('GET', '/api/v1/cases?status=submitted')).json.items.find((c) => c.tracking_code === code).id;
    const page = await openCase('admin.dukcapil', id);
    await page.waitForSelector('#svc-nik-warning');
    const warning = await page.textContent('#svc-nik-warning');
    assert.match(warning, /Periksa NIK/);
    assert.match(warning, /63\.11\.09/);
    assert.equal(await page.textContent('#svc-applicant'), 'Siti Aminah');
    await page.screenshot({ path: join(ARTIFACTS, 'service-nik-warning.png'), fullPage: true });
    await page.context().close();
  });
});
