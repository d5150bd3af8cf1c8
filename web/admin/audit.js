// The superadmin's audit log (issue 19 §2; UU PDP 27/2022): who looked at
// what, with filters and the CSV export. Every value from the server is
// inserted as text.
const T = {
  id: {
    caption: 'Log audit: tindakan staf (masuk/keluar, pembacaan data pribadi, ekspor, perubahan)',
    help: (d) => `Log ini hanya dapat ditambah; basis data menolak mengubah atau menghapus entri. Entri disimpan ${d} hari.`,
    when: 'Waktu', who: 'Siapa', from: 'Dari', what: 'Tindakan', case_: 'Kasus', target: 'Sasaran', detail: 'Keterangan',
    fLogin: 'Nama pengguna', fAction: 'Tindakan', fCase: 'Nomor kasus', fFrom: 'Sejak tanggal', fTo: 'Sampai tanggal',
    filter: 'Saring', more: 'Muat lebih banyak', csv: 'Unduh CSV', none: 'Tidak ada entri.', cli: 'baris perintah',
  },
  en: {
    caption: 'Audit log: staff actions (sign-in/out, reads of personal data, exports, changes)',
    help: (d) => `This log can only grow: the database refuses to change or delete an entry. Entries are kept ${d} days.`,
    when: 'When', who: 'Who', from: 'From', what: 'Action', case_: 'Case', target: 'Target', detail: 'Detail',
    fLogin: 'Login', fAction: 'Action', fCase: 'Case number', fFrom: 'From date', fTo: 'To date',
    filter: 'Filter', more: 'Load more', csv: 'Download CSV', none: 'No entries.', cli: 'command line',
  },
};

function node(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function field(id, label, input) {
  const d = node('div', null, { class: 'field' });
  d.append(node('label', label, { for: id }), input);
  return d;
}

// Unix seconds of a yyyy-mm-dd in the browser's zone ('' -> '').
const day = (v, plus = 0) => (v ? String(Math.floor(new Date(v + 'T00:00:00').getTime() / 1000) + plus) : '');

// Fills pane with the log; api is the admin page's fetch helper.
export async function showAudit(pane, api, lang) {
  const t = T[lang] || T.id;
  pane.replaceChildren();
  const form = node('form', null, { id: 'audit-form', class: 'card' });
  const inputs = {
    login: node('input', null, { id: 'au-login', autocomplete: 'off' }),
    action: node('input', null, { id: 'au-action', autocomplete: 'off', placeholder: 'login, reporter_read, …' }),
    case: node('input', null, { id: 'au-case', inputmode: 'numeric' }),
    from: node('input', null, { id: 'au-from', type: 'date' }),
    to: node('input', null, { id: 'au-to', type: 'date' }),
  };
  const row = node('div', null, { class: 'row' });
  row.append(field('au-login', t.fLogin, inputs.login), field('au-action', t.fAction, inputs.action),
    field('au-case', t.fCase, inputs.case), field('au-from', t.fFrom, inputs.from), field('au-to', t.fTo, inputs.to));
  const go = node('button', t.filter, { type: 'submit' });
  const csv = node('a', t.csv, { id: 'audit-csv', class: 'button secondary', href: '#' });
  const actions = node('p', null, { class: 'actions' });
  actions.append(go, ' ', csv);
  form.append(row, actions);
  const help = node('p', '', { class: 'help', id: 'audit-help' });
  const table = node('table', null, { class: 'grid', id: 'audit-table' });
  table.append(node('caption', t.caption));
  const head = node('tr');
  for (const h of [t.when, t.who, t.from, t.what, t.case_, t.target, t.detail]) head.append(node('th', h));
  const thead = node('thead');
  thead.append(head);
  const body = node('tbody', null, { id: 'audit-rows' });
  table.append(thead, body);
  const more = node('button', t.more, { type: 'button', id: 'audit-more', class: 'secondary' });
  more.hidden = true;
  pane.append(form, help, table, more);

  const params = () => {
    const p = new URLSearchParams();
    if (inputs.login.value.trim()) p.set('login', inputs.login.value.trim());
    if (inputs.action.value.trim()) p.set('action', inputs.action.value.trim());
    if (inputs.case.value.trim()) p.set('case', inputs.case.value.trim());
    if (inputs.from.value) p.set('from', day(inputs.from.value));
    if (inputs.to.value) p.set('to', day(inputs.to.value, 86400));
    return p;
  };
  let before = null;
  const load = async (append) => {
    const p = params();
    p.set('limit', '100');
    if (append && before) p.set('before', String(before));
    const r = await api('GET', '/api/v1/admin/audit?' + p.toString());
    help.textContent = t.help(r.retention_days);
    if (!append) body.replaceChildren();
    for (const a of r.items) {
      const tr = node('tr');
      const at = new Date(a.at).toLocaleString(lang === 'en' ? 'en-GB' : 'id-ID');
      for (const v of [at, a.login ?? t.cli, a.client ?? '', a.action, a.case_id ?? '', a.target ?? '', a.detail ?? ''])
        tr.append(node('td', String(v)));
      body.append(tr);
    }
    if (!append && r.items.length === 0) {
      const tr = node('tr');
      tr.append(node('td', t.none, { colspan: '7' }));
      body.append(tr);
    }
    before = r.next_before;
    more.hidden = !before;
    csv.href = '/api/v1/admin/audit.csv?' + params().toString();
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(false).catch((e) => { help.textContent = e.message; }); });
  more.addEventListener('click', () => load(true).catch((e) => { help.textContent = e.message; }));
  await load(false);
}
