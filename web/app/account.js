// The account page (issue 19 §3): two-step verification (TOTP) with its QR
// code and recovery codes, one's sessions with "keluar dari semua
// perangkat", and the password, whose change ends the other sessions.
// Texts Indonesian first, English second. Every value from the server is
// inserted as text; the QR code is the server's own SVG, parsed as SVG.
import { get, post } from './api.js';
import { getLang } from './i18n.js';
import { el, when } from './util.js';

const T = {
  id: {
    title: 'Akun saya',
    tfa: 'Verifikasi dua langkah',
    tfa_on: 'Aktif: saat masuk, selain kata sandi diminta kode 6 angka dari aplikasi autentikator.',
    tfa_off: 'Belum aktif.',
    tfa_required: 'Peran Anda wajib memakai verifikasi dua langkah. Aktifkan sekarang untuk melanjutkan ke dasbor.',
    tfa_optional: 'Tidak wajib untuk peran Anda, tetapi sangat dianjurkan.',
    setup: 'Aktifkan verifikasi dua langkah',
    scan: 'Pindai kode QR ini dengan aplikasi autentikator (Google Authenticator, Microsoft Authenticator, Aegis, FreeOTP, …), atau ketik kuncinya:',
    code: 'Kode 6 angka dari aplikasi',
    confirm: 'Konfirmasi',
    recovery_title: 'Kode pemulihan',
    recovery_help: 'Simpan kode-kode ini di tempat aman. Masing-masing dapat dipakai sekali untuk masuk jika ponsel hilang. Kode ini tidak akan ditampilkan lagi.',
    recovery_left: (n) => `${n} kode pemulihan tersisa.`,
    continue: 'Lanjut ke dasbor',
    disable: 'Matikan verifikasi dua langkah',
    disabled_ok: 'Verifikasi dua langkah dimatikan.',
    enabled_ok: 'Verifikasi dua langkah aktif.',
    sessions: 'Perangkat yang sedang masuk',
    this_device: 'perangkat ini',
    since: 'masuk',
    until: 'berakhir',
    factor: { password: 'kata sandi', totp: 'kata sandi + kode', recovery: 'kode pemulihan' },
    end: 'Keluarkan',
    end_others: 'Keluar dari semua perangkat lain',
    end_all: 'Keluar dari semua perangkat',
    ended: (n) => `${n} sesi diakhiri.`,
    password: 'Ganti kata sandi',
    current_pw: 'Kata sandi saat ini',
    new_pw: 'Kata sandi baru (8–256 karakter)',
    change: 'Ganti kata sandi',
    pw_ok: 'Kata sandi diganti. Sesi di perangkat lain telah diakhiri.',
    unknown_device: 'peramban tidak dikenal',
  },
  en: {
    title: 'My account',
    tfa: 'Two-step verification',
    tfa_on: 'On: signing in asks, besides the password, a 6-digit code of an authenticator app.',
    tfa_off: 'Not set up.',
    tfa_required: 'Your role must use two-step verification. Set it up now to continue to the dashboard.',
    tfa_optional: 'Not required for your role, but strongly advised.',
    setup: 'Set up two-step verification',
    scan: 'Scan this QR code with an authenticator app (Google Authenticator, Microsoft Authenticator, Aegis, FreeOTP, …), or type its key:',
    code: '6-digit code of the app',
    confirm: 'Confirm',
    recovery_title: 'Recovery codes',
    recovery_help: 'Keep these codes somewhere safe. Each signs you in once if your phone is lost. They will not be shown again.',
    recovery_left: (n) => `${n} recovery codes left.`,
    continue: 'Continue to the dashboard',
    disable: 'Turn two-step verification off',
    disabled_ok: 'Two-step verification is off.',
    enabled_ok: 'Two-step verification is on.',
    sessions: 'Devices signed in',
    this_device: 'this device',
    since: 'signed in',
    until: 'ends',
    factor: { password: 'password', totp: 'password + code', recovery: 'recovery code' },
    end: 'Sign out',
    end_others: 'Sign out of every other device',
    end_all: 'Sign out of every device',
    ended: (n) => `${n} sessions ended.`,
    password: 'Change password',
    current_pw: 'Current password',
    new_pw: 'New password (8–256 characters)',
    change: 'Change password',
    pw_ok: 'Password changed. The sessions on other devices have ended.',
    unknown_device: 'unknown browser',
  },
};

const tt = () => T[getLang()] || T.id;

// The server's QR SVG as an element (parsed as SVG, never as HTML).
function qrNode(svg) {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  const node = document.importNode(doc.documentElement, true);
  node.setAttribute('width', '200');
  node.setAttribute('height', '200');
  node.setAttribute('role', 'img');
  node.setAttribute('aria-label', 'QR');
  return node;
}

function msg(box, text, ok) {
  box.textContent = text || '';
  box.className = ok ? 'ok-msg' : 'error';
}

async function twoFactor(card, onEnrolled) {
  const t = tt();
  const st = await get('/api/v1/me/2fa');
  const out = el('p', { class: 'error', role: 'alert', id: 'tfa-msg' });
  card.replaceChildren(el('h2', {}, t.tfa),
    el('p', { id: 'tfa-state' }, st.enabled ? t.tfa_on : t.tfa_off),
    el('p', { class: 'muted' }, st.required ? (st.enabled ? '' : t.tfa_required) : t.tfa_optional));
  if (st.enabled) {
    card.append(el('p', { class: 'muted', id: 'tfa-left' }, t.recovery_left(st.recovery_codes_left)));
    if (!st.required) {
      const form = el('form', { id: 'tfa-disable', novalidate: true },
        el('label', { for: 'tfa-disable-code' }, t.code),
        el('input', { id: 'tfa-disable-code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6' }),
        el('button', { type: 'submit' }, t.disable));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        try {
          await post('/api/v1/me/2fa/disable', { code: form.elements[0].value.trim() });
          await twoFactor(card, onEnrolled);
          msg(card.querySelector('#tfa-msg') || out, t.disabled_ok, true);
        } catch (e) { msg(out, e.message); }
      });
      card.append(form);
    }
    card.append(out);
    return;
  }
  const start = el('button', { type: 'button', class: 'primary', id: 'tfa-setup' }, t.setup);
  card.append(start, out);
  start.addEventListener('click', async () => {
    let s;
    try { s = await post('/api/v1/me/2fa/setup', {}); } catch (e) { msg(out, e.message); return; }
    const form = el('form', { id: 'tfa-confirm', novalidate: true },
      el('label', { for: 'tfa-code' }, t.code),
      el('input', { id: 'tfa-code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6', required: true }),
      el('button', { type: 'submit', class: 'primary' }, t.confirm));
    start.replaceWith(el('div', { class: 'tfa-setup' },
      el('p', {}, t.scan), el('div', { class: 'qr', id: 'tfa-qr' }, qrNode(s.qr_svg)),
      el('p', {}, el('code', { id: 'tfa-secret' }, s.secret.replace(/(.{4})/g, '$1 ').trim())), form));
    form.elements[0].focus();
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      let r;
      try { r = await post('/api/v1/me/2fa/confirm', { code: form.elements[0].value.trim() }); } catch (e) { msg(out, e.message); return; }
      const list = el('ul', { class: 'recovery', id: 'tfa-recovery' }, r.recovery_codes.map((c) => el('li', {}, el('code', {}, c))));
      card.replaceChildren(el('h2', {}, t.tfa), el('p', { class: 'ok-msg', role: 'status' }, t.enabled_ok),
        el('h3', {}, t.recovery_title), el('p', {}, t.recovery_help), list,
        el('button', { type: 'button', class: 'primary', id: 'tfa-continue', onclick: onEnrolled }, t.continue));
    });
  });
}

async function sessions(card, onSignedOut) {
  const t = tt();
  const lang = getLang();
  const out = el('p', { class: 'error', role: 'alert' });
  const { items } = await get('/api/v1/me/sessions');
  const act = async (path, body) => {
    try {
      const r = await post(path, body);
      if (r.signed_out) { onSignedOut(); return; }
      await sessions(card, onSignedOut);
      msg(card.querySelector('[role=alert]'), t.ended(r.ended), true);
    } catch (e) { msg(out, e.message); }
  };
  const list = el('ul', { class: 'sessions', id: 'sessions' }, items.map((s) => el('li', { 'data-current': s.current ? 'yes' : 'no' },
    el('strong', {}, s.user_agent ? s.user_agent.slice(0, 80) : t.unknown_device),
    s.current ? el('span', { class: 'badge' }, ' (' + t.this_device + ')') : null,
    el('br'),
    el('span', { class: 'muted' }, `${s.client || '?'} · ${t.since} ${when(s.created_at, lang)} · ${t.until} ${when(s.expires_at, lang)} · ${t.factor[s.factor] || s.factor || ''}`),
    ' ', s.current ? null : el('button', { type: 'button', class: 'link', onclick: () => act('/api/v1/me/sessions/end', { id: s.id }) }, t.end))));
  card.replaceChildren(el('h2', {}, t.sessions), list,
    el('p', {},
      el('button', { type: 'button', id: 'end-others', onclick: () => act('/api/v1/me/sessions/end-all', { keep_current: true }) }, t.end_others), ' ',
      el('button', { type: 'button', id: 'end-all', class: 'danger', onclick: () => act('/api/v1/me/sessions/end-all', { keep_current: false }) }, t.end_all)),
    out);
}

function password(card, refresh) {
  const t = tt();
  const out = el('p', { class: 'error', role: 'alert' });
  const form = el('form', { id: 'pw-form', novalidate: true },
    el('label', { for: 'pw-current' }, t.current_pw),
    el('input', { id: 'pw-current', type: 'password', autocomplete: 'current-password', required: true }),
    el('label', { for: 'pw-new' }, t.new_pw),
    el('input', { id: 'pw-new', type: 'password', autocomplete: 'new-password', minlength: '8', required: true }),
    el('button', { type: 'submit' }, t.change));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await post('/api/v1/me/password', { current_password: form.elements[0].value, new_password: form.elements[1].value });
      form.reset();
      await refresh();
      msg(out, t.pw_ok, true);
    } catch (e) { msg(out, e.message); }
  });
  card.replaceChildren(el('h2', {}, t.password), form, out);
}

// The page; me: GET /api/v1/me. onEnrolled: after a forced enrolment;
// onSignedOut: when this session ended.
export async function accountView(root, me, onEnrolled, onSignedOut) {
  const t = tt();
  const tfa = el('section', { class: 'card', id: 'account-2fa' });
  const sess = el('section', { class: 'card', id: 'account-sessions' });
  const pw = el('section', { class: 'card', id: 'account-password' });
  root.append(el('h1', {}, t.title), tfa);
  await twoFactor(tfa, onEnrolled);
  if (me.two_factor && me.two_factor.must_enrol) return null; // the enrolment first
  root.append(sess, pw);
  await sessions(sess, onSignedOut);
  password(pw, () => sessions(sess, onSignedOut));
  return null;
}
