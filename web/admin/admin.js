// The admin pages: staff accounts and roles, categories, canned replies, teams,
// WhatsApp numbers, message texts, working hours, holidays, SLA, duty, groups.
// Every value from the server is inserted as text, never as HTML.
import { showLoginAttacks } from './security.js';
import { showAudit } from './audit.js';
import { showWebhooks } from './webhooks.js';
import { showOpen311 } from './open311.js';

const T = {
  id: {
    title: 'Administrasi', agency: 'Instansi', logout: 'Keluar', loginTitle: 'Masuk',
    login: 'Nama pengguna', password: 'Kata sandi', loginButton: 'Masuk', users: 'Pengguna',
    categories: 'Kategori', canned: 'Balasan cepat', usersCaption: 'Pengguna instansi ini',
    cPlaceholders: 'Bisa memakai {nama} (nama pelapor), {kode} (kode laporan) dan {tim} (tim yang menangani): diisi otomatis saat balasan disisipkan.',
    name: 'Nama', role: 'Peran', wa: 'WhatsApp petugas', state: 'Status', actions: 'Tindakan',
    addUser: 'Tambah pengguna', initialPassword: 'Kata sandi awal', add: 'Tambah',
    categoriesCaption: 'Kategori laporan dan layanan', code: 'Kode', nameId: 'Nama (Indonesia)',
    nameEn: 'Nama (Inggris)', kind: 'Jenis', sla: 'SLA (jam)', active: 'Aktif',
    addCategory: 'Tambah kategori', addCanned: 'Tambah balasan cepat', editCanned: 'Ubah balasan cepat',
    cTitle: 'Judul', cBody: 'Isi pesan', cLang: 'Bahasa', save: 'Simpan', cancel: 'Batal',
    enabled: 'Aktif', disabledState: 'Nonaktif', disable: 'Nonaktifkan', enable: 'Aktifkan',
    setWa: 'Simpan nomor', edit: 'Ubah', del: 'Hapus', yes: 'ya', no: 'tidak',
    audit: 'Log audit', webhooks: 'Webhook', loginCode: 'Kode verifikasi (atau kode pemulihan)',
    mustEnrol: 'Peran Anda wajib memakai verifikasi dua langkah: aktifkan dulu di halaman akun dasbor (/app/#/account).',
    needLogin: 'Silakan masuk dengan akun admin.', notAdmin: 'Akun ini bukan admin instansi mana pun.',
    saved: 'Tersimpan.', deleted: 'Dihapus.', loading: 'Memuat…', none: 'Belum ada.',
    confirmDelete: (x) => `Hapus balasan cepat "${x}"?`,
    teams: 'Tim', numbers: 'Nomor WhatsApp', teamsCaption: 'Tim lapangan', base: 'Lokasi pos',
    membersCount: 'Anggota', addTeam: 'Tambah tim', editTeam: 'Ubah tim', lat: 'Lintang', lon: 'Bujur',
    mapHelp: 'Klik peta untuk memilih lokasi pos.', members: 'Anggota tim', addMember: 'Tambah anggota',
    remove: 'Keluarkan', addNumber: 'Daftarkan nomor WhatsApp', numberId: 'Phone number ID dari Meta',
    numberDisplay: 'Nomor yang tampil', noBase: 'belum ditentukan', noMap: 'Peta tidak tersedia; isi lintang dan bujur.',
    roles: { superadmin: 'superadmin', admin: 'admin', supervisor: 'kepala bidang', field: 'petugas lapangan', viewer: 'pimpinan (lihat saja)' },
    kinds: { complaint: 'pengaduan', service: 'layanan', emergency: 'darurat' },
    langs: { id: 'Bahasa Indonesia', en: 'Inggris' },
  },
  en: {
    title: 'Administration', agency: 'Agency', logout: 'Log out', loginTitle: 'Log in',
    login: 'Login', password: 'Password', loginButton: 'Log in', users: 'Users',
    categories: 'Categories', canned: 'Canned replies', usersCaption: "This agency's users",
    cPlaceholders: "You may use {nama} (the reporter's name), {kode} (the tracking code) and {tim} (the team on the case): filled in when the reply is inserted.",
    name: 'Name', role: 'Role', wa: "Officer's WhatsApp", state: 'State', actions: 'Actions',
    addUser: 'Add a user', initialPassword: 'Initial password', add: 'Add',
    categoriesCaption: 'Categories of reports and services', code: 'Code', nameId: 'Name (Indonesian)',
    nameEn: 'Name (English)', kind: 'Kind', sla: 'SLA (hours)', active: 'Active',
    addCategory: 'Add a category', addCanned: 'Add a canned reply', editCanned: 'Edit the canned reply',
    cTitle: 'Title', cBody: 'Message', cLang: 'Language', save: 'Save', cancel: 'Cancel',
    enabled: 'Active', disabledState: 'Disabled', disable: 'Disable', enable: 'Enable',
    setWa: 'Save number', edit: 'Edit', del: 'Delete', yes: 'yes', no: 'no',
    audit: 'Audit log', webhooks: 'Webhooks', loginCode: 'Verification code (or a recovery code)',
    mustEnrol: "Your role must use two-step verification: set it up first on the dashboard's account page (/app/#/account).",
    needLogin: 'Please log in with an admin account.', notAdmin: 'This account is no agency admin.',
    saved: 'Saved.', deleted: 'Deleted.', loading: 'Loading…', none: 'None yet.',
    confirmDelete: (x) => `Delete the canned reply "${x}"?`,
    teams: 'Teams', numbers: 'WhatsApp numbers', teamsCaption: 'Field teams', base: 'Base',
    membersCount: 'Members', addTeam: 'Add a team', editTeam: 'Edit the team', lat: 'Latitude', lon: 'Longitude',
    mapHelp: "Click the map to pick the team's base.", members: 'Team members', addMember: 'Add a member',
    remove: 'Remove', addNumber: 'Register a WhatsApp number', numberId: "Meta's phone number ID",
    numberDisplay: 'Number shown', noBase: 'not set', noMap: 'The map is unavailable; enter latitude and longitude.',
    roles: { superadmin: 'superadmin', admin: 'admin', supervisor: 'supervisor', field: 'field officer', viewer: 'viewer (read only)' },
    kinds: { complaint: 'complaint', service: 'service', emergency: 'emergency' },
    langs: { id: 'Indonesian', en: 'English' },
  },
};

// The tabs of issue #5/#6: message texts, working hours and SLA, duty, groups.
Object.assign(T.id, {
  texts: 'Teks pesan', calendar: 'Jam kerja & SLA', duty: 'Jadwal piket', groups: 'Kelompok pelapor',
  textsHelp: 'Teks yang dibaca warga di WhatsApp, per langkah percakapan. Tanda {kurung kurawal} diisi otomatis (misalnya kode laporan): teks pengganti harus memuat tanda yang sama dengan teks bawaan. Tekan "Kembalikan ke bawaan" untuk memakai teks bawaan lagi.',
  textsReadonly: 'Hanya superadmin yang dapat mengubah teks ini (berlaku untuk semua instansi).',
  filter: 'Cari', defaultText: 'Teks bawaan', customText: 'Teks pengganti', custom: 'diubah', reset: 'Kembalikan ke bawaan',
  mustKeep: 'Wajib memuat:', noPlaceholders: 'Tanpa tanda {…}.', phMissing: 'Belum dimuat:', phUnknown: 'Tidak dikenal:',
  notInUse: 'Tidak dipakai: teks pengganti ini tidak memuat tanda {…} yang sama dengan teks bawaan, sehingga warga menerima teks bawaan.',
  langId: 'Indonesia', langEn: 'Inggris',
  hoursTitle: 'Jam kerja', alwaysOpen: 'Buka 24 jam setiap hari', day: 'Hari', open: 'Buka', from: 'Mulai', until: 'Selesai',
  srcDefault: 'Memakai jam kerja bawaan (Perpres 21/2023).', srcAgency: 'Jam kerja khusus instansi ini.', tz: 'Zona waktu',
  holidaysTitle: 'Hari libur', date: 'Tanggal', scope: 'Berlaku', addHoliday: 'Tambah hari libur',
  forAll: 'Untuk semua instansi (libur nasional)', scopeNational: 'nasional', scopeAgency: 'instansi ini',
  hkinds: { local: 'libur daerah', cuti_bersama: 'cuti bersama', national: 'libur nasional' },
  confirmHoliday: (d) => `Hapus hari libur ${d}?`,
  policyTitle: 'Batas waktu (SLA) per kategori', category: 'Kategori', step: 'Tahap', amount: 'Jumlah', unit: 'Satuan',
  capDays: 'Batas maksimal (hari, 0 = tanpa batas)', soonPct: 'Peringatan "segera jatuh tempo" (% waktu)',
  polDefault: 'Memakai batas waktu bawaan.', polCategory: 'Batas waktu khusus kategori ini.',
  steps: { verify: 'Verifikasi', dispatch: 'Penugasan tim', action: 'Tindakan lapangan pertama', resolve: 'Penyelesaian', autoclose: 'Tutup otomatis setelah selesai' },
  units: { minutes: 'menit', hours: 'jam', days: 'hari', work_minutes: 'menit kerja', work_hours: 'jam kerja', work_days: 'hari kerja', seconds: 'detik' },
  dutyCaption: 'Jadwal piket anggota tim', team: 'Tim', officer: 'Petugas', when: 'Waktu', nowOnDuty: 'Piket sekarang',
  addShift: 'Tambah jadwal piket', shiftType: 'Jenis jadwal', weekly: 'Mingguan', dated: 'Tanggal tertentu',
  dutyHelp: 'Selesai sebelum mulai berarti piket melewati tengah malam. Waktu setempat instansi.',
  noMembers: 'Tim ini belum punya anggota (tambahkan di tab Tim).',
  weekdays: ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'],
  confirmShift: (x) => `Hapus jadwal piket ${x}?`,
  groupsCaption: 'Kelompok pelapor komunitas', skipVerify: 'Tanpa verifikasi', reports: 'Laporan (terbuka/selesai/total)',
  addGroup: 'Tambah kelompok', skipVerifyLong: 'Laporan anggota langsung terverifikasi', groupMembers: 'Anggota kelompok',
  group: 'Kelompok', phone: 'Nomor WhatsApp', nameOptional: 'Nama (boleh kosong)',
  noGroups: 'Belum ada kelompok.', denied: (st, m) => `Akses ditolak (HTTP ${st}): ${m}`,
});
Object.assign(T.en, {
  texts: 'Message texts', calendar: 'Working hours & SLA', duty: 'Duty roster', groups: 'Reporter groups',
  textsHelp: 'The texts citizens read on WhatsApp, by step of the conversation. {Placeholders} are filled in automatically (e.g. the tracking code): a custom text must have the same ones as the built-in text. "Back to the built-in text" uses the built-in text again.',
  textsReadonly: 'Only the superadmin may change these texts (they apply to every agency).',
  filter: 'Search', defaultText: 'Built-in text', customText: 'Custom text', custom: 'changed', reset: 'Back to the built-in text',
  mustKeep: 'Must keep:', noPlaceholders: 'No {…} placeholders.', phMissing: 'Missing:', phUnknown: 'Unknown:',
  notInUse: 'Not in use: this custom text does not have the same {…} placeholders as the built-in text, so citizens get the built-in text.',
  langId: 'Indonesian', langEn: 'English',
  hoursTitle: 'Working hours', alwaysOpen: 'Open 24 hours every day', day: 'Day', open: 'Open', from: 'From', until: 'Until',
  srcDefault: 'Using the default hours (Perpres 21/2023).', srcAgency: "This agency's own hours.", tz: 'Time zone',
  holidaysTitle: 'Holidays', date: 'Date', scope: 'Applies to', addHoliday: 'Add a holiday',
  forAll: 'For every agency (national holiday)', scopeNational: 'national', scopeAgency: 'this agency',
  hkinds: { local: 'local holiday', cuti_bersama: 'collective leave', national: 'national holiday' },
  confirmHoliday: (d) => `Delete the holiday on ${d}?`,
  policyTitle: 'Time limits (SLA) per category', category: 'Category', step: 'Step', amount: 'Amount', unit: 'Unit',
  capDays: 'Hard cap (days, 0 = none)', soonPct: '"Due soon" warning (% of the time)',
  polDefault: 'Using the default time limits.', polCategory: "This category's own time limits.",
  steps: { verify: 'Verification', dispatch: 'Dispatch to a team', action: 'First field action', resolve: 'Resolution', autoclose: 'Auto-close after resolution' },
  units: { minutes: 'minutes', hours: 'hours', days: 'days', work_minutes: 'working minutes', work_hours: 'working hours', work_days: 'working days', seconds: 'seconds' },
  dutyCaption: "Team members' duty roster", team: 'Team', officer: 'Officer', when: 'When', nowOnDuty: 'On duty now',
  addShift: 'Add a shift', shiftType: 'Kind of shift', weekly: 'Weekly', dated: 'Dated',
  dutyHelp: "An end before the start runs past midnight. The agency's local time.",
  noMembers: 'This team has no members yet (add them in the Teams tab).',
  weekdays: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  confirmShift: (x) => `Delete the shift ${x}?`,
  groupsCaption: 'Community reporter groups', skipVerify: 'No verification', reports: 'Reports (open/resolved/total)',
  addGroup: 'Add a group', skipVerifyLong: "Members' reports start verified", groupMembers: 'Group members',
  group: 'Group', phone: 'WhatsApp number', nameOptional: 'Name (optional)',
  noGroups: 'No groups yet.', denied: (st, m) => `Access denied (HTTP ${st}): ${m}`,
});

let lang = localStorage.getItem('aduan-admin:lang') === 'en' ? 'en' : 'id';
const t = (k, ...a) => { const v = T[lang][k] ?? T.id[k] ?? k; return typeof v === 'function' ? v(...a) : v; };
const $ = (id) => document.getElementById(id);
let csrf = null;
let me = null;
let agencyId = null;

function el(tag, props = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'text') e.textContent = v;
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else if (k in e && typeof v !== 'string') e[k] = v;
    else e.setAttribute(k, v);
  }
  for (const c of kids) if (c) e.append(c);
  return e;
}

function say(msg, bad = false) {
  const s = $('status');
  s.textContent = msg || '';
  s.classList.toggle('bad', bad);
}

async function api(method, path, body) {
  const h = { 'Accept-Language': lang };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) h['X-CSRF-Token'] = csrf;
  const r = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  let j = null;
  try { j = await r.json(); } catch { j = null; }
  if (!r.ok) {
    const e = j?.error;
    const err = new Error(e ? (e.detail ? `${e.message}: ${e.detail}` : e.message) : `HTTP ${r.status}`);
    err.status = r.status;
    err.code = e?.code;
    throw err;
  }
  return j;
}

async function guard(fn, ok) {
  try {
    await fn();
    if (ok) say(ok);
  } catch (e) {
    say(e.message, true);
  }
}

// ---- session -------------------------------------------------------------------

function adminAgencies() {
  const super_ = me.roles.some((r) => r.role === 'superadmin');
  return { super_, ids: me.roles.filter((r) => r.role === 'admin').map((r) => r.agency_id) };
}

async function start() {
  applyLang();
  try {
    me = await api('GET', '/api/v1/me');
  } catch (e) {
    if (e.status === 401) { $('login').hidden = false; say(t('needLogin')); return; }
    say(e.message, true);
    return;
  }
  csrf = me.csrf_token;
  $('login').hidden = true;
  $('logout').hidden = false;
  $('who').textContent = me.user?.name ?? '';
  if (me.two_factor?.must_enrol) { say(t('mustEnrol'), true); return; }
  const { super_, ids } = adminAgencies();
  $('tab-audit').hidden = !super_;
  if (!super_ && ids.length === 0) {
    // Ask anyway: the server decides, and its refusal is what the user sees.
    try {
      await api('GET', '/api/v1/admin/users');
      say(t('notAdmin'), true);
    } catch (e) {
      say(`${t('notAdmin')} ${t('denied', e.status, e.message)}`, true);
    }
    return;
  }
  const agencies = (await api('GET', '/api/v1/agencies')).items.filter((a) => super_ || ids.includes(a.id));
  const sel = $('agency');
  sel.replaceChildren(...agencies.map((a) => el('option', { value: String(a.id), text: a.name })));
  const saved = Number(sessionStorage.getItem('aduan-admin:agency'));
  agencyId = agencies.some((a) => a.id === saved) ? saved : agencies[0]?.id;
  sel.value = String(agencyId);
  fillRoles(super_);
  $('panes').hidden = false;
  $('agency-box').hidden = false;
  say('');
  await reload();
}

$('login').addEventListener('submit', (ev) => {
  ev.preventDefault();
  guard(async () => {
    const body = { login: $('login-name').value, password: $('login-password').value };
    if (!$('login-code-box').hidden && $('login-code').value.trim()) body.code = $('login-code').value.trim();
    let r;
    try {
      r = await api('POST', '/api/v1/auth/login', body);
    } catch (e) {
      if (e.code === 'totp_required' || e.code === 'totp_invalid') {
        $('login-code-box').hidden = false;
        $('login-code').value = '';
        $('login-code').focus();
      }
      throw e;
    }
    csrf = r.csrf_token;
    $('login-password').value = '';
    $('login-code').value = '';
    await start();
  });
});

$('logout').addEventListener('click', () => guard(async () => {
  await api('POST', '/api/v1/auth/logout', {});
  location.reload();
}));

$('agency').addEventListener('change', () => {
  agencyId = Number($('agency').value);
  sessionStorage.setItem('aduan-admin:agency', String(agencyId));
  guard(reload);
});

async function reload() {
  say(t('loading'));
  editTeam(null);
  await Promise.all([loadUsers(), loadCategories(), loadCanned(), loadTeams(), loadNumbers(), loadTexts(), loadCalendar(),
    loadPolicyCategories(), loadDuty(), loadGroups()]);
  if (isSuper()) await showLoginAttacks($('login-attacks'), api, lang);
  say('');
}

// ---- users -----------------------------------------------------------------------

function fillRoles(super_) {
  const roles = ['field', 'supervisor', 'viewer', 'admin'];
  $('u-role').replaceChildren(...roles.map((r) => el('option', { value: r, text: t('roles')[r] })));
  void super_;
}

function roleIn(u) {
  return u.roles.find((r) => r.agency_id === agencyId)?.role ?? u.roles[0]?.role ?? '';
}

async function loadUsers() {
  const { items } = await api('GET', `/api/v1/admin/users?agency=${agencyId}`);
  const rows = items.map((u) => {
    const role = roleIn(u);
    const roleSel = el('select', { 'aria-label': `${t('role')}: ${u.login}` },
      ...['field', 'supervisor', 'viewer', 'admin'].map((r) => el('option', { value: r, text: t('roles')[r] })));
    roleSel.value = role;
    roleSel.addEventListener('change', () => guard(async () => {
      await api('POST', `/api/v1/admin/users/${u.id}`, { role: roleSel.value, agency_id: agencyId });
      await loadUsers();
    }, t('saved')));
    const wa = el('input', { value: u.mobile ?? '', inputmode: 'tel', 'aria-label': `${t('wa')}: ${u.login}` });
    const saveWa = el('button', { type: 'button', class: 'secondary', text: t('setWa'), on: { click: () => guard(async () => {
      await api('POST', `/api/v1/admin/users/${u.id}`, { wa: wa.value.trim() || null });
      await loadUsers();
    }, t('saved')) } });
    const toggle = el('button', { type: 'button', class: u.disabled ? 'secondary' : 'danger', text: u.disabled ? t('enable') : t('disable'),
      on: { click: () => guard(async () => {
        await api('POST', `/api/v1/admin/users/${u.id}`, { disabled: !u.disabled });
        await loadUsers();
      }, t('saved')) } });
    return el('tr', {},
      el('td', { 'data-label': t('login'), text: u.login }),
      el('td', { 'data-label': t('name'), text: u.name, class: u.disabled ? 'disabled' : '' }),
      el('td', { 'data-label': t('role') }, role === 'superadmin' ? document.createTextNode(t('roles').superadmin) : roleSel),
      el('td', { 'data-label': t('wa') }, wa),
      el('td', { 'data-label': t('state'), text: u.disabled ? t('disabledState') : t('enabled') }),
      el('td', { 'data-label': t('actions') }, el('div', { class: 'actions' }, saveWa, toggle)));
  });
  $('users').replaceChildren(...rows);
}

$('user-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  guard(async () => {
    const body = { login: $('u-login').value.trim(), name: $('u-name').value, password: $('u-password').value,
      role: $('u-role').value, agency_id: agencyId };
    if ($('u-wa').value.trim()) body.wa = $('u-wa').value.trim();
    await api('POST', '/api/v1/admin/users', body);
    $('user-form').reset();
    await loadUsers();
  }, t('saved'));
});

// ---- categories --------------------------------------------------------------------

async function loadCategories() {
  const { items } = await api('GET', `/api/v1/categories?agency=${agencyId}`);
  $('categories').replaceChildren(...items.filter((k) => k.agency_id === agencyId).map((k) => {
    const nid = el('input', { value: k.name_id, maxlength: '120', 'aria-label': `${t('nameId')}: ${k.code}` });
    const nen = el('input', { value: k.name_en, maxlength: '120', 'aria-label': `${t('nameEn')}: ${k.code}` });
    const sla = el('input', { type: 'number', min: '1', max: '8760', value: String(k.sla_hours), 'aria-label': `${t('sla')}: ${k.code}` });
    const act = el('input', { type: 'checkbox', 'aria-label': `${t('active')}: ${k.code}` });
    act.checked = k.active;
    const save = el('button', { type: 'button', text: t('save'), on: { click: () => guard(async () => {
      await api('POST', `/api/v1/admin/categories/${k.id}`, { name_id: nid.value, name_en: nen.value, sla_hours: Number(sla.value), active: act.checked });
      await loadCategories();
    }, t('saved')) } });
    return el('tr', {},
      el('td', { 'data-label': t('code'), text: k.code }),
      el('td', { 'data-label': t('nameId') }, nid), el('td', { 'data-label': t('nameEn') }, nen),
      el('td', { 'data-label': t('kind'), text: t('kinds')[k.kind] ?? k.kind }), el('td', { 'data-label': t('sla') }, sla),
      el('td', { 'data-label': t('active') }, act), el('td', { 'data-label': t('actions') }, save));
  }));
}

$('category-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  guard(async () => {
    await api('POST', '/api/v1/admin/categories', { agency_id: agencyId, code: $('k-code').value.trim(),
      name_id: $('k-name-id').value, name_en: $('k-name-en').value, kind: $('k-kind').value, sla_hours: Number($('k-sla').value) });
    $('category-form').reset();
    await loadCategories();
  }, t('saved'));
});

// ---- canned replies --------------------------------------------------------------

function editCanned(c) {
  $('c-id').value = c ? String(c.id) : '';
  $('c-title').value = c?.title ?? '';
  $('c-body').value = c?.body ?? '';
  $('c-lang').value = c?.lang ?? 'id';
  $('c-cancel').hidden = !c;
  $('canned-form-title').dataset.i18n = c ? 'editCanned' : 'addCanned';
  $('canned-form-title').textContent = t($('canned-form-title').dataset.i18n);
  if (c) $('c-title').focus();
}

async function loadCanned() {
  const { items } = await api('GET', `/api/v1/canned-replies?agency=${agencyId}`);
  if (!items.length) { $('canned').replaceChildren(el('li', { text: t('none') })); return; }
  $('canned').replaceChildren(...items.map((c) => el('li', {},
    el('strong', { text: c.title }), document.createTextNode(` (${t('langs')[c.lang] ?? c.lang})`),
    el('p', { text: c.body }),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'secondary', text: t('edit'), on: { click: () => editCanned(c) } }),
      el('button', { type: 'button', class: 'danger', text: t('del'), on: { click: () => {
        if (!window.confirm(t('confirmDelete', c.title))) return;
        guard(async () => { await api('DELETE', `/api/v1/canned-replies/${c.id}`); editCanned(null); await loadCanned(); }, t('deleted'));
      } } })))));
}

$('canned-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  guard(async () => {
    const id = $('c-id').value;
    const body = { title: $('c-title').value, body: $('c-body').value, lang: $('c-lang').value };
    if (id) await api('POST', `/api/v1/canned-replies/${id}`, body);
    else await api('POST', '/api/v1/canned-replies', { ...body, agency_id: agencyId });
    editCanned(null);
    await loadCanned();
  }, t('saved'));
});
$('c-cancel').addEventListener('click', () => editCanned(null));

// ---- teams -------------------------------------------------------------------------

const CENTER = [-2.3345, 115.4632]; // Paringin, Kabupaten Balangan
let map = null;
let marker = null;
let agencyUsers = [];

function ensureMap() {
  if (map || !window.L) {
    if (!window.L) $('map-help').textContent = t('noMap');
    return;
  }
  map = window.L.map('map').setView(CENTER, 11);
  window.L.tileLayer('https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png', { maxZoom: 19, attribution: '© OpenStreetMap' }).addTo(map);
  map.on('click', (e) => {
    $('t-lat').value = e.latlng.lat.toFixed(6);
    $('t-lon').value = e.latlng.lng.toFixed(6);
    placeMarker();
  });
}

function placeMarker() {
  if (!map) return;
  const lat = parseFloat($('t-lat').value), lon = parseFloat($('t-lon').value);
  if (Number.isNaN(lat) || Number.isNaN(lon)) { if (marker) { marker.remove(); marker = null; } return; }
  if (!marker) marker = window.L.marker([lat, lon]).addTo(map);
  else marker.setLatLng([lat, lon]);
  map.panTo([lat, lon]);
}
$('t-lat').addEventListener('change', placeMarker);
$('t-lon').addEventListener('change', placeMarker);

async function loadTeams() {
  const { items } = await api('GET', `/api/v1/teams?agency=${agencyId}`);
  $('teams').replaceChildren(...items.filter((x) => x.agency_id === agencyId).map((x) => el('tr', {},
    el('td', { 'data-label': t('name'), text: x.name }),
    el('td', { 'data-label': t('base'), text: x.base ? `${x.base.lat.toFixed(5)}, ${x.base.lon.toFixed(5)}` : t('noBase') }),
    el('td', { 'data-label': t('membersCount'), text: String(x.members) }),
    el('td', { 'data-label': t('actions') }, el('button', { type: 'button', class: 'secondary', text: t('edit'),
      on: { click: () => guard(() => editTeam(x)) } })))));
  agencyUsers = (await api('GET', `/api/v1/admin/users?agency=${agencyId}`)).items.filter((u) => !u.disabled);
}

function showMembers(team) {
  $('members').replaceChildren(...team.members.map((m) => el('li', {}, el('span', { text: `${m.name} (${m.login})` }),
    el('button', { type: 'button', class: 'danger', text: t('remove'), on: { click: () => guard(async () => {
      showMembers(await api('POST', `/api/v1/admin/teams/${team.id}/members`, { remove: m.id }));
      await loadTeams();
    }, t('saved')) } }))));
  const inTeam = new Set(team.members.map((m) => m.id));
  $('t-add').replaceChildren(...agencyUsers.filter((u) => !inTeam.has(u.id)).map((u) => el('option', { value: String(u.id), text: `${u.name} (${u.login})` })));
}

async function editTeam(x) {
  ensureMap();
  $('t-id').value = x ? String(x.id) : '';
  $('t-name').value = x?.name ?? '';
  $('t-lat').value = x?.base ? String(x.base.lat) : '';
  $('t-lon').value = x?.base ? String(x.base.lon) : '';
  $('t-cancel').hidden = !x;
  $('members-box').hidden = !x;
  $('team-form-title').dataset.i18n = x ? 'editTeam' : 'addTeam';
  $('team-form-title').textContent = t($('team-form-title').dataset.i18n);
  placeMarker();
  if (x) {
    showMembers(await api('GET', `/api/v1/admin/teams/${x.id}/members`));
    $('t-name').focus();
  }
}

$('t-add-button').addEventListener('click', () => guard(async () => {
  const id = $('t-id').value;
  if (!id || !$('t-add').value) return;
  showMembers(await api('POST', `/api/v1/admin/teams/${id}/members`, { add: Number($('t-add').value) }));
  await loadTeams();
}, t('saved')));

$('team-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  guard(async () => {
    const lat = $('t-lat').value, lon = $('t-lon').value;
    const body = { name: $('t-name').value, base: lat !== '' && lon !== '' ? { lat: Number(lat), lon: Number(lon) } : null };
    const id = $('t-id').value;
    if (id) await api('POST', `/api/v1/admin/teams/${id}`, body);
    else await api('POST', '/api/v1/admin/teams', { ...body, agency_id: agencyId });
    await editTeam(null);
    await loadTeams();
  }, t('saved'));
});
$('t-cancel').addEventListener('click', () => guard(() => editTeam(null)));

// ---- WhatsApp numbers --------------------------------------------------------------

async function loadNumbers() {
  const { items } = await api('GET', `/api/v1/admin/numbers?agency=${agencyId}`);
  $('numbers').replaceChildren(...(items.length ? items.map((n) => el('li', { text: n.phone_number_id })) : [el('li', { text: t('none') })]));
}

$('number-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  guard(async () => {
    const body = { agency_id: agencyId, phone_number_id: $('n-id').value.trim() };
    if ($('n-display').value.trim()) body.display_phone = $('n-display').value.trim();
    await api('POST', '/api/v1/admin/numbers', body);
    $('number-form').reset();
    await loadNumbers();
  }, t('saved'));
});

// ---- message texts (the WhatsApp catalog) -------------------------------------------

let texts = [];
let textSteps = [];

function isSuper() { return me.roles.some((r) => r.role === 'superadmin'); }

async function saveText(key, lng, text) {
  await api('POST', '/api/v1/bot/texts', { key, lang: lng, text });
  await loadTexts();
}

// "Kembalikan ke bawaan": the override is deleted.
async function resetText(key, lng) {
  await api('DELETE', `/api/v1/bot/texts?key=${encodeURIComponent(key)}&lang=${lng}`);
  await loadTexts();
}

// The {placeholders} of a text, as the server counts them.
const placeholders = (s) => [...new Set((s || '').match(/\{[a-z0-9_]+\}/g) || [])];

// Live hint under a custom text: which placeholders it lacks or adds.
function phHint(want, ta, hint) {
  const got = placeholders(ta.value);
  const missing = want.filter((p) => !got.includes(p));
  const unknown = got.filter((p) => !want.includes(p));
  const parts = [];
  if (ta.value.trim() && missing.length) parts.push(`${t('phMissing')} ${missing.join(', ')}`);
  if (unknown.length) parts.push(`${t('phUnknown')} ${unknown.join(', ')}`);
  hint.textContent = parts.join(' · ');
  hint.hidden = !parts.length;
}

function textLang(x, l, edit) {
  const one = x.langs ? x.langs[l] : { default: x.default[l], custom: x.custom[l], in_use: true };
  const want = placeholders(one.default);
  const builtIn = el('div', { class: 'text-col' },
    el('p', { class: 'muted' }, el('span', { class: 'tag', text: t('defaultText') })),
    el('p', { class: 'default-text', text: one.default }),
    el('p', { class: 'muted ph', text: want.length ? `${t('mustKeep')} ${want.join(', ')}` : t('noPlaceholders') }));
  const mine = el('div', { class: 'text-col' });
  if (edit) {
    const id = `tx-${x.key}-${l}`;
    const ta = el('textarea', { id, rows: '4', maxlength: '1024', 'aria-label': `${t('customText')}: ${x.label} (${l === 'id' ? t('langId') : t('langEn')})` });
    ta.value = one.custom ?? '';
    ta.placeholder = one.default;
    const hint = el('p', { class: 'ph-hint', id: `${id}-hint`, role: 'status' });
    hint.hidden = true;
    ta.setAttribute('aria-describedby', hint.id);
    ta.addEventListener('input', () => phHint(want, ta, hint));
    mine.append(el('p', { class: 'muted' }, el('label', { for: id }, el('span', { class: 'tag override', text: t('customText') }))),
      ta, hint, el('div', { class: 'actions' },
        el('button', { type: 'button', 'data-save': `${x.key}:${l}`, text: t('save'), on: { click: () => guard(
          () => saveText(x.key, l, ta.value.trim() ? ta.value : null), t('saved')) } }),
        one.custom !== null ? el('button', { type: 'button', class: 'secondary', 'data-reset': `${x.key}:${l}`, text: t('reset'),
          on: { click: () => guard(() => resetText(x.key, l), t('saved')) } }) : null));
  } else if (one.custom !== null) {
    mine.append(el('p', { class: 'muted' }, el('span', { class: 'tag custom', text: t('customText') })),
      el('p', { class: 'custom-text', text: one.custom }));
  }
  if (one.custom !== null && one.in_use === false)
    mine.append(el('p', { class: 'bad not-in-use', text: t('notInUse') }));
  return el('div', { class: 'text-lang', lang: l, 'data-lang': l },
    el('h4', { text: l === 'id' ? t('langId') : t('langEn') }),
    el('div', { class: 'text-cols' }, builtIn, mine));
}

function renderTexts() {
  const edit = isSuper();
  $('texts-readonly').hidden = edit;
  const q = $('texts-filter').value.trim().toLowerCase();
  const shown = texts.filter((x) => !q || x.key.toLowerCase().includes(q) || (x.label || '').toLowerCase().includes(q)
    || ['id', 'en'].some((l) => (x.default[l] || '').toLowerCase().includes(q) || (x.custom[l] || '').toLowerCase().includes(q)));
  if (!shown.length) { $('texts').replaceChildren(el('li', { text: t('none') })); return; }
  // Grouped by the step of the conversation, in the order a citizen meets them.
  const steps = textSteps.length ? textSteps : [{ key: '', label: '' }];
  $('texts').replaceChildren(...steps.map((st) => {
    const mine = shown.filter((x) => !st.key || x.step === st.key);
    if (!mine.length) return null;
    return el('li', { class: 'text-step', 'data-step': st.key },
      st.label ? el('h3', { class: 'step-title', text: st.label }) : null,
      el('ul', { class: 'texts-in-step' }, ...mine.map((x) => {
        const changed = x.custom.id !== null || x.custom.en !== null;
        return el('li', { 'data-key': x.key, title: x.key },
          el('h4', { class: 'text-title' }, el('span', { text: x.label || x.key }), changed ? el('span', { class: 'tag custom', text: t('custom') }) : null),
          el('div', { class: 'text-langs' }, textLang(x, 'id', edit), textLang(x, 'en', edit)));
      })));
  }).filter(Boolean));
}

async function loadTexts() {
  const j = await api('GET', '/api/v1/bot/texts');
  texts = j.items;
  textSteps = j.steps || [];
  renderTexts();
}
$('texts-filter').addEventListener('input', renderTexts);

// ---- working hours, holidays, SLA policies -----------------------------------------

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_INDEX = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
let utcOffset = 420;

function offsetString(min) {
  const a = Math.abs(min);
  return `${min < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

async function loadCalendar() {
  const year = new Date().getFullYear();
  const c = await api('GET', `/api/v1/agencies/${agencyId}/calendar?from=${year}-01-01`);
  utcOffset = c.utc_offset_minutes;
  $('hours-source').textContent = `${c.source === 'agency' ? t('srcAgency') : t('srcDefault')} ${t('tz')}: ${c.timezone} (UTC${offsetString(utcOffset)}).`;
  $('h-always').checked = c.always_open;
  $('hours').replaceChildren(...DAYS.map((d) => {
    const [from, until] = (c.hours[d] || '').split('-');
    const name = t('weekdays')[DAY_INDEX[d]];
    const open = el('input', { type: 'checkbox', id: `h-open-${d}`, 'aria-label': `${t('open')}: ${name}` });
    open.checked = !!c.hours[d];
    const f = el('input', { type: 'time', id: `h-from-${d}`, value: from || '07:30', 'aria-label': `${t('from')}: ${name}` });
    const u = el('input', { type: 'time', id: `h-until-${d}`, value: until || '16:00', 'aria-label': `${t('until')}: ${name}` });
    return el('tr', {}, el('td', { 'data-label': t('day'), text: name }), el('td', { 'data-label': t('open') }, open),
      el('td', { 'data-label': t('from') }, f), el('td', { 'data-label': t('until') }, u));
  }));
  const super_ = isSuper();
  $('hd-national-box').hidden = !super_;
  $('hd-kind').replaceChildren(...['local', 'cuti_bersama', 'national'].map((k) => el('option', { value: k, text: t('hkinds')[k] })));
  $('holidays').replaceChildren(...(c.holidays.length ? c.holidays.map((h) => {
    const national = h.scope === 'national';
    const del = !national || super_ ? el('button', { type: 'button', class: 'danger', 'data-date': h.date, text: t('del'), on: { click: () => {
      if (!window.confirm(t('confirmHoliday', h.date))) return;
      guard(async () => {
        await api('DELETE', `/api/v1/agencies/${agencyId}/holidays?date=${h.date}${national ? '&national=1' : ''}`);
        await loadCalendar();
      }, t('deleted'));
    } } }) : null;
    return el('tr', { 'data-date': h.date },
      el('td', { 'data-label': t('date'), text: h.date }), el('td', { 'data-label': t('name'), text: h.name }),
      el('td', { 'data-label': t('kind'), text: t('hkinds')[h.kind] ?? h.kind }),
      el('td', { 'data-label': t('scope'), text: national ? t('scopeNational') : t('scopeAgency') }),
      el('td', { 'data-label': t('actions') }, del));
  }) : [el('tr', {}, el('td', { colspan: '5', text: t('none') }))]));
}

$('hours-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  guard(async () => {
    const hours = {};
    for (const d of DAYS) hours[d] = $(`h-open-${d}`).checked ? `${$(`h-from-${d}`).value}-${$(`h-until-${d}`).value}` : null;
    await api('POST', `/api/v1/agencies/${agencyId}/calendar`, { always_open: $('h-always').checked, hours });
    await loadCalendar();
  }, t('saved'));
});

$('holiday-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  guard(async () => {
    const body = { date: $('hd-date').value, name: $('hd-name').value, kind: $('hd-kind').value };
    if (isSuper() && $('hd-national').checked) body.national = true;
    await api('POST', `/api/v1/agencies/${agencyId}/holidays`, body);
    $('holiday-form').reset();
    await loadCalendar();
  }, t('saved'));
});

const STEPS = ['verify', 'dispatch', 'action', 'resolve', 'autoclose'];
const UNITS = ['minutes', 'hours', 'days', 'work_minutes', 'work_hours', 'work_days', 'seconds'];

async function loadPolicyCategories() {
  const { items } = await api('GET', `/api/v1/categories?agency=${agencyId}`);
  const mine = items.filter((k) => k.agency_id === agencyId);
  const was = $('p-category').value;
  $('p-category').replaceChildren(...mine.map((k) => el('option', { value: String(k.id), text: `${lang === 'en' ? k.name_en : k.name_id} (${t('kinds')[k.kind] ?? k.kind})` })));
  if (mine.some((k) => String(k.id) === was)) $('p-category').value = was;
  await loadPolicy();
}

async function loadPolicy() {
  const id = $('p-category').value;
  if (!id) { $('policy').replaceChildren(); $('policy-source').textContent = t('none'); return; }
  const p = await api('GET', `/api/v1/categories/${id}/sla`);
  $('policy-source').textContent = p.source === 'category' ? t('polCategory') : t('polDefault');
  $('policy').replaceChildren(...STEPS.map((s) => {
    const amount = el('input', { type: 'number', id: `p-${s}-amount`, min: '0', max: '100000', required: true, value: String(p[s].amount),
      'aria-label': `${t('amount')}: ${t('steps')[s]}` });
    const unit = el('select', { id: `p-${s}-unit`, 'aria-label': `${t('unit')}: ${t('steps')[s]}` },
      ...UNITS.map((u) => el('option', { value: u, text: t('units')[u] })));
    unit.value = p[s].unit;
    return el('tr', {}, el('td', { 'data-label': t('step'), text: t('steps')[s] }),
      el('td', { 'data-label': t('amount') }, amount), el('td', { 'data-label': t('unit') }, unit));
  }));
  $('p-cap').value = String(p.cap_days);
  $('p-soon').value = String(p.due_soon_pct);
}
$('p-category').addEventListener('change', () => guard(loadPolicy));

$('policy-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  guard(async () => {
    const body = { cap_days: Number($('p-cap').value), due_soon_pct: Number($('p-soon').value) };
    for (const s of STEPS) body[s] = { amount: Number($(`p-${s}-amount`).value), unit: $(`p-${s}-unit`).value };
    await api('POST', `/api/v1/categories/${$('p-category').value}/sla`, body);
    await loadPolicy();
  }, t('saved'));
});

// ---- duty roster -------------------------------------------------------------------

function shiftText(d) {
  if (d.weekday !== undefined) return `${t('weekdays')[d.weekday]} ${d.start}–${d.end}`;
  const f = (s) => s.replace('T', ' ').slice(0, 16);
  return `${f(d.starts_at)} – ${f(d.ends_at)}`;
}

async function loadDutyMembers() {
  const team = $('d-team').value;
  if (!team) { $('d-user').replaceChildren(); return; }
  const { members } = await api('GET', `/api/v1/admin/teams/${team}/members`);
  $('d-user').replaceChildren(...(members.length
    ? members.map((m) => el('option', { value: String(m.id), text: `${m.name} (${m.login})` }))
    : [el('option', { value: '', text: t('noMembers') })]));
}

async function loadDuty() {
  const [roster, teams] = await Promise.all([api('GET', `/api/v1/duty?agency=${agencyId}`), api('GET', `/api/v1/teams?agency=${agencyId}`)]);
  $('duty').replaceChildren(...(roster.items.length ? roster.items.map((d) => el('tr', { 'data-shift': String(d.id) },
    el('td', { 'data-label': t('team'), text: d.team_name }),
    el('td', { 'data-label': t('officer'), text: `${d.name} (${d.login})` }),
    el('td', { 'data-label': t('when'), text: shiftText(d) }),
    el('td', { 'data-label': t('nowOnDuty'), text: d.on_duty_now ? t('yes') : t('no') }),
    el('td', { 'data-label': t('actions') }, el('button', { type: 'button', class: 'danger', text: t('del'), on: { click: () => {
      if (!window.confirm(t('confirmShift', `${d.name}, ${shiftText(d)}`))) return;
      guard(async () => { await api('DELETE', `/api/v1/duty/${d.id}`); await loadDuty(); }, t('deleted'));
    } } })))) : [el('tr', {}, el('td', { colspan: '5', text: t('none') }))]));
  const was = $('d-team').value;
  const mine = teams.items.filter((x) => x.agency_id === agencyId);
  $('d-team').replaceChildren(...mine.map((x) => el('option', { value: String(x.id), text: x.name })));
  if (mine.some((x) => String(x.id) === was)) $('d-team').value = was;
  const day = $('d-weekday').value;
  $('d-weekday').replaceChildren(...t('weekdays').map((w, i) => el('option', { value: String(i), text: w })));
  $('d-weekday').value = day || '1';
  await loadDutyMembers();
}
$('d-team').addEventListener('change', () => guard(loadDutyMembers));
$('d-type').addEventListener('change', () => {
  const dated = $('d-type').value === 'dated';
  $('d-weekly').hidden = dated;
  $('d-dated').hidden = !dated;
  $('d-starts').required = dated;
  $('d-ends').required = dated;
});

$('duty-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  guard(async () => {
    const body = { team_id: Number($('d-team').value), user_id: Number($('d-user').value) };
    if ($('d-type').value === 'dated') {
      const z = offsetString(utcOffset);
      body.starts_at = `${$('d-starts').value}:00${z}`;
      body.ends_at = `${$('d-ends').value}:00${z}`;
    } else {
      Object.assign(body, { weekday: Number($('d-weekday').value), start: $('d-start').value, end: $('d-end').value });
    }
    await api('POST', '/api/v1/duty', body);
    await loadDuty();
  }, t('saved'));
});

// ---- community reporter groups -------------------------------------------------------

async function loadGroups() {
  const { items } = await api('GET', `/api/v1/community-groups?agency=${agencyId}`);
  $('groups').replaceChildren(...(items.length ? items.map((g) => el('tr', { 'data-group': String(g.id) },
    el('td', { 'data-label': t('name'), text: g.name }),
    el('td', { 'data-label': t('skipVerify'), text: g.skip_verification ? t('yes') : t('no') }),
    el('td', { 'data-label': t('membersCount'), class: 'members-count', text: String(g.members) }),
    el('td', { 'data-label': t('reports'), text: `${g.cases.open}/${g.cases.resolved}/${g.cases.total}` })))
    : [el('tr', {}, el('td', { colspan: '4', text: t('noGroups') }))]));
  const was = $('m-group').value;
  $('m-group').replaceChildren(...items.map((g) => el('option', { value: String(g.id), text: g.name })));
  if (items.some((g) => String(g.id) === was)) $('m-group').value = was;
  await loadGroupMembers();
}

$('group-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  guard(async () => {
    await api('POST', '/api/v1/community-groups', { agency_id: agencyId, name: $('g-name').value, skip_verification: $('g-skip').checked });
    $('group-form').reset();
    await loadGroups();
  }, t('saved'));
});

async function loadGroupMembers() {
  const id = $('m-group').value;
  if (!id) { $('group-members').replaceChildren(); return; }
  const { members } = await api('GET', `/api/v1/community-groups/${id}/members`);
  $('group-members').replaceChildren(...(members.length ? members.map((m) => el('li', { 'data-wa': m.mobile },
    el('span', { text: m.name ? `${m.name} · +${m.mobile}` : `+${m.mobile}` }),
    el('button', { type: 'button', class: 'danger', text: t('remove'), on: { click: () => guard(async () => {
      await api('POST', `/api/v1/community-groups/${id}/members/remove`, { phone: m.mobile });
      await loadGroups();
    }, t('deleted')) } }))) : [el('li', { text: t('none') })]));
}
$('m-group').addEventListener('change', () => guard(loadGroupMembers));

$('member-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  guard(async () => {
    if (!$('m-group').value) return;
    const body = { phone: $('m-phone').value.trim() };
    if ($('m-name').value.trim()) body.name = $('m-name').value.trim();
    await api('POST', `/api/v1/community-groups/${$('m-group').value}/members`, body);
    $('m-phone').value = '';
    $('m-name').value = '';
    await loadGroups();
  }, t('saved'));
});

// ---- tabs and language -----------------------------------------------------------

const tabs = ['users', 'categories', 'canned', 'teams', 'numbers', 'texts', 'calendar', 'duty', 'groups', 'webhooks', 'audit'];
for (const name of tabs) {
  $(`tab-${name}`).addEventListener('click', () => {
    for (const n of tabs) {
      $(`tab-${n}`).setAttribute('aria-selected', String(n === name));
      $(`pane-${n}`).hidden = n !== name;
    }
    if (name === 'teams' && map) map.invalidateSize();
    if (name === 'audit') guard(() => showAudit($('pane-audit'), api, lang));
    if (name === 'webhooks') {
      guard(async () => {
        await showWebhooks($('pane-webhooks'), api, lang, agencyId, say);
        await showOpen311($('pane-webhooks'), api, lang, agencyId, say);
      });
    }
  });
}

function applyLang() {
  document.documentElement.lang = lang;
  document.querySelectorAll('[data-i18n]').forEach((e) => { e.textContent = t(e.dataset.i18n); });
  // The kinds of a new category, in words (the values stay the API's codes).
  for (const o of document.querySelectorAll('#k-kind option')) o.textContent = t('kinds')[o.value] ?? o.value;
  const b = $('lang');
  b.textContent = lang === 'id' ? 'EN' : 'ID';
  b.lang = lang === 'id' ? 'en' : 'id';
  document.title = `${t('title')} — aduan`;
}

$('lang').addEventListener('click', () => {
  lang = lang === 'id' ? 'en' : 'id';
  localStorage.setItem('aduan-admin:lang', lang);
  applyLang();
  if (me && agencyId) {
    fillRoles(false);
    guard(reload);
  }
});

start();
