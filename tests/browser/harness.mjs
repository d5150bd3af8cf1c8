// The browser tests' harness: the real aduan binary on a fresh SQLite
// database with the demo, in front of the fake Graph API
// (tests/fakes/graph.py), and WhatsApp messages signed like Meta's.
import { spawn, spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = resolve(ROOT, process.env.ADUAN_BIN || 'build/asan/aduan');
export const ARTIFACTS = resolve(ROOT, process.env.ADUAN_ARTIFACTS || 'build/artifacts');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SECRET = 'browser-app-secret';
export const TOKEN = 'graph-token';
export const SATPOLPP = '100000000000001';
export const PASSWORD = 'aduan-demo';
const PYTHON = '/usr/bin/python3';
const SANITIZER = ['ERROR: AddressSanitizer', 'runtime error:', 'LeakSanitizer'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
  });
}

// A setting given as null is left out (e.g. no access token: the simulator).
function baseEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ADUAN_')) env[k] = v;
  env.ASAN_OPTIONS = 'detect_leaks=1';
  env.UBSAN_OPTIONS = 'print_stacktrace=1:halt_on_error=1';
  const all = { ...env, ...extra };
  for (const k of Object.keys(all)) if (all[k] === null) delete all[k];
  return all;
}

// The fake Graph API as a child process; its control API over HTTP.
export class FakeGraph {
  async start() {
    this.proc = spawn(PYTHON, [join(ROOT, 'tests/fakes/graph.py'), '--port', '0', '--token', TOKEN],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    this.port = await new Promise((res, rej) => {
      let buf = '';
      const timer = setTimeout(() => rej(new Error('fake graph did not start')), 10000);
      this.proc.stdout.on('data', (d) => {
        buf += d;
        const m = buf.match(/PORT=(\d+)/);
        if (m) { clearTimeout(timer); res(Number(m[1])); }
      });
      this.proc.once('exit', (c) => rej(new Error('fake graph exited ' + c)));
    });
    this.url = 'http://127.0.0.1:' + this.port;
    return this;
  }
  async control(method, path, body) {
    const r = await fetch(this.url + '/_control/' + path, {
      method, headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!r.ok) throw new Error('graph control ' + path + ' -> ' + r.status);
    return r.json();
  }
  async requests(since = 0) { return (await this.control('GET', 'requests?since=' + since)).requests; }
  async lastSeq() { const r = await this.requests(); return r.length ? r[r.length - 1].seq : 0; }
  // Messages sent to `to` after seq `since` (mark-as-read calls left out).
  async messages(to, since = 0) {
    return (await this.requests(since))
      .filter((r) => r.kind === 'messages' && r.json && String(r.json.to).replace(/\D/g, '') === to)
      .map((r) => r.json);
  }
  async waitMessages(to, since, count = 1, timeout = 15000) {
    const end = Date.now() + timeout;
    for (;;) {
      const got = await this.messages(to, since);
      if (got.length >= count) return got;
      if (Date.now() > end) throw new Error(`no message to ${to} after seq ${since} (got ${got.length})`);
      await sleep(100);
    }
  }
  async addMedia(buf, mime) {
    return this.control('POST', 'media', { mime_type: mime, data_b64: buf.toString('base64') });
  }
  stop() { if (this.proc && this.proc.exitCode === null) this.proc.kill('SIGTERM'); }
}

// `aduan serve` on a fresh database with the demo data.
export class Aduan {
  // extraEnv: settings of one test (e.g. ADUAN_2FA_REQUIRED_ROLES).
  constructor(graph, extraEnv) { this.graph = graph; this.extraEnv = extraEnv || {}; }
  env() {
    return baseEnv({
      // Two-step sign-in (issue 19) only where a test asks for it.
      ADUAN_2FA_REQUIRED_ROLES: '',
      // Webhook receivers and media servers of the tests are on loopback,
      // which the SSRF guard refuses otherwise (issue 17, core/netguard.h).
      ADUAN_FETCH_ALLOW_PRIVATE: '1',
      ADUAN_DATABASE_URL: 'sqlite:' + join(this.dir, 'aduan.db'),
      ADUAN_MEDIA_DIR: join(this.dir, 'media'),
      ADUAN_LISTEN: '127.0.0.1:' + this.port,
      ADUAN_WA_APP_SECRET: SECRET,
      ADUAN_WA_VERIFY_TOKEN: 'v',
      ADUAN_WA_GRAPH_URL: this.graph.url + '/v21.0',
      ADUAN_WA_ACCESS_TOKEN: TOKEN,
      // Tiles from this machine (the fake answers 404: the maps show their markers).
      ADUAN_MAP_TILE_URL: this.graph.url + '/tiles/{z}/{x}/{y}.png',
      ...this.extraEnv,
    });
  }
  async start() {
    this.dir = mkdtempSync(join(tmpdir(), 'aduan-browser-'));
    mkdirSync(join(this.dir, 'media'));
    this.port = await freePort();
    const init = spawnSync(BIN, ['init', '--demo'], { env: this.env(), cwd: this.dir, encoding: 'utf8' });
    if (init.status !== 0) throw new Error('aduan init failed: ' + init.stderr);
    this.errPath = join(this.dir, 'serve.stderr');
    const err = openSync(this.errPath, 'w');
    this.proc = spawn(BIN, ['serve'], { env: this.env(), cwd: this.dir, stdio: ['ignore', 'ignore', err] });
    closeSync(err);
    this.url = 'http://127.0.0.1:' + this.port;
    const end = Date.now() + 30000;
    for (;;) {
      try { if ((await fetch(this.url + '/healthz')).ok) break; } catch (_) { /* not yet */ }
      if (this.proc.exitCode !== null || Date.now() > end)
        throw new Error('aduan serve did not start: ' + readFileSync(this.errPath, 'utf8').slice(-2000));
      await sleep(100);
    }
    return this;
  }
  // Stops the server; returns the sanitizer findings of its stderr.
  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return [];
    const done = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    await Promise.race([done, sleep(20000)]);
    const text = readFileSync(this.errPath, 'utf8');
    return SANITIZER.filter((m) => text.includes(m));
  }
  // A logged-in API session (cookie + CSRF), for checks beside the browser.
  async session(login) {
    const r = await fetch(this.url + '/api/v1/auth/login', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login, password: PASSWORD }),
    });
    if (!r.ok) throw new Error('login ' + login + ' -> ' + r.status);
    const cookie = r.headers.get('set-cookie').split(';')[0];
    const me = await r.json();
    const call = async (method, path, body) => {
      const res = await fetch(this.url + path, {
        method, headers: { Cookie: cookie, 'X-CSRF-Token': me.csrf_token, 'Content-Type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, json: await res.json().catch(() => null) };
    };
    return { me, call };
  }
}

let ids = 0;
// One WhatsApp user writing to an agency number through the signed webhook.
export class Citizen {
  constructor(srv, graph, waId, name = 'Warga') { Object.assign(this, { srv, graph, waId, name }); }
  message(type, f = {}) {
    const m = { from: this.waId, id: `wamid.BROWSER${++ids}.${randomBytes(4).toString('hex')}`,
      timestamp: String(Math.floor(Date.now() / 1000)), type };
    if (type === 'text') m.text = { body: f.body };
    else if (type === 'interactive') {
      const key = f.button ? 'button_reply' : 'list_reply';
      m.interactive = { type: key, [key]: { id: f.id, title: f.title || 'x' } };
    } else if (type === 'location') m.location = { latitude: f.lat, longitude: f.lon, address: f.address };
    else m[type] = { id: f.media_id, mime_type: f.mime || 'image/jpeg', sha256: f.sha256 || '' };
    return m;
  }
  async post(msg) {
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA1', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '6281150000001', phone_number_id: SATPOLPP },
      contacts: [{ profile: { name: this.name }, wa_id: this.waId }], messages: [msg] } }] }] });
    const sig = 'sha256=' + createHmac('sha256', SECRET).update(body).digest('hex');
    const r = await fetch(this.srv.url + '/webhooks/whatsapp', {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': sig }, body,
    });
    if (r.status !== 200) throw new Error('webhook -> ' + r.status);
  }
  // Sends one message and waits for aduan's answer; returns the answers.
  async say(type, f) {
    const since = await this.graph.lastSeq();
    await this.post(this.message(type, f));
    return this.graph.waitMessages(this.waId, since);
  }
  text(body) { return this.say('text', { body }); }
  tap(id, button = false) { return this.say('interactive', { id, button }); }
}

export function textOf(m) {
  if (m.type === 'text') return m.text.body;
  if (m.type === 'interactive') return m.interactive.body.text;
  return JSON.stringify(m);
}

export function choices(m) {
  const i = m.interactive || {};
  if (i.type === 'button') return i.action.buttons.map((b) => b.reply.id);
  if (i.type === 'list') return i.action.sections.flatMap((s) => s.rows.map((r) => r.id));
  return [];
}
