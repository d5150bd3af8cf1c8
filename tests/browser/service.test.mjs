// The operator side of a service request in real Chromium (issue #7): a
// resident asks Disdukcapil for an akta kelahiran over WhatsApp (the
// signed webhook, as tests/e2e/test_service.py does); admin.dukcapil sees
// the checklist, opens a file (recorded), rejects a document with a
// reason and sends the request back; the resident resends; the operator
// accepts, processes, is refused a non-PDF, uploads the PDF and sees it
// issued and delivered. The fake Graph API got the media upload of
// exactly those bytes and the document message referring to it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, Citizen, FakeGraph, PASSWORD, SECRET, choices, textOf } from './harness.mjs';

const DUKCAPIL = '100000000000003';
const WA = '6281377000091';
const NIK = '6311064506210001'; // Balangan, Paringin; a girl born 05-06-2021
const REASON = 'Foto buram, nama orang tua tidak terbaca';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pdf = (text, pad = 0) => Buffer.concat([
  Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${text}\n`),
  Buffer.alloc(pad, 0x30), Buffer.from('\ntrailer << /Root 1 0 R >>\n%%EOF\n')]);
// A real picture (aduan stores pictures decoded and encoded again, and
// refuses bytes that only start like one): an RGB PNG whose pixels depend
// on seed, as tests/e2e/aduan_e2e.py png_image makes them.
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
const png = (seed, w = 16, h = 12) => {
  const rows = [];
  for (let y = 0; y < h; y++) {
    rows.push(Buffer.from([0]));
    rows.push(Buffer.from(Array.from({ length: w * 3 }, (_, i) => (i * 31 + y * 17 + seed * 85) & 0xff)));
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
};

// The harness's citizen writes to Satpol PP's number; this one to Disdukcapil's.
class Resident extends Citizen {
  async post(msg) {
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA1', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '6281150000003', phone_number_id: DUKCAPIL },
      contacts: [{ profile: { name: this.name }, wa_id: this.waId }], messages: [msg] } }] }] });
    await signed(this.srv, body);
  }
  async file(buf, mime, kind) {
    const m = await this.graph.addMedia(buf, mime);
    return this.say(kind, { media_id: m.id, mime, sha256: m.sha256 });
  }
}

async function signed(srv, body) {
  const sig = 'sha256=' + createHmac('sha256', SECRET).update(body).digest('hex');
  const r = await fetch(srv.url + '/webhooks/whatsapp', {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': sig }, body,
  });
  if (r.status !== 200) throw new Error('webhook -> ' + r.status);
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

let graph, srv, browser, api, resident, caseId, code, page;
const files = { skl: pdf('surat keterangan lahir'), nikah: png(1), kk: png(2), again: png(3) };
const checklist = async () => (await api.call('GET', `/api/v1/cases/${caseId}/service`)).json;
const storedFiles = (cl) => cl.documents.flatMap((d) => d.files).filter((f) => f.state === 'stored').length;
const doc = (name) => page.locator('#svc-docs li.svc-doc').filter({ has: page.locator('.svc-doc-name', { hasText: name }) });

describe('service request, operator side', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    api = await srv.session('admin.dukcapil');
    resident = new Resident(srv, graph, WA, 'Siti');
  });

  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
  });

  it('a resident requests an akta kelahiran over WhatsApp', async () => {
    const svc = (await api.call('GET', '/api/v1/services')).json.items.find((x) => x.code === 'akta_kelahiran');
    assert.ok(choices((await resident.text('halo'))[0]).includes('menu:service'));
    assert.ok(choices((await resident.tap('menu:service'))[0]).includes('svc:' + svc.id));
    await resident.tap('svc:' + svc.id);
    await resident.tap('svc_consent:yes', true);
    await resident.text(NIK);
    assert.match(textOf((await resident.text('Siti Aminah'))[0]), /Surat keterangan kelahiran/);
    await resident.file(files.skl, 'application/pdf', 'document');
    await resident.file(files.nikah, 'image/jpeg', 'image');
    assert.ok(choices((await resident.file(files.kk, 'image/jpeg', 'image'))[0]).includes('svc_skip'));
    await resident.tap('svc_skip', true);
    code = textOf((await resident.tap('svc_confirm:send', true))[0]).match(/\*([0-9A-Z]{4}-[0-9A-Z]{4})\*/)[1];
    const list = (await api.call('GET', '/api/v1/cases?status=submitted')).json.items;
    caseId = list.find((c) => c.tracking_code === code).id;
    await until(async () => storedFiles(await checklist()) >= 3, 'the three files stored');
  });

  it('the operator sees the checklist, opens a file, rejects one with a reason and sends it back', async () => {
    const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
    await ctx.addInitScript(() => { localStorage.setItem('aduan.pollMs', '500'); });
    page = await ctx.newPage();
    page.on('pageerror', (e) => { throw e; });
    await page.goto(srv.url + '/');
    await page.fill('#login-name', 'admin.dukcapil');
    await page.fill('#login-password', PASSWORD);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#top:not([hidden])');
    await page.goto(srv.url + '/#/case/' + caseId);
    await page.waitForSelector('#svc-docs li.svc-doc');

    // Four documents: three sent, the optional SPTJM skipped; the NIK masked until asked.
    assert.equal(await page.locator('#svc-docs li.svc-doc').count(), 4);
    assert.equal(await doc('SPTJM').getAttribute('data-verdict'), 'skipped');
    assert.equal(await doc('Kartu Keluarga').locator('.svc-file a').count(), 1);
    assert.equal(await page.textContent('#svc-applicant'), 'Siti Aminah');
    assert.equal(await page.textContent('#svc-nik'), '6311********0001');
    await page.click('#svc button[aria-controls=svc-nik]');
    assert.equal(await page.textContent('#svc-nik'), NIK);
    // The generic gallery shows no identity document; the generic "issue" is hidden.
    assert.equal(await page.locator('#files img').count(), 0);
    for (const a of ['check', 'incomplete'])
      assert.equal(await page.locator(`#actions button[data-action=${a}]:visible`).count(), 0, a);
    assert.equal(await page.locator('#actions button[data-action=reject]:visible').count(), 1);

    // Opening a file downloads exactly its bytes, and the view is on record.
    const [dl] = await Promise.all([page.waitForEvent('download'),
      doc('Surat keterangan kelahiran').locator('.svc-file a').click()]);
    const got = await new Promise((res, rej) => {
      const chunks = [];
      dl.createReadStream().then((s) => { s.on('data', (c) => chunks.push(c)); s.on('end', () => res(Buffer.concat(chunks))); s.on('error', rej); });
    });
    assert.ok(got.equals(files.skl));
    const events = (await api.call('GET', `/api/v1/cases/${caseId}`)).json.events;
    assert.ok(events.some((e) => e.action === 'document_view'));
    // The timeline tells it in words: which file, never "attachment 4" (issue 13).
    await page.reload();
    await page.waitForSelector('#svc-docs li.svc-doc');
    const tl = await page.textContent('#timeline');
    assert.match(tl, /Berkas dibuka petugas/);
    assert.match(tl, /Berkas nomor \d+/);
    assert.doesNotMatch(tl, /attachment|document_view/);

    // A rejection needs a reason: an empty one is refused in the page.
    await doc('Buku nikah').locator('button.svc-reject').click();
    await doc('Buku nikah').locator('form.svc-reject-form button[type=submit]').click();
    assert.match(await doc('Buku nikah').locator('.error').textContent(), /alasan/i);
    await doc('Buku nikah').locator('textarea').fill(REASON);
    await doc('Buku nikah').locator('form.svc-reject-form button[type=submit]').click();
    await doc('Buku nikah').and(page.locator('[data-verdict=rejected]')).waitFor();
    assert.match(await doc('Buku nikah').locator('.svc-reason').textContent(), /Foto buram/);
    for (const name of ['Surat keterangan kelahiran', 'Kartu Keluarga']) {
      await doc(name).locator('button.svc-accept').click();
      await doc(name).and(page.locator('[data-verdict=accepted]')).waitFor();
    }
    await page.screenshot({ path: join(ARTIFACTS, 'service-checklist.png'), fullPage: true });

    const since = await graph.lastSeq();
    await page.click('#svc-more');
    const told = textOf((await graph.waitMessages(WA, since))[0]);
    assert.match(told, /Buku nikah/);
    assert.ok(told.includes('Foto buram'));
    await page.waitForSelector('#case-status[data-status=incomplete]');
    // While incomplete the request cannot be processed or sent back again.
    assert.equal(await page.locator('#svc-more').count(), 0);
    assert.equal(await page.locator('#svc-process').count(), 0);
  });

  it('the resident resends; the operator accepts, processes and issues the PDF', async () => {
    assert.ok(textOf((await resident.file(files.again, 'image/jpeg', 'image'))[0]).includes(code));
    await until(async () => storedFiles(await checklist()) >= 4, 'the resent file stored');
    await page.reload();
    await page.waitForSelector('#svc-docs li.svc-doc');
    assert.equal(await doc('Buku nikah').getAttribute('data-verdict'), 'pending');
    assert.equal(await doc('Buku nikah').locator('.svc-file').count(), 2);
    assert.equal(await page.textContent('#svc-resubmissions'), '1');
    // The timeline tells the steps in words: the file view, the rejection, the resend.
    for (const step of ['Berkas dibuka petugas', 'Dokumen ditolak', 'Pemohon mengirim ulang dokumen'])
      assert.ok((await page.textContent('#timeline')).includes(step), step);
    // A verdict is only on what was sent: none for the skipped SPTJM.
    assert.equal(await doc('SPTJM').locator('button').count(), 0);

    await page.click('#svc-check');
    await page.waitForSelector('#case-status[data-status=checking]');
    assert.ok(await page.locator('#svc-process').isDisabled()); // a mandatory document is still pending
    await doc('Buku nikah').locator('button.svc-accept').click();
    await doc('Buku nikah').and(page.locator('[data-verdict=accepted]')).waitFor();
    await page.click('#svc-process:not([disabled])');
    await page.waitForSelector('#case-status[data-status=processing]');

    // A JPEG named .pdf is refused with the server's reason; nothing changes.
    const before = await graph.lastSeq();
    await page.setInputFiles('#svc-pdf', { name: 'akta.pdf', mimeType: 'application/pdf', buffer: files.nikah });
    await page.click('#svc-issue button[type=submit]');
    await page.locator('#svc-issue-error:not(:empty)').waitFor();
    assert.match(await page.textContent('#svc-issue-error'), /PDF/);
    assert.equal((await api.call('GET', `/api/v1/cases/${caseId}`)).json.status, 'processing');
    // So is a PDF over 3 MiB (with the server's words), and nothing changes.
    await page.setInputFiles('#svc-pdf', { name: 'besar.pdf', mimeType: 'application/pdf', buffer: pdf('besar', 3 * 1024 * 1024) });
    await page.click('#svc-issue button[type=submit]');
    await page.locator('#svc-issue-error', { hasText: 'terlalu besar' }).waitFor();
    assert.equal((await api.call('GET', `/api/v1/cases/${caseId}`)).json.status, 'processing');
    assert.equal((await graph.requests(before)).filter((r) => r.kind === 'media_upload').length, 0);

    const akta = pdf('KUTIPAN AKTA KELAHIRAN NOMOR 6311-LT-01012026-0001', 2000);
    await page.setInputFiles('#svc-pdf', { name: 'akta kelahiran "final".pdf', mimeType: 'application/pdf', buffer: akta });
    await page.click('#svc-issue button[type=submit]');
    await page.waitForSelector('#case-status[data-status=issued]');
    await page.waitForSelector('#svc-issued');

    // The fake Graph API: the media upload of exactly those bytes, then the document message.
    const up = await until(async () => (await graph.requests(before)).find((r) => r.kind === 'media_upload'), 'the media upload');
    assert.equal(up.multipart.file.sha256, createHash('sha256').update(akta).digest('hex'));
    const msg = (await graph.waitMessages(WA, before)).find((m) => m.type === 'document');
    assert.ok(msg, 'a document message');
    assert.equal(msg.document.id, up.response.id);
    assert.equal(msg.document.filename, `akta_kelahiran-${code}.pdf`);
    assert.ok(msg.document.caption.includes(code));

    // Its delivery shows on the page as it arrives.
    await page.waitForSelector('#svc-delivery[data-state=sent]');
    const sent = (await graph.requests(before)).filter((r) => r.kind === 'messages' && r.json && r.json.type === 'document').pop();
    await signed(srv, JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA1', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '6281150000003', phone_number_id: DUKCAPIL },
      statuses: [{ id: sent.response.messages[0].id, status: 'delivered', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: WA }] } }] }] }));
    await page.waitForSelector('#svc-delivery[data-delivery=delivered]', { timeout: 15000 });
    assert.match(await page.textContent('#svc-delivery'), /sampai/);
    // The issued PDF opens from the page as itself.
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#svc-issued .svc-file a').click()]);
    assert.match(dl.suggestedFilename(), /\.pdf$/);
    await page.screenshot({ path: join(ARTIFACTS, 'service-issued.png'), fullPage: true });

    // The same page in English.
    await page.click('#lang');
    await page.locator('#h-svc', { hasText: 'Service request: Birth certificate' }).waitFor();
    assert.match(await page.textContent('#svc-delivery'), /delivered to the applicant/);
    assert.ok((await page.textContent('#timeline')).includes('File opened by staff'));
    await page.click('#lang');
  });

  it('a service case recorded at the counter (no WhatsApp request) keeps the generic steps', async () => {
    const svc = (await api.call('GET', '/api/v1/services')).json.items.find((x) => x.code === 'akta_kelahiran');
    const r = await api.call('POST', '/api/v1/cases', { category_id: svc.id, description: 'Permohonan akta di loket',
      reporter: { name: 'Rina', phone: '081298765432' } });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    await page.goto(srv.url + '/#/case/' + r.json.id);
    await page.waitForSelector('#case-code');
    await page.locator('#actions button[data-action=check]:visible').waitFor();
    await page.waitForSelector('#svc', { state: 'detached' });

    // A navigation overtaken by the next one (a slow answer, two quick
    // clicks) must not land next to the new page: the request's section
    // would hide this case's steps.
    const counter = r.json;
    await page.route(new RegExp(`/api/v1/cases/${caseId}$`), async (route) => {
      await new Promise((res) => setTimeout(res, 1500));
      await route.continue().catch(() => {});
    });
    await page.evaluate((id) => { location.hash = '#/case/' + id; }, caseId);
    await page.evaluate((id) => { location.hash = '#/case/' + id; }, counter.id);
    await page.locator('#actions button[data-action=check]:visible').waitFor();
    await new Promise((res) => setTimeout(res, 2500)); // the slow one has answered
    assert.deepEqual(await page.locator('#case-code').allTextContents(), [counter.tracking_code]);
    assert.ok(await page.locator('#actions button[data-action=check]').isVisible());
    assert.equal(await page.locator('#svc').count(), 0);
    await page.unroute(new RegExp(`/api/v1/cases/${caseId}$`));
  });
});
