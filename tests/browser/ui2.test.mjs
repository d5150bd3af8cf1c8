// The dashboard shows every figure (issues #5, #6, #8), in real Chromium:
// SLA badges and the attention panel in the inbox, the kecamatan filter,
// the nearest teams with their distance in the dispatch action, response
// times, merge and split, a canned reply put into the reply box, and the
// "Laporan" view (activity report, monthly PDF, CSV export).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Aduan, ARTIFACTS, CHROMIUM, Citizen, FakeGraph, PASSWORD, choices, textOf } from './harness.mjs';

const WA = '6281234599077';
const SLA_LABELS = { on_time: 'Tepat waktu', due_soon: 'Hampir jatuh tempo', overdue: 'Lewat batas' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let graph, srv, browser, admin, kabid;
let lateId, lateCode, verifiedId;
const errors = [];

async function context(opts = {}) {
  const ctx = await browser.newContext({ locale: 'id-ID', viewport: { width: 1280, height: 900 }, ...opts });
  await ctx.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (r) => r.abort());
  await ctx.addInitScript(() => { localStorage.setItem('aduan.pollMs', '700'); });
  return ctx;
}

async function login(ctx, user) {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(srv.url + '/');
  await page.fill('#login-name', user);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#top:not([hidden])');
  return page;
}

async function categoryId(s, code) {
  const j = (await s.call('GET', '/api/v1/categories')).json;
  return j.items.find((k) => k.code === code).id;
}

// A fetch from inside the page (its session cookie): status, type, head.
const fetchIn = (page, href) => page.evaluate(async (h) => {
  const r = await fetch(h, { credentials: 'same-origin' });
  const b = new Uint8Array(await r.arrayBuffer());
  return { status: r.status, type: r.headers.get('content-type'), head: new TextDecoder().decode(b.slice(0, 40)), size: b.length };
}, href);

describe('dashboard figures (ui2)', () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    graph = await new FakeGraph().start();
    srv = await new Aduan(graph).start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    admin = await srv.session('admin.satpolpp');
    kabid = await srv.session('kabid.satpolpp');
    // Verification of a "perda" case is due in 2 seconds: it is soon overdue.
    const perda = await categoryId(admin, 'perda');
    const p = await admin.call('POST', `/api/v1/categories/${perda}/sla`, { verify: { amount: 2, unit: 'seconds' } });
    assert.equal(p.status, 200, JSON.stringify(p.json));
    const c = await admin.call('POST', '/api/v1/cases', {
      category_id: perda, description: 'Warung buka melewati jam Perda di Paringin.', kecamatan_code: '63.11.06',
      lat: -2.3350, lon: 115.4660, channel: 'phone',
    });
    assert.equal(c.status, 201, JSON.stringify(c.json));
    lateId = c.json.id;
    lateCode = c.json.tracking_code;
    await sleep(2500);
  });

  after(async () => {
    if (browser) await browser.close();
    const problems = srv ? await srv.stop() : [];
    if (graph) graph.stop();
    assert.deepEqual(problems, [], 'sanitizer findings in aduan serve');
    assert.deepEqual(errors, [], 'errors in the page');
  });

  it('the inbox shows an SLA badge per case, filters by kecamatan and lists what needs attention', async () => {
    const ctx = await context();
    const page = await login(ctx, 'kabid.satpolpp');
    await page.waitForSelector('#cases tr');
    // Every badge says its state in words (Indonesian), not colour alone,
    // and agrees with the API.
    const api = (await kabid.call('GET', '/api/v1/cases?limit=50')).json.items;
    const rows = await page.$$eval('#cases tr', (trs) => trs.map((tr) => {
      const b = tr.querySelector('.sla[data-sla]');
      return { id: Number(tr.dataset.id), sla: b ? b.dataset.sla : null, text: b ? b.textContent : null };
    }));
    assert.ok(rows.some((r) => r.sla), 'no SLA badge in the inbox');
    for (const r of rows) {
      const c = api.find((x) => x.id === r.id);
      assert.equal(r.sla, c.sla_state, 'badge of case ' + r.id);
      if (r.sla) assert.ok(r.text.includes(SLA_LABELS[r.sla]), r.text);
    }
    const late = page.locator(`#cases tr[data-id="${lateId}"] .sla`);
    assert.equal(await late.getAttribute('data-sla'), 'overdue');
    assert.match(await late.textContent(), /Lewat batas/);

    // The attention panel: the supervisor's late cases, earliest first.
    const att = (await kabid.call('GET', '/api/v1/sla/attention')).json.items;
    await page.locator(`#attention-list tr[data-id="${lateId}"]`).waitFor();
    assert.deepEqual(await page.$$eval('#attention-list tr', (trs) => trs.map((tr) => Number(tr.dataset.id))),
      att.map((x) => x.id));
    assert.equal(await page.locator(`#attention-list tr[data-id="${lateId}"] .code`).textContent(), lateCode);
    await page.click('#attention .seg button[value=due_soon]');
    assert.equal(await page.locator(`#attention-list tr[data-id="${lateId}"]`).count(), 0);
    await page.click('#attention .seg button[value=overdue]');
    assert.equal(await page.locator(`#attention-list tr[data-id="${lateId}"]`).count(), 1);
    await page.screenshot({ path: join(ARTIFACTS, 'ui2-inbox.png'), fullPage: true });

    // Kecamatan filter: only Paringin's cases, and the export follows it.
    await page.selectOption('#f-kecamatan', '63.11.06');
    await page.click('#filters button[type=submit]');
    await page.waitForFunction(() => [...document.querySelectorAll('#cases tr')]
      .every((tr) => tr.querySelector('td.kec').textContent === 'Paringin'));
    const kec = (await kabid.call('GET', '/api/v1/cases?kecamatan=63.11.06')).json.items.map((c) => c.id);
    assert.deepEqual(await page.$$eval('#cases tr', (trs) => trs.map((tr) => Number(tr.dataset.id))), kec);
    const href = await page.getAttribute('#export-csv', 'href');
    assert.match(href, /^\/api\/v1\/cases\/export\.csv\?kecamatan=63\.11\.06$/);
    const csv = await fetchIn(page, href);
    assert.equal(csv.status, 200);
    assert.match(csv.type, /^text\/csv/);
    await ctx.close();
  });

  it('a field officer sees no attention panel and no reports', async () => {
    const ctx = await context({ viewport: { width: 360, height: 740 }, isMobile: true });
    const page = await login(ctx, 'trc.satpolpp');
    await page.waitForSelector('#tasks');
    assert.equal(await page.locator('#nav a[href="#/reports"]').count(), 0);
    const r = await (await srv.session('trc.satpolpp')).call('GET', '/api/v1/reports/activity?agency=1');
    assert.equal(r.status, 403);
    await ctx.close();
  });

  it('the supervisor dispatches to the nearest team, by distance, and sees the deadline', async () => {
    // A seeded case of Paringin with a location, verified.
    const seeded = (await kabid.call('GET', '/api/v1/cases?kecamatan=63.11.06&status=received')).json.items
      .filter((c) => c.location && c.id !== lateId);
    verifiedId = seeded[0].id;
    const v = await kabid.call('POST', `/api/v1/cases/${verifiedId}/transitions`, { action: 'verify', note: 'benar' });
    assert.equal(v.status, 200, JSON.stringify(v.json));
    const sugg = (await kabid.call('GET', `/api/v1/cases/${verifiedId}/dispatch-suggestions`)).json.items;
    assert.ok(sugg.length >= 2 && sugg.every((x) => x.distance_m != null));

    const ctx = await context();
    const page = await login(ctx, 'kabid.satpolpp');
    await page.goto(srv.url + '/#/case/' + verifiedId);
    await page.waitForSelector('#case-sla');
    // The deadline of the current step (dispatch), with its state in words.
    const c = (await kabid.call('GET', `/api/v1/cases/${verifiedId}`)).json;
    assert.equal(c.sla.stage, 'dispatch');
    assert.equal(await page.getAttribute('#case-sla', 'data-sla'), c.sla_state);
    assert.match(await page.textContent('#case-sla'), /Disposisi: jatuh tempo/);

    await page.click('#actions button[data-action=dispatch]');
    const form = page.locator('form.action-form[data-action=dispatch]');
    await form.locator('#suggestions').waitFor();
    // The options in the server's order (on duty first, nearest first), each with its distance.
    const opts = await form.locator('select[name=team_id] option').evaluateAll((os) =>
      os.map((o) => ({ id: Number(o.value), text: o.textContent, d: o.dataset.distance })));
    assert.deepEqual(opts.map((o) => o.id), sugg.map((x) => x.team_id));
    for (const [i, o] of opts.entries()) {
      assert.equal(Number(o.d), sugg[i].distance_m);
      assert.match(o.text, /^.+ · \d+(,\d)? k?m · /);
    }
    assert.match(await form.locator('#suggestions tbody tr').first().textContent(), /TRC Pos Paringin.*\d+(,\d)? k?m/);
    await page.screenshot({ path: join(ARTIFACTS, 'ui2-dispatch.png'), fullPage: true });
    const nearest = sugg[0];
    await form.locator('select[name=team_id]').selectOption(String(nearest.team_id));
    await form.locator('button[type=submit]').click();
    await page.waitForSelector('#case-status[data-status=dispatched]');
    assert.equal(await page.textContent('#case-team'), nearest.team_name);
    // The response times: reported, then not yet accepted nor on site.
    assert.equal(await page.locator('#response-times li[data-step=t_reported].done').count(), 1);
    assert.match(await page.textContent('#response-times li[data-step=t_on_site]'), /belum/);
    await ctx.close();
  });

  it('the response time to the site shows once the team starts', async () => {
    const trc = await srv.session('trc.satpolpp');
    const s = await trc.call('POST', `/api/v1/cases/${verifiedId}/transitions`, { action: 'start' });
    assert.equal(s.status, 200, JSON.stringify(s.json));
    const d = (await kabid.call('GET', `/api/v1/cases/${verifiedId}`)).json.dispatch;
    assert.ok(d.on_site_at && d.response_seconds.to_on_site > 0);
    const ctx = await context();
    const page = await login(ctx, 'pimpinan.satpolpp');
    await page.goto(srv.url + '/#/case/' + verifiedId);
    const onSite = page.locator('#response-times li[data-step=t_on_site]');
    await onSite.waitFor();
    assert.equal(Number(await onSite.locator('.after').getAttribute('data-seconds')), d.response_seconds.to_on_site);
    assert.match(await onSite.textContent(), /\(\+\d+ (hari|jam|menit)/);
    // The leadership reads, but neither merges nor splits.
    assert.equal(await page.locator('#merge-form, #split').count(), 0);
    await ctx.close();
  });

  it('the desk merges a case into a master and splits it again', async () => {
    const ctx = await context();
    const page = await login(ctx, 'kabid.satpolpp');
    await page.goto(srv.url + '/#/case/' + lateId);
    await page.waitForSelector('#merge-form');
    assert.equal(await page.getAttribute('#followers', 'data-n'), '0');
    // Bad input: a case that does not exist; nothing changes.
    await page.fill('#merge-master', '999999');
    await page.click('#merge-form button[type=submit]');
    await page.locator('#dispatch .error').filter({ hasText: /\S/ }).waitFor();
    assert.equal((await kabid.call('GET', `/api/v1/cases/${lateId}`)).json.dispatch.follows, null);

    await page.fill('#merge-master', String(verifiedId));
    await page.fill('#merge-note', 'Lokasi dan kejadian sama.');
    await page.click('#merge-form button[type=submit]');
    await page.waitForSelector('#follows a.code');
    const master = (await kabid.call('GET', `/api/v1/cases/${verifiedId}`)).json;
    await page.waitForFunction((code) => document.querySelector('#follows a.code').textContent === code, master.tracking_code);
    assert.equal((await kabid.call('GET', `/api/v1/cases/${lateId}`)).json.dispatch.follows, verifiedId);
    assert.equal(master.dispatch.followers, 1);
    // The timeline names the internal event in words.
    await page.locator('#timeline li', { hasText: 'Digabungkan ke kasus induk' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'ui2-merged.png'), fullPage: true });
    // The master shows its follower.
    await page.goto(srv.url + '/#/case/' + verifiedId);
    await page.waitForSelector('#followers[data-n="1"]');
    assert.match(await page.textContent('#followers'), /1 laporan lain mengikuti/);

    await page.goto(srv.url + '/#/case/' + lateId);
    await page.click('#split');
    await page.waitForSelector('#merge-form');
    assert.equal(await page.locator('#follows').count(), 0);
    assert.equal((await kabid.call('GET', `/api/v1/cases/${lateId}`)).json.dispatch.follows, null);
    await ctx.close();
  });

  it('a canned reply goes into the reply box and out to the citizen', async () => {
    const body = 'Terima kasih, laporan Anda sudah kami terima dan sedang kami periksa.';
    const r = await admin.call('POST', '/api/v1/canned-replies', { title: 'Terima kasih', body, lang: 'id' });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    // A WhatsApp report, so the reply box is there.
    const citizen = new Citizen(srv, graph, WA, 'Sari');
    assert.ok(choices((await citizen.text('halo'))[0]).includes('menu:report'));
    await citizen.tap('menu:report');
    const cats = (await citizen.tap('consent:yes', true))[0];
    await citizen.tap(choices(cats).filter((c) => c.startsWith('cat:'))[0]);
    await citizen.text('Keributan tiap malam di depan pasar Paringin.');
    await citizen.say('location', { lat: -2.3361, lon: 115.4668, address: 'Pasar Paringin' });
    await citizen.tap('photos:next', true);
    const done = textOf((await citizen.tap('confirm:send', true))[0]);
    const code = done.match(/\*([0-9A-Z]{4}-[0-9A-Z]{4})\*/)[1];
    const id = (await admin.call('GET', '/api/v1/cases?limit=5')).json.items.find((c) => c.tracking_code === code).id;

    const ctx = await context();
    const page = await login(ctx, 'admin.satpolpp');
    await page.goto(srv.url + '/#/case/' + id);
    await page.waitForSelector('#canned-select');
    await page.fill('#reply-text', 'Halo Ibu Sari. ');
    await page.selectOption('#canned-select', { label: 'Terima kasih' });
    await page.click('#canned-insert');
    assert.equal(await page.inputValue('#reply-text'), 'Halo Ibu Sari. ' + body);
    await page.screenshot({ path: join(ARTIFACTS, 'ui2-canned.png'), fullPage: true });
    const since = await graph.lastSeq();
    await page.click('#reply button[type=submit]');
    const sent = await graph.waitMessages(WA, since, 1, 20000);
    assert.equal(sent[0].text.body, 'Halo Ibu Sari. ' + body);
    await ctx.close();
  });

  it('the reports view: activity table, CSV, the monthly PDF and the export', async () => {
    const ctx = await context();
    const page = await login(ctx, 'pimpinan.satpolpp');
    await page.click('#nav a[href="#/reports"]');
    await page.waitForSelector('#activity-officers');
    // The period's dates are the agency's (WITA), whatever the browser's zone.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Makassar' }).format(new Date());
    assert.equal(await page.inputValue('#a-to'), today);
    const j = (await kabid.call('GET', '/api/v1/reports/activity?agency=1&from=' +
      await page.inputValue('#a-from') + '&to=' + today)).json;
    // The supervisor verified and dispatched: a row with their figures.
    const me = j.officers.find((o) => o.name === 'Kepala Bidang Trantibum');
    assert.ok(me && me.actions >= 2);
    const row = page.locator(`#activity-officers tr[data-id="${me.user_id}"]`);
    assert.equal(await row.locator('th').textContent(), me.name);
    assert.equal(await row.locator('td').nth(1).textContent(), String(me.actions));
    assert.equal(await page.locator('#activity-teams tbody tr').count(), j.teams.length);
    const csv = await fetchIn(page, await page.getAttribute('#activity-csv', 'href'));
    assert.equal(csv.status, 200);
    assert.match(csv.type, /^text\/csv/);

    const pdfHref = await page.getAttribute('#monthly-pdf', 'href');
    assert.match(pdfHref, /^\/api\/v1\/reports\/monthly\.pdf\?agency=1&month=\d{4}-\d{2}$/);
    const pdf = await fetchIn(page, pdfHref);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.type, 'application/pdf');
    assert.ok(pdf.head.startsWith('%PDF-') && pdf.size > 1000);
    // Another month: the link follows the field.
    await page.fill('#m-month', '2026-10');
    assert.match(await page.getAttribute('#monthly-pdf', 'href'), /month=2026-10$/);
    assert.equal((await fetchIn(page, await page.getAttribute('#monthly-pdf', 'href'))).type, 'application/pdf');

    const exp = await fetchIn(page, await page.getAttribute('#report-export-csv', 'href'));
    assert.equal(exp.status, 200);
    assert.match(exp.type, /^text\/csv/);
    await page.screenshot({ path: join(ARTIFACTS, 'ui2-reports.png'), fullPage: true });

    // English on request.
    await page.click('#lang');
    await page.waitForSelector('#activity-officers');
    assert.match(await page.textContent('#view h1'), /Performance reports/);
    await ctx.close();
  });
});
