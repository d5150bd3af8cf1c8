// The admin pages: staff accounts and roles, categories, canned replies.
// Every value from the server is inserted as text, never as HTML.
const T = {
  id: {
    title: 'Administrasi', agency: 'Instansi', logout: 'Keluar', loginTitle: 'Masuk',
    login: 'Nama pengguna', password: 'Kata sandi', loginButton: 'Masuk', users: 'Pengguna',
    categories: 'Kategori', canned: 'Balasan cepat', usersCaption: 'Pengguna instansi ini',
    name: 'Nama', role: 'Peran', wa: 'WhatsApp petugas', state: 'Status', actions: 'Tindakan',
    addUser: 'Tambah pengguna', initialPassword: 'Kata sandi awal', add: 'Tambah',
    categoriesCaption: 'Kategori laporan dan layanan', code: 'Kode', nameId: 'Nama (Indonesia)',
    nameEn: 'Nama (Inggris)', kind: 'Jenis', sla: 'SLA (jam)', active: 'Aktif',
    addCategory: 'Tambah kategori', addCanned: 'Tambah balasan cepat', editCanned: 'Ubah balasan cepat',
    cTitle: 'Judul', cBody: 'Isi pesan', cLang: 'Bahasa', save: 'Simpan', cancel: 'Batal',
    enabled: 'Aktif', disabledState: 'Nonaktif', disable: 'Nonaktifkan', enable: 'Aktifkan',
    setWa: 'Simpan nomor', edit: 'Ubah', del: 'Hapus', yes: 'ya', no: 'tidak',
    needLogin: 'Silakan masuk dengan akun admin.', notAdmin: 'Akun ini bukan admin instansi mana pun.',
    saved: 'Tersimpan.', deleted: 'Dihapus.', loading: 'Memuat…', none: 'Belum ada.',
    confirmDelete: (x) => `Hapus balasan cepat "${x}"?`,
    teams: 'Tim', numbers: 'Nomor WhatsApp', teamsCaption: 'Tim lapangan', base: 'Lokasi pos',
    membersCount: 'Anggota', addTeam: 'Tambah tim', editTeam: 'Ubah tim', lat: 'Lintang', lon: 'Bujur',
    mapHelp: 'Klik peta untuk memilih lokasi pos.', members: 'Anggota tim', addMember: 'Tambah anggota',
    remove: 'Keluarkan', addNumber: 'Daftarkan nomor WhatsApp', numberId: 'Phone number ID dari Meta',
    numberDisplay: 'Nomor yang tampil', noBase: 'belum ditentukan', noMap: 'Peta tidak tersedia; isi lintang dan bujur.',
    roles: { admin: 'admin', supervisor: 'kepala bidang', field: 'petugas lapangan', viewer: 'pimpinan (lihat saja)' },
  },
  en: {
    title: 'Administration', agency: 'Agency', logout: 'Log out', loginTitle: 'Log in',
    login: 'Login', password: 'Password', loginButton: 'Log in', users: 'Users',
    categories: 'Categories', canned: 'Canned replies', usersCaption: "This agency's users",
    name: 'Name', role: 'Role', wa: "Officer's WhatsApp", state: 'State', actions: 'Actions',
    addUser: 'Add a user', initialPassword: 'Initial password', add: 'Add',
    categoriesCaption: 'Categories of reports and services', code: 'Code', nameId: 'Name (Indonesian)',
    nameEn: 'Name (English)', kind: 'Kind', sla: 'SLA (hours)', active: 'Active',
    addCategory: 'Add a category', addCanned: 'Add a canned reply', editCanned: 'Edit the canned reply',
    cTitle: 'Title', cBody: 'Message', cLang: 'Language', save: 'Save', cancel: 'Cancel',
    enabled: 'Active', disabledState: 'Disabled', disable: 'Disable', enable: 'Enable',
    setWa: 'Save number', edit: 'Edit', del: 'Delete', yes: 'yes', no: 'no',
    needLogin: 'Please log in with an admin account.', notAdmin: 'This account is no agency admin.',
    saved: 'Saved.', deleted: 'Deleted.', loading: 'Loading…', none: 'None yet.',
    confirmDelete: (x) => `Delete the canned reply "${x}"?`,
    teams: 'Teams', numbers: 'WhatsApp numbers', teamsCaption: 'Field teams', base: 'Base',
    membersCount: 'Members', addTeam: 'Add a team', editTeam: 'Edit the team', lat: 'Latitude', lon: 'Longitude',
    mapHelp: "Click the map to pick the team's base.", members: 'Team members', addMember: 'Add a member',
    remove: 'Remove', addNumber: 'Register a WhatsApp number', numberId: "Meta's phone number ID",
    numberDisplay: 'Number shown', noBase: 'not set', noMap: 'The map is unavailable; enter latitude and longitude.',
    roles: { admin: 'admin', supervisor: 'supervisor', field: 'field officer', viewer: 'viewer (read only)' },
  },
};

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
  const { super_, ids } = adminAgencies();
  if (!super_ && ids.length === 0) { say(t('notAdmin'), true); return; }
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
    const r = await api('POST', '/api/v1/auth/login', { login: $('login-name').value, password: $('login-password').value });
    csrf = r.csrf_token;
    $('login-password').value = '';
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
  await Promise.all([loadUsers(), loadCategories(), loadCanned(), loadTeams(), loadNumbers()]);
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
    const wa = el('input', { value: u.wa_id ?? '', inputmode: 'tel', 'aria-label': `${t('wa')}: ${u.login}` });
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
      el('td', { 'data-label': t('role') }, role === 'superadmin' ? document.createTextNode('superadmin') : roleSel),
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
      el('td', { 'data-label': t('kind'), text: k.kind }), el('td', { 'data-label': t('sla') }, sla),
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
    el('strong', { text: c.title }), document.createTextNode(` (${c.lang})`),
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

// ---- tabs and language -----------------------------------------------------------

const tabs = ['users', 'categories', 'canned', 'teams', 'numbers'];
for (const name of tabs) {
  $(`tab-${name}`).addEventListener('click', () => {
    for (const n of tabs) {
      $(`tab-${n}`).setAttribute('aria-selected', String(n === name));
      $(`pane-${n}`).hidden = n !== name;
    }
    if (name === 'teams' && map) map.invalidateSize();
  });
}

function applyLang() {
  document.documentElement.lang = lang;
  document.querySelectorAll('[data-i18n]').forEach((e) => { e.textContent = t(e.dataset.i18n); });
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
