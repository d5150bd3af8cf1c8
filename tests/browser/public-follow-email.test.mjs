// Issue 18: the public map and following a report by email, in real
// Chromium at 360 px. From /laporan's map a citizen opens a report, gives
// an address with the UU PDP consent on its tracking page, gets the
// confirmation mail (a small SMTP sink here, through the agency's mailbox
// settings), opens its link, presses the button, and follows the report.
// A rahasia report has no form. Screenshots in build/artifacts/:
// public-map-360.png, public-follow-email-360.png,
// public-follow-email-sent-360.png, public-follow-email-confirmed-360.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, BIN, CHROMIUM, FakeGraph } from './harness.mjs';

const ADDRESS = 'aduan.satpolpp@balangankab.go.id';
const FOLLOWER = 'warga.pengikut@example.id';
let graph, srv, browser, sink, code, secretCode;
const errors = [], mails = [];

// A minimal SMTP server that keeps each message's recipients and text.
function smtpSink() {
  const server = createServer((sock) => {
    let buf = '', data = null, rcpt = [];
    const say = (l) => sock.write(l + '\r\n');
    say('220 sink.test ESMTP');
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (data !== null) {
          if (line === '.') { mails.push({ to: rcpt, text: data.join('\n') }); data = null; say('250 OK'); } else data.push(line.startsWith('..') ? line.slice(1) : line);
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') { say('250-sink.test'); say('250 8BITMIME'); } else if (verb === 'RCPT') { rcpt.push(line.slice(8).trim()); say('250 OK'); } else if (verb === 'MAIL') { rcpt = []; say('250 OK'); } else if (verb === 'DATA') { data = []; say('354 go ahead'); } else if (verb === 'QUIT') { say('221 bye'); sock.end(); } else say('250 OK');
      }
    });
    sock.on('error', () => {});
  });
  return new Promise((res) => server.listen(0, '127.0.0.1', () => res(server)));
}

async function open() {
  const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 360, height: 780 },
    deviceScaleFactor: 2, isMobile: true });
  await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  return page;
}

describe('public map and follow by email', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    sink = await smtpSink();
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    // The agency's mailbox: SMTP to the sink; IMAP nowhere, polled hourly.
    const pw = join(srv.dir, 'mailbox-password');
    writeFileSync(pw, 'kata-sandi\n');
    const r = spawnSync(BIN, ['email', 'connect', 'satpolpp', '--imap', 'imap://127.0.0.1:9',
      '--smtp', 'smtp://127.0.0.1:' + sink.address().port, '--user', 'aduan', '--password-file', pw,
      '--from', ADDRESS, '--starttls', 'try', '--poll-seconds', '3600'],
    { env: srv.env(), cwd: srv.dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const admin = await srv.session('admin.satpolpp');
    const cats = (await admin.call('GET', '/api/v1/categories')).json.items;
    const make = async (rahasia) => (await admin.call('POST', '/api/v1/cases', {
      category_id: cats.find((k) => k.code === 'trantibum').id, channel: 'phone',
      description: 'Knalpot brong tengah malam', kecamatan_code: '63.11.06',
      lat: -2.3364, lon: 115.4669, rahasia, reporter: { name: 'Pak Jainal', phone: '0813-2222-9911' } })).json;
    code = (await make(false)).tracking_code;
    secretCode = (await make(true)).tracking_code;
  });
  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    if (sink) sink.close();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
    assert.deepEqual(errors, [], 'errors in the page');
  });

  it('from the map to the tracking page, then follow by email with a confirmation', async () => {
    const page = await open();
    await page.goto(srv.url + '/laporan?agency=satpolpp');
    await page.waitForSelector('#map:not([hidden]) .leaflet-interactive');
    await page.screenshot({ path: join(ARTIFACTS, 'public-map-360.png'), fullPage: true });
    await page.goto(srv.url + '/t/' + code);
    const form = page.locator('#follow-email');
    await form.scrollIntoViewIfNeeded();
    assert.match(await form.innerText(), /UU PDP/);
    await page.fill('#follow-address', FOLLOWER);
    await page.check('#follow-email input[name=consent]');
    await page.screenshot({ path: join(ARTIFACTS, 'public-follow-email-360.png'), fullPage: true });
    await page.click('#follow-email-send');
    await page.waitForSelector('h1:text("Periksa email Anda")');
    assert.ok(!(await page.innerText('body')).includes(FOLLOWER), 'the address is not shown');
    await page.screenshot({ path: join(ARTIFACTS, 'public-follow-email-sent-360.png'), fullPage: true });

    // The mail arrives with its link; the link's page asks for the button.
    const end = Date.now() + 30000;
    while (!mails.some((m) => m.to.includes('<' + FOLLOWER + '>')) && Date.now() < end)
      await new Promise((r) => setTimeout(r, 200));
    const mail = mails.find((m) => m.to.includes('<' + FOLLOWER + '>'));
    assert.ok(mail, 'the confirmation mail');
    const flat = mail.text.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const link = flat.match(/http:\/\/\S+\/ikuti\/konfirmasi\?t=[A-Za-z0-9_-]{43}\S*/)[0];
    await page.goto(link);
    await page.click('#confirm');
    await page.waitForSelector('h1:text("Anda mengikuti laporan ini")');
    await page.screenshot({ path: join(ARTIFACTS, 'public-follow-email-confirmed-360.png'), fullPage: true });
    // A rahasia report offers no form.
    await page.goto(srv.url + '/t/' + secretCode);
    assert.equal(await page.locator('#follow-email').count(), 0);
    await page.context().close();
  });
});
