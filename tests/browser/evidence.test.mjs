// Issue 18 in real Chromium: the lightbox and the access log entry, and
// the PDF preview. A resident asks Disdukcapil for an akta kelahiran over
// WhatsApp and sends a PDF and two photos (identity documents). The admin
// opens the case: the chat's thumbnails are on the access log (the server
// wrote them on the files' GET); a thumbnail opens the lightbox over the
// page, which zooms (buttons, wheel, a two-finger pinch), pans, goes to the
// next file with the arrow key, shows the PDF inline with a download link,
// and closes with Esc, the focus back on the thumbnail; each full view is a
// new entry. At 360 px the lightbox fills the phone. The kepala bidang of
// Satpol PP sees no access log on a case of theirs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, Citizen, FakeGraph, PASSWORD, SECRET, choices, textOf } from './harness.mjs';

const DUKCAPIL = '100000000000003';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pdf = (text) => Buffer.from(`%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj
4 0 obj << /Length 44 >> stream
BT /F1 18 Tf 20 100 Td (${text}) Tj ET
endstream endobj
5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
trailer << /Root 1 0 R >>
%%EOF
`);
// A real picture (aduan decodes and encodes pictures again): an RGB PNG
// with a pattern, so that zooming shows something.
const crc32 = (buf) => {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
};
const chunk = (kind, data) => {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(kind), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};
const png = (seed, w = 480, h = 300) => {
  const rows = [];
  for (let y = 0; y < h; y++) {
    rows.push(Buffer.from([0]));
    rows.push(Buffer.from(Array.from({ length: w * 3 }, (_, i) => {
      const x = Math.floor(i / 3);
      return ((Math.floor(x / 40) + Math.floor(y / 40)) % 2 ? 230 : 60 + seed * 40 + (i % 3) * 30) & 0xff;
    })));
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
};

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

async function until(fn, what, timeout = 20000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await sleep(150);
  }
}

let graph, srv, browser, api, caseId;

async function login(ctx, who) {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => { throw e; });
  await page.goto(srv.url + '/');
  await page.fill('#login-name', who);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#top:not([hidden])');
  return page;
}

const log = async () => (await api.call('GET', `/api/v1/cases/${caseId}/access-log?identity=1`)).json.items;

describe('issue 18: the lightbox and the access log entry', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    api = await srv.session('admin.dukcapil');
    const resident = new Resident(srv, graph, '6281377000851', 'Siti');
    const svc = (await api.call('GET', '/api/v1/services')).json.items.find((x) => x.code === 'akta_kelahiran');
    assert.ok(choices((await resident.text('halo'))[0]).includes('menu:service'));
    await resident.tap('menu:service');
    await resident.tap('svc:' + svc.id);
    await resident.tap('svc_consent:yes', true);
    await resident.text('6311064506210001');
    await resident.text('Siti Aminah');
    await resident.file(pdf('Surat keterangan lahir'), 'application/pdf', 'document');
    await resident.file(png(1), 'image/png', 'image');
    await resident.file(png(2), 'image/png', 'image');
    await resident.tap('svc_skip', true);
    const code = textOf((await resident.tap('svc_confirm:send', true))[0]).match(/\*([0-9A-Z]{4}-[0-9A-Z]{4})\*/)[1];
    caseId = (await api.call('GET', '/api/v1/cases?status=submitted')).json.items.find((c) => c.tracking_code === code).id;
    await until(async () => (await api.call('GET', `/api/v1/cases/${caseId}`)).json.attachments
      .filter((a) => a.state === 'stored').length >= 3, 'the three files stored');
  });

  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
  });

  it('opens a photo over the page, zooms, pans, goes on to the PDF, closes; each view is logged', async () => {
    const atts = (await api.call('GET', `/api/v1/cases/${caseId}`)).json.attachments;
    const photos = atts.filter((a) => a.mime.startsWith('image/'));
    const doc = atts.find((a) => a.mime === 'application/pdf');
    assert.equal(photos.length, 2);
    assert.deepEqual(await log(), []);

    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 } });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const page = await login(ctx, 'admin.dukcapil');
    await page.goto(srv.url + '/#/case/' + caseId);
    // The chat shows the photos as thumbnails: the server logged each one.
    const thumb = page.locator(`#thread a.file[data-att="${photos[0].id}"]`);
    await thumb.waitFor();
    assert.match(await thumb.locator('img').getAttribute('src'), /\?view=thumb$/);
    await until(async () => (await log()).filter((e) => e.view === 'thumb').length === 2, 'two thumbnail entries');
    // The access log card shows them (the admin's).
    const rows = page.locator('#access-log tr[data-action=identity_document_view]');
    await until(async () => (await rows.count()) === 2, 'two rows on the card');
    assert.match(await rows.first().textContent(), /Melihat dokumen identitas \(gambar kecil\)/);
    assert.match(await rows.first().textContent(), /admin\.dukcapil/);
    // A new message (another operator's reply) redraws the thread live: the
    // thumbnails are not fetched (nor logged) again.
    assert.equal((await api.call('POST', `/api/v1/cases/${caseId}/messages`, { text: 'Berkas sedang diperiksa qxlive' })).status, 202);
    await page.locator('#thread li', { hasText: 'qxlive' }).waitFor();
    await page.waitForTimeout(500);
    assert.equal((await log()).filter((e) => e.view === 'thumb').length, 2);

    // The lightbox: over the page, the close button focused.
    await thumb.click();
    const box = page.locator('#lightbox');
    await box.waitFor();
    assert.equal(await box.getAttribute('role'), 'dialog');
    assert.equal(await box.getAttribute('aria-modal'), 'true');
    assert.equal(await box.getAttribute('data-kind'), 'image');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.lb), 'close');
    assert.equal(await page.evaluate(() => document.getElementById('view').inert), true);
    // The page's shortcuts wait while the viewer covers it (? would open their list).
    await page.keyboard.press('?');
    assert.equal(await page.evaluate(() => { const d = document.getElementById('shortcuts'); return !!(d && d.open); }), false);
    const img = box.locator('img.lb-img');
    await page.waitForFunction(() => document.querySelector('#lightbox img.lb-img').naturalWidth > 0);
    assert.match(await img.getAttribute('src'), new RegExp(`/api/v1/attachments/${photos[0].id}\\?view=full&at=\\d+$`));
    assert.equal(await box.getAttribute('data-scale'), '1.00');
    // Zoom: the button, the wheel, the keyboard.
    await box.locator('[data-lb=zoom-in]').click();
    assert.equal(await box.getAttribute('data-scale'), '1.50');
    const stage = await box.locator('.lb-stage').boundingBox();
    await page.mouse.move(stage.x + stage.width / 2 + 100, stage.y + stage.height / 2);
    await page.mouse.wheel(0, -300);
    await page.waitForFunction(() => Number(document.getElementById('lightbox').dataset.scale) > 2.5);
    const zoomed = Number(await box.getAttribute('data-scale'));
    // Pan: drag moves the picture.
    const before = await img.evaluate((n) => n.style.transform);
    await page.mouse.move(stage.x + stage.width / 2, stage.y + stage.height / 2);
    await page.mouse.down();
    await page.mouse.move(stage.x + stage.width / 2 + 80, stage.y + stage.height / 2 + 40, { steps: 4 });
    await page.mouse.up();
    assert.notEqual(await img.evaluate((n) => n.style.transform), before);
    assert.equal(Number(await box.getAttribute('data-scale')), zoomed);
    await page.screenshot({ path: join(ARTIFACTS, 'evidence-lightbox-zoom.png') });
    await page.keyboard.press('0');
    assert.equal(await box.getAttribute('data-scale'), '1.00');
    // A pinch: two pointers moving apart.
    await page.evaluate(() => {
      const st = document.querySelector('#lightbox .lb-stage');
      const r = st.getBoundingClientRect();
      const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
      const ev = (type, id, x) => st.dispatchEvent(new PointerEvent(type, { pointerId: id, clientX: x, clientY: cy, bubbles: true, pointerType: 'touch', isPrimary: id === 1 }));
      ev('pointerdown', 1, cx - 50); ev('pointerdown', 2, cx + 50);
      for (let k = 1; k <= 5; k++) { ev('pointermove', 1, cx - 50 - k * 20); ev('pointermove', 2, cx + 50 + k * 20); }
      ev('pointerup', 1, cx - 150); ev('pointerup', 2, cx + 150);
    });
    assert.equal(await box.getAttribute('data-scale'), '3.00');
    await page.keyboard.press('0');

    // Next with the arrow key: the second photo, then the PDF, inline.
    await page.keyboard.press('ArrowRight');
    assert.equal(await box.getAttribute('data-id'), String(photos[1].id));
    await page.keyboard.press('ArrowRight');
    assert.equal(await box.getAttribute('data-kind'), 'pdf');
    assert.equal(await box.getAttribute('data-id'), String(doc.id));
    const frame = box.locator('iframe.lb-pdf');
    assert.match(await frame.getAttribute('src'), new RegExp(`^/api/v1/attachments/${doc.id}\\?view=full&at=\\d+$`));
    assert.equal(await box.locator('[data-lb=download]').getAttribute('href'), `/api/v1/attachments/${doc.id}?download=1`);
    // The PDF is framed (our own origin may; the response says inline).
    await until(async () => (await log()).some((e) => e.attachment_id === doc.id && e.view === 'full'), 'the PDF view logged');
    await page.waitForTimeout(1500); // the PDF viewer draws
    await page.screenshot({ path: join(ARTIFACTS, 'evidence-pdf-preview.png') });
    const head = await fetch(srv.url + `/api/v1/attachments/${doc.id}?view=full`, { headers: { Cookie: (await ctx.cookies()).map((c) => c.name + '=' + c.value).join('; ') } });
    assert.equal(head.headers.get('x-frame-options'), 'SAMEORIGIN');
    assert.match(head.headers.get('content-disposition'), /^inline; filename="lampiran-\d+\.pdf"$/);
    // Esc closes; the focus is back on the thumbnail that opened it.
    await page.keyboard.press('Escape');
    await box.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate((id) => document.activeElement.dataset.att, photos[0].id), String(photos[0].id));
    assert.equal(await page.evaluate(() => document.getElementById('view').inert), false);
    // (and once it is closed, ? opens the shortcuts' list again).
    await page.keyboard.press('?');
    await page.waitForSelector('#shortcuts[open]');
    await page.click('#shortcuts-close');
    await page.waitForFunction(() => !document.querySelector('#shortcuts[open]'));

    // The access log: the thumbnails, then a full view of each file seen.
    const entries = await log();
    // (the PDF twice: the preview, and the header check above).
    const full = entries.filter((e) => e.view === 'full').map((e) => e.attachment_id).sort();
    assert.deepEqual(full, [photos[0].id, photos[1].id, doc.id, doc.id].sort());
    assert.ok(entries.every((e) => e.login === 'admin.dukcapil' && e.at));
    await until(async () => (await rows.count()) === entries.length, 'the card refreshed after the viewer closed');
    assert.match(await page.textContent('#access-log'), /tampilan penuh/);
    await page.locator('#access-log').scrollIntoViewIfNeeded();
    await page.locator('#access-log').screenshot({ path: join(ARTIFACTS, 'evidence-access-log.png') });
    // The request's checklist previews its files in the same viewer.
    const pv = page.locator(`#svc-docs [data-preview="${doc.id}"]`);
    await pv.click();
    await page.waitForSelector(`#lightbox[data-kind=pdf][data-id="${doc.id}"]`);
    await page.keyboard.press('Escape');
    await page.waitForSelector('#lightbox', { state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement.dataset.preview), String(doc.id));
    await ctx.close();
  });

  it('fits a 360 px phone, and is for admins only', async () => {
    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const page = await login(ctx, 'admin.dukcapil');
    await page.goto(srv.url + '/#/case/' + caseId);
    const thumb = page.locator('#thread a.file[data-att] img').first();
    await thumb.waitFor();
    // The case page is one column no wider than the phone.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 360);
    await thumb.click();
    const box = page.locator('#lightbox');
    await box.waitFor();
    await page.waitForFunction(() => document.querySelector('#lightbox img.lb-img').naturalWidth > 0);
    const b = await box.boundingBox();
    assert.ok(b.width <= 360 && b.height <= 740, JSON.stringify(b));
    const img = await box.locator('img.lb-img').boundingBox();
    assert.ok(img.x >= 0 && img.x + img.width <= 360.5, JSON.stringify(img));
    for (const k of ['close', 'zoom-in', 'next', 'download']) {
      const r = await box.locator(`[data-lb=${k}]`).boundingBox();
      assert.ok(r && r.x >= 0 && r.x + r.width <= 360.5 && r.width >= 32, k + ' ' + JSON.stringify(r));
    }
    await box.locator('[data-lb=zoom-in]').tap();
    assert.equal(await box.getAttribute('data-scale'), '1.50');
    await page.screenshot({ path: join(ARTIFACTS, 'evidence-lightbox-360.png') });
    await box.locator('[data-lb=close]').tap();
    await box.waitFor({ state: 'detached' });
    await ctx.close();

    // Satpol PP's kepala bidang on a case of theirs: no access log card, and 403.
    const kabid = await srv.session('kabid.satpolpp');
    const one = (await kabid.call('GET', '/api/v1/cases')).json.items[0].id;
    assert.equal((await kabid.call('GET', `/api/v1/cases/${one}/access-log`)).status, 403);
    const ctx2 = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 } });
    await ctx2.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    const p2 = await login(ctx2, 'kabid.satpolpp');
    // A KTP photo in a complaint (here an upload): the kepala bidang marks
    // it in the viewer; from then on its views are on the access log.
    const lr = await fetch(srv.url + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: 'admin.satpolpp', password: PASSWORD }) });
    const cookie = lr.headers.get('set-cookie').split(';')[0];
    const csrf = (await lr.json()).csrf_token;
    const up = await fetch(srv.url + `/api/v1/cases/${one}/attachments`, { method: 'POST',
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'image/png' }, body: png(3) });
    assert.equal(up.status, 201);
    const admin = await srv.session('admin.satpolpp');
    const identityViews = async () => (await admin.call('GET', `/api/v1/cases/${one}/access-log`)).json.items;
    await p2.goto(srv.url + '/#/case/' + one);
    await p2.waitForSelector('#timeline');
    assert.equal(await p2.locator('#access-log').count(), 0);
    await p2.locator('#gallery a.file[data-att]').first().click();
    const lb = p2.locator('#lightbox');
    await lb.waitFor();
    const mark = lb.locator('[data-lb=identity]');
    assert.equal(await mark.getAttribute('aria-pressed'), 'false');
    assert.equal(await mark.textContent(), 'Tandai dokumen identitas');
    await mark.click();
    await p2.waitForSelector('#lightbox [data-lb=identity][aria-pressed=true]');
    assert.equal(await mark.textContent(), 'Dokumen identitas ✓');
    await p2.keyboard.press('Escape');
    await lb.waitFor({ state: 'detached' });
    const marks = (await identityViews()).filter((e) => e.action === 'identity_document_mark');
    assert.deepEqual(marks.map((e) => e.login), ['kabid.satpolpp']);
    await p2.locator('#gallery a.file[data-att]').first().click();
    await p2.waitForSelector('#lightbox[data-identity="1"]');
    await until(async () => (await identityViews()).some((e) => e.action === 'identity_document_view' && e.login === 'kabid.satpolpp' && e.view === 'full'),
      'the view of the marked photo logged');
    await ctx2.close();
  });
});
