// Outbound webhooks of the agency (issue 17 §2, docs/WEBHOOKS.md): the
// subscriptions, their delivery log with status codes and "Kirim ulang".
// Every value from the server is inserted as text.
const EVENTS = ['case.created', 'case.status_changed', 'case.assigned', 'case.note_public',
  'message.received', 'survey.submitted', 'sla.breached',
  'case.lapor_updated']; // issue 17 §3 (media)
const T = {
  id: {
    caption: 'Webhook: pemberitahuan ke sistem lain (ditandatangani HMAC-SHA256)',
    url: 'URL penerima', events: 'Peristiwa', state: 'Status', trusted: 'Tepercaya (dengan data pelapor)',
    failures: 'Gagal beruntun', queue: 'Antre / gagal', actions: 'Tindakan',
    add: 'Tambah webhook', secret: 'Rahasia (kosongkan: dibuatkan)', description: 'Keterangan',
    save: 'Simpan', log: 'Log pengiriman', resume: 'Lanjutkan', off: 'Nonaktifkan', on: 'Aktifkan',
    del: 'Hapus', retry: 'Kirim ulang', none: 'Belum ada webhook.', noDeliveries: 'Belum ada pengiriman.',
    states: { active: 'aktif', paused: 'dijeda (terlalu sering gagal)', inactive: 'nonaktif',
      pending: 'menunggu', delivered: 'terkirim', failed: 'gagal' },
    shown: (s) => `Rahasia webhook ini (hanya ditampilkan sekali, simpan sekarang): ${s}`,
    when: 'Waktu', type: 'Peristiwa', status: 'Kode HTTP', attempts: 'Percobaan', error: 'Galat',
    paused: 'Webhook ini dijeda setelah terlalu banyak kegagalan beruntun. Periksa penerimanya, lalu tekan "Lanjutkan".',
    confirmDel: 'Hapus webhook ini beserta log pengirimannya?',
    ev: { 'case.created': 'laporan baru', 'case.status_changed': 'status berubah',
      'case.assigned': 'ditugaskan', 'case.note_public': 'catatan publik',
      'message.received': 'pesan masuk', 'survey.submitted': 'survei diisi',
      'sla.breached': 'batas waktu terlewati', 'case.lapor_updated': 'data LAPOR! berubah' },
  },
  en: {
    caption: 'Webhooks: notices to other systems (signed with HMAC-SHA256)',
    url: 'Receiver URL', events: 'Events', state: 'State', trusted: 'Trusted (with reporter details)',
    failures: 'Failures in a row', queue: 'Queued / failed', actions: 'Actions',
    add: 'Add webhook', secret: 'Secret (empty: one is made)', description: 'Description',
    save: 'Save', log: 'Delivery log', resume: 'Resume', off: 'Disable', on: 'Enable',
    del: 'Delete', retry: 'Send again', none: 'No webhooks yet.', noDeliveries: 'No deliveries yet.',
    states: { active: 'active', paused: 'paused (too many failures)', inactive: 'inactive',
      pending: 'pending', delivered: 'delivered', failed: 'failed' },
    shown: (s) => `This webhook's secret (shown only once, keep it now): ${s}`,
    when: 'When', type: 'Event', status: 'HTTP status', attempts: 'Attempts', error: 'Error',
    paused: 'This webhook was paused after too many failures in a row. Check the receiver, then press "Resume".',
    confirmDel: 'Delete this webhook and its delivery log?',
    ev: { 'case.created': 'new case', 'case.status_changed': 'status changed',
      'case.assigned': 'assigned', 'case.note_public': 'public note',
      'message.received': 'message in', 'survey.submitted': 'survey answered',
      'sla.breached': 'deadline missed', 'case.lapor_updated': 'LAPOR! details changed' },
  },
};

function node(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function button(text, onClick, cls = 'secondary') {
  const b = node('button', text, { type: 'button', class: cls });
  b.addEventListener('click', onClick);
  return b;
}

// Fills pane with the agency's webhooks; api is the admin page's fetch
// helper, say its status line.
export async function showWebhooks(pane, api, lang, agencyId, say) {
  const t = T[lang] || T.id;
  const when = (v) => (v ? new Date(v).toLocaleString(lang === 'en' ? 'en-GB' : 'id-ID') : '');
  const fail = (e) => say(e.message, true);
  pane.replaceChildren();
  const note = node('p', '', { class: 'help', id: 'wh-note', role: 'status' });
  const table = node('table', null, { class: 'grid', id: 'wh-table' });
  table.append(node('caption', t.caption));
  const head = node('tr');
  for (const h of [t.url, t.events, t.state, t.failures, t.queue, t.actions]) head.append(node('th', h));
  const thead = node('thead');
  thead.append(head);
  const rows = node('tbody', null, { id: 'webhooks' });
  table.append(thead, rows);
  const logBox = node('section', null, { id: 'wh-log', class: 'card' });
  logBox.hidden = true;

  const form = node('form', null, { id: 'wh-form', class: 'card' });
  form.append(node('h2', t.add));
  const url = node('input', null, { id: 'wh-url', type: 'url', required: '', maxlength: '2000', placeholder: 'https://' });
  const secret = node('input', null, { id: 'wh-secret', minlength: '16', maxlength: '200', autocomplete: 'off' });
  const desc = node('input', null, { id: 'wh-desc', maxlength: '200' });
  const field = (id, label, input) => {
    const d = node('div', null, { class: 'field' });
    d.append(node('label', label, { for: id }), input);
    return d;
  };
  const boxes = node('fieldset', null, { id: 'wh-events' });
  boxes.append(node('legend', t.events));
  for (const ev of EVENTS) {
    // The event's name in words; its wire name (what a receiver sees) on hover.
    const l = node('label', null, { class: 'inline', title: ev });
    const c = node('input', null, { type: 'checkbox', value: ev, checked: '' });
    l.append(c, ' ', t.ev[ev] ?? ev);
    boxes.append(l, ' ');
  }
  form.append(field('wh-url', t.url, url), field('wh-secret', t.secret, secret),
    field('wh-desc', t.description, desc), boxes, node('button', t.save, { type: 'submit' }));
  pane.append(note, table, logBox, form);

  const showLog = async (w) => {
    const r = await api('GET', `/api/v1/webhooks/${w.id}/deliveries`);
    logBox.replaceChildren(node('h2', `${t.log}: ${w.url}`));
    if (w.state === 'paused') logBox.append(node('p', t.paused, { class: 'bad', role: 'alert' }));
    const tbl = node('table', null, { class: 'grid', id: 'wh-deliveries' });
    const hr = node('tr');
    for (const h of [t.when, t.type, t.state, t.status, t.attempts, t.error, t.actions]) hr.append(node('th', h));
    const th = node('thead');
    th.append(hr);
    const tb = node('tbody');
    for (const d of r.deliveries) {
      const tr = node('tr');
      for (const v of [when(d.created_at), `${t.ev[d.type] ?? d.type} (${d.delivery_id})`, t.states[d.state] ?? d.state,
        d.last_status ?? '', String(d.attempts), d.last_error ?? '']) tr.append(node('td', String(v)));
      const td = node('td');
      if (d.state !== 'pending')
        td.append(button(t.retry, () => api('POST', `/api/v1/webhooks/deliveries/${d.id}/retry`, {})
          .then(() => showLog(w)).catch(fail)));
      tr.append(td);
      tb.append(tr);
    }
    if (!r.deliveries.length) {
      const tr = node('tr');
      tr.append(node('td', t.noDeliveries, { colspan: '7' }));
      tb.append(tr);
    }
    tbl.append(th, tb);
    logBox.append(tbl);
    logBox.hidden = false;
  };

  const load = async () => {
    const r = await api('GET', `/api/v1/webhooks?agency=${agencyId}`);
    rows.replaceChildren();
    for (const w of r.webhooks) {
      const tr = node('tr', null, { 'data-id': String(w.id) });
      tr.append(node('td', w.url + (w.trusted ? ` — ${t.trusted}` : '')), node('td', w.events.map((e) => t.ev[e] ?? e).join(', '), { title: w.events.join(', ') }),
        node('td', t.states[w.state] ?? w.state, { class: w.state === 'paused' ? 'bad' : '' }),
        node('td', String(w.consecutive_failures)), node('td', `${w.pending} / ${w.failed}`));
      const td = node('td');
      td.append(button(t.log, () => showLog(w).catch(fail)), ' ');
      if (w.state === 'paused')
        td.append(button(t.resume, () => api('POST', `/api/v1/webhooks/${w.id}/resume`, {}).then(load).catch(fail)), ' ');
      td.append(button(w.active ? t.off : t.on, () => api('POST', `/api/v1/webhooks/${w.id}`, { active: !w.active })
        .then(load).catch(fail)), ' ');
      td.append(button(t.del, () => {
        if (window.confirm(t.confirmDel)) api('DELETE', `/api/v1/webhooks/${w.id}`).then(load).catch(fail);
      }));
      tr.append(td);
      rows.append(tr);
    }
    if (!r.webhooks.length) {
      const tr = node('tr');
      tr.append(node('td', t.none, { colspan: '6' }));
      rows.append(tr);
    }
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const events = [...boxes.querySelectorAll('input:checked')].map((c) => c.value);
    const body = { agency_id: agencyId, url: url.value.trim(), events };
    if (secret.value) body.secret = secret.value;
    if (desc.value.trim()) body.description = desc.value.trim();
    api('POST', '/api/v1/webhooks', body).then((w) => {
      note.textContent = w.secret ? t.shown(w.secret) : '';
      url.value = secret.value = desc.value = '';
      return load();
    }).catch(fail);
  });
  await load();
}
