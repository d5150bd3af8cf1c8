// The operator side of a service request (issue #7) on the case page: the
// checklist of required documents with the resident's files, a verdict per
// document, sending the request back for what is missing, check and
// process, the upload of the issued PDF, and the delivery of the document
// message. Everything from GET /api/v1/cases/{id}/service (docs/API.md
// "Services"); every file opened goes through .../service/file, which
// records the view on the case.
import { get, post } from './api.js';
import { getLang } from './i18n.js';
import { el, clear, when } from './util.js';
import { flash } from './app.js';
import { previewable, previewButton } from './evidence.js';

const T = {
  id: {
    title: 'Permohonan layanan', applicant: 'Pemohon', nik: 'NIK', show_nik: 'Tampilkan NIK',
    hide_nik: 'Sembunyikan NIK', nik_warning: 'Periksa NIK', consent: 'Persetujuan data pribadi', submitted: 'Diajukan',
    resubmissions: 'Kirim ulang', checklist: 'Daftar periksa dokumen', mandatory: 'wajib', optional: 'opsional',
    v_pending: 'belum diperiksa', v_accepted: 'diterima', v_rejected: 'ditolak', v_skipped: 'dilewati',
    no_files: 'Belum ada berkas.', file: 'Berkas', open: 'Buka', accept: 'Terima', reject: 'Tolak',
    reason: 'Alasan penolakan (dibaca pemohon)', save: 'Simpan', cancel: 'Batal',
    reason_needed: 'Tulis alasan penolakan.', more: 'Minta dokumen ulang',
    more_hint: 'Mengirim pesan WhatsApp ke pemohon berisi dokumen yang ditolak atau belum dikirim; status menjadi Belum lengkap.',
    more_sent: 'Pesan ke pemohon diantrekan:', check: 'Mulai periksa', process: 'Proses (dokumen lengkap)',
    process_hint: 'Terima semua dokumen wajib sebelum memproses.', issue_title: 'Terbitkan dokumen',
    issue_hint: 'Unggah dokumen hasil (PDF, paling besar 3 MB). Dokumen dikirim ke WhatsApp pemohon.',
    pdf: 'Berkas PDF', upload: 'Unggah dan terbitkan', uploading: 'Mengunggah…', choose_pdf: 'Pilih berkas PDF.',
    issued: 'Dokumen terbit', issued_at: 'Terbit', issued_file: 'Dokumen yang diterbitkan',
    message: 'Pesan WhatsApp', other_files: 'Berkas lain', deleted: 'Berkas dihapus setelah masa simpan',
    st_pending: 'sedang diunduh', st_stored: 'tersimpan', st_failed: 'gagal diunduh', st_deleted: 'dihapus',
    m_pending: 'menunggu dikirim', m_sent: 'terkirim', m_failed: 'gagal', d_accepted: 'diterima server WhatsApp',
    d_sent: 'terkirim', d_delivered: 'sampai di ponsel pemohon', d_read: 'dibaca pemohon', d_failed: 'gagal terkirim',
    view_logged: 'Setiap pembukaan berkas dicatat di riwayat kasus.',
    files_here: 'Berkas permohonan layanan ada di daftar periksa (setiap pembukaan dicatat).',
    personal: 'Dokumen identitas hanya untuk petugas loket instansi ini.',
    use_section: 'Gunakan bagian Permohonan layanan.', saved: 'Tersimpan.',
    e_check: 'Mulai diperiksa', e_incomplete: 'Diminta melengkapi dokumen', e_process: 'Diproses',
    e_issue: 'Dokumen terbit', e_document_view: 'Berkas dibuka petugas', e_document_accepted: 'Dokumen diterima',
    e_document_rejected: 'Dokumen ditolak', e_resubmitted: 'Pemohon mengirim ulang dokumen',
    e_files_deleted: 'Berkas dihapus (masa simpan habis)',
  },
  en: {
    title: 'Service request', applicant: 'Applicant', nik: 'NIK', show_nik: 'Show NIK',
    hide_nik: 'Hide NIK', nik_warning: 'Check the NIK', consent: 'Personal data consent', submitted: 'Submitted',
    resubmissions: 'Resubmissions', checklist: 'Document checklist', mandatory: 'mandatory', optional: 'optional',
    v_pending: 'not checked', v_accepted: 'accepted', v_rejected: 'rejected', v_skipped: 'skipped',
    no_files: 'No file yet.', file: 'File', open: 'Open', accept: 'Accept', reject: 'Reject',
    reason: 'Reason for rejection (the applicant reads it)', save: 'Save', cancel: 'Cancel',
    reason_needed: 'Write the reason for the rejection.', more: 'Request documents again',
    more_hint: 'Sends the applicant a WhatsApp message listing the rejected or missing documents; the status becomes Incomplete.',
    more_sent: 'Message to the applicant queued:', check: 'Start checking', process: 'Process (documents complete)',
    process_hint: 'Accept every mandatory document before processing.', issue_title: 'Issue the document',
    issue_hint: 'Upload the issued document (PDF, at most 3 MB). It is sent to the applicant over WhatsApp.',
    pdf: 'PDF file', upload: 'Upload and issue', uploading: 'Uploading…', choose_pdf: 'Choose a PDF file.',
    issued: 'Document issued', issued_at: 'Issued', issued_file: 'The issued document',
    message: 'WhatsApp message', other_files: 'Other files', deleted: 'Files deleted after the retention period',
    st_pending: 'downloading', st_stored: 'stored', st_failed: 'download failed', st_deleted: 'deleted',
    m_pending: 'waiting to be sent', m_sent: 'sent', m_failed: 'failed', d_accepted: 'accepted by WhatsApp',
    d_sent: 'sent', d_delivered: "delivered to the applicant's phone", d_read: 'read by the applicant', d_failed: 'delivery failed',
    view_logged: 'Every opening of a file is recorded in the case timeline.',
    files_here: 'The files of this service request are in the checklist (every opening is recorded).',
    personal: "Identity documents are only for this agency's desk.",
    use_section: 'Use the Service request section.', saved: 'Saved.',
    e_check: 'Checking started', e_incomplete: 'Asked for documents again', e_process: 'Processing',
    e_issue: 'Document issued', e_document_view: 'File opened by staff', e_document_accepted: 'Document accepted',
    e_document_rejected: 'Document rejected', e_resubmitted: 'The applicant resent documents',
    e_files_deleted: 'Files deleted (retention period over)',
  },
};

const s = (k) => (T[getLang()] && T[getLang()][k]) || T.id[k] || k;
const OPEN = ['submitted', 'checking', 'incomplete'];

function size(n) {
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return Math.round(n / 1024) + ' kB';
  return (n / 1024 / 1024).toFixed(1) + ' MB';
}

function fileUrl(caseId, f) {
  return '/api/v1/cases/' + caseId + '/service/file?attachment=' + f.id;
}

// One file: a download link when stored (the server records the view).
function fileItem(caseId, f, label) {
  const meta = [f.mime, size(f.size), when(f.created_at, getLang())].join(' · ');
  const state = el('span', { class: 'svc-fstate st-' + f.state }, s('st_' + f.state));
  if (f.state !== 'stored')
    return el('li', { class: 'svc-file', 'data-file-id': f.id }, label + ' ', state, el('span', { class: 'muted' }, ' ' + meta));
  return el('li', { class: 'svc-file', 'data-file-id': f.id },
    el('a', { href: fileUrl(caseId, f), download: '', class: 'svc-open', title: s('view_logged') }, s('open') + ' ' + label),
    previewable(f) ? [' · ', previewButton([f], f.id)] : null,
    el('span', { class: 'muted' }, ' ' + meta));
}

// A multipart/form-data body with one part "file", built by hand so the
// API module (JSON or raw bodies) carries it with the CSRF token.
function multipart(file) {
  const b = 'aduan' + Math.random().toString(16).slice(2) + Date.now().toString(16);
  const name = (file.name || 'dokumen.pdf').replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
  const head = '--' + b + '\r\nContent-Disposition: form-data; name="file"; filename="' + name +
    '"\r\nContent-Type: application/pdf\r\n\r\n';
  return { blob: new Blob([head, file, '\r\n--' + b + '--\r\n']), type: 'multipart/form-data; boundary=' + b };
}

function docItem(c, cl, d, editable, refresh) {
  const lang = getLang();
  const name = lang === 'en' ? d.name_en || d.name_id : d.name_id;
  const help = lang === 'en' ? d.help_en || d.help_id : d.help_id;
  const li = el('li', { class: 'svc-doc v-' + d.verdict, 'data-doc-id': d.id, 'data-verdict': d.verdict },
    el('div', { class: 'svc-doc-head' },
      el('strong', { class: 'svc-doc-name' }, name), ' ',
      el('span', { class: 'badge ' + (d.mandatory ? 'mand' : 'opt') }, d.mandatory ? s('mandatory') : s('optional')), ' ',
      el('span', { class: 'verdict v-' + d.verdict }, s('v_' + d.verdict))),
    help ? el('p', { class: 'muted svc-help' }, help) : null,
    d.reason ? el('p', { class: 'svc-reason' }, s('reject') + ': ' + d.reason) : null);
  const files = el('ol', { class: 'svc-files' });
  d.files.forEach((f, i) => files.append(fileItem(c.id, f, s('file') + ' ' + (i + 1))));
  li.append(d.files.length ? files : el('p', { class: 'muted' }, s('no_files')));
  // A verdict is on what the resident sent; what is missing goes into
  // "minta dokumen ulang" by itself.
  if (!editable || !d.files.length) return li;

  const err = el('p', { class: 'error', role: 'alert' });
  const slot = el('div');
  const send = async (verdict, reason, btn) => {
    err.textContent = '';
    if (btn) btn.disabled = true;
    try {
      const body = { document_id: d.id, verdict };
      if (reason) body.reason = reason;
      refresh(await post('/api/v1/cases/' + c.id + '/service/checks', body));
      flash(s('saved'), 'ok');
    } catch (e) {
      err.textContent = e.message;
      if (btn) btn.disabled = false;
    }
  };
  const accept = el('button', { type: 'button', class: 'primary svc-accept', 'data-verdict': 'accepted',
    disabled: d.verdict === 'accepted' }, s('accept'));
  accept.addEventListener('click', () => send('accepted', null, accept));
  const reject = el('button', { type: 'button', class: 'danger svc-reject', 'data-verdict': 'rejected' }, s('reject'));
  reject.addEventListener('click', () => {
    const id = 'svc-reason-' + d.id;
    const ta = el('textarea', { id, name: 'reason', rows: 2, maxlength: 300, 'aria-required': 'true' });
    if (d.reason) ta.value = d.reason;
    const f = el('form', { class: 'svc-reject-form' },
      el('label', { for: id }, s('reason')), ta,
      el('div', { class: 'buttons' },
        el('button', { type: 'submit', class: 'danger' }, s('reject')),
        el('button', { type: 'button', onclick: () => clear(slot) }, s('cancel'))));
    f.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const reason = ta.value.trim();
      if (!reason) { err.textContent = s('reason_needed'); ta.focus(); return; }
      send('rejected', reason, f.querySelector('button[type=submit]'));
    });
    clear(slot).append(f);
    ta.focus();
  });
  li.append(el('div', { class: 'buttons svc-verdict' }, accept, reject), slot, err);
  return li;
}

function messageState(iss) {
  if (!iss) return '';
  if (iss.state === 'failed' || iss.delivery === 'failed') return 'failed';
  if (iss.delivery) return iss.delivery;
  return iss.state || 'pending';
}

function issuedBox(c, cl, events) {
  const iss = cl.issued;
  const ev = events.filter((e) => e.action === 'issue').pop();
  const k = messageState(iss);
  const label = ['pending', 'sent'].includes(k) && !iss.delivery ? s('m_' + k) : s('d_' + k);
  const file = cl.other_files.find((f) => f.id === iss.attachment_id);
  return el('div', { class: 'svc-issued', id: 'svc-issued' },
    el('h3', {}, s('issued')),
    el('dl', { class: 'facts' },
      el('dt', {}, s('issued_at')), el('dd', {}, when(iss.at, getLang()) + (ev && ev.actor_name ? ' · ' + ev.actor_name : '')),
      el('dt', {}, s('issued_file')), el('dd', {}, file ? el('ul', { class: 'svc-files' }, fileItem(c.id, file, 'PDF')) : '—'),
      el('dt', {}, s('message')), el('dd', {},
        el('span', { class: 'svc-delivery d-' + k, id: 'svc-delivery', 'data-delivery': k, 'data-state': iss.state || '' }, label),
        iss.error ? el('span', { class: 'error' }, ' ' + iss.error) : null)));
}

function issueForm(c, refresh) {
  const err = el('p', { class: 'error', role: 'alert', id: 'svc-issue-error' });
  const input = el('input', { id: 'svc-pdf', name: 'file', type: 'file', accept: 'application/pdf,.pdf', required: true });
  const btn = el('button', { type: 'submit', class: 'primary' }, s('upload'));
  const f = el('form', { class: 'svc-issue', id: 'svc-issue' },
    el('h3', {}, s('issue_title')), el('p', { class: 'muted' }, s('issue_hint')),
    el('label', { for: 'svc-pdf' }, s('pdf')), input, err, btn);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    const file = input.files[0];
    if (!file) { err.textContent = s('choose_pdf'); return; }
    btn.disabled = true;
    btn.textContent = s('uploading');
    try {
      const m = multipart(file);
      await post('/api/v1/cases/' + c.id + '/service/issue', m.blob, m.type);
      flash(s('issued'), 'ok');
      refresh(null, true);
    } catch (e) {
      err.textContent = e.message;
      btn.disabled = false;
      btn.textContent = s('upload');
    }
  });
  return f;
}

async function transition(c, action, rerender, errNode) {
  try {
    await post('/api/v1/cases/' + c.id + '/transitions', { action });
    flash(s('saved'), 'ok');
    rerender();
  } catch (e) { errNode.textContent = e.message; }
}

function render(box, c, cl, rerender, refresh) {
  const lang = getLang();
  const editable = OPEN.includes(cl.status);
  let nikShown = false;
  const nik = el('span', { id: 'svc-nik', class: 'nik' }, cl.applicant.nik_masked);
  const nikBtn = el('button', { type: 'button', class: 'link', 'aria-controls': 'svc-nik' }, s('show_nik'));
  nikBtn.addEventListener('click', () => {
    nikShown = !nikShown;
    nik.textContent = nikShown ? cl.applicant.nik : cl.applicant.nik_masked;
    nikBtn.textContent = nikShown ? s('hide_nik') : s('show_nik');
  });
  const svcName = lang === 'en' ? cl.service.name_en || cl.service.name_id : cl.service.name_id;
  clear(box).append(...[
    el('h2', { id: 'h-svc' }, s('title') + ': ' + svcName),
    el('dl', { class: 'facts' },
      el('dt', {}, s('applicant')), el('dd', { id: 'svc-applicant' }, cl.applicant.name || '—'),
      el('dt', {}, s('nik')), el('dd', {}, nik, ' ', nikBtn,
        cl.applicant.nik_warning ? el('p', { class: 'nik-warning', id: 'svc-nik-warning', role: 'note' },
          '⚠ ' + s('nik_warning') + ': ' + cl.applicant.nik_warning) : null),
      el('dt', {}, s('consent')), el('dd', {}, when(cl.consent_at, lang)),
      el('dt', {}, s('submitted')), el('dd', {}, when(cl.submitted_at, lang)),
      el('dt', {}, s('resubmissions')), el('dd', { id: 'svc-resubmissions' }, String(cl.resubmissions))),
    el('p', { class: 'muted' }, s('personal') + ' ' + s('view_logged')),
    cl.files_deleted_at ? el('p', { class: 'muted', id: 'svc-deleted' }, s('deleted') + ': ' + when(cl.files_deleted_at, lang)) : null,
    el('h3', {}, s('checklist')),
    el('ol', { class: 'svc-docs', id: 'svc-docs' }, cl.documents.map((d) => docItem(c, cl, d, editable, refresh))),
  ].filter(Boolean));

  const err = el('p', { class: 'error', role: 'alert', id: 'svc-error' });
  const bar = el('div', { class: 'buttons svc-steps' });
  if (['submitted', 'checking'].includes(cl.status)) {
    const more = el('button', { type: 'button', class: 'danger', id: 'svc-more' }, s('more'));
    more.addEventListener('click', async () => {
      err.textContent = '';
      more.disabled = true;
      try {
        const r = await post('/api/v1/cases/' + c.id + '/service/request-more');
        flash(s('more_sent') + ' ' + r.message, 'ok');
        rerender();
      } catch (e) { err.textContent = e.message; more.disabled = false; }
    });
    bar.append(more);
  }
  if (['submitted', 'incomplete'].includes(cl.status)) {
    const check = el('button', { type: 'button', class: 'primary', id: 'svc-check' }, s('check'));
    check.addEventListener('click', () => transition(c, 'check', rerender, err));
    bar.append(check);
  }
  if (cl.status === 'checking') {
    const complete = cl.documents.every((d) => !d.mandatory || d.verdict === 'accepted');
    const proc = el('button', { type: 'button', class: 'primary', id: 'svc-process', disabled: !complete,
      title: complete ? null : s('process_hint') }, s('process'));
    proc.addEventListener('click', () => transition(c, 'process', rerender, err));
    bar.append(proc);
    if (!complete) bar.append(el('span', { class: 'muted' }, s('process_hint')));
  }
  if (bar.childNodes.length) {
    if (['submitted', 'checking'].includes(cl.status)) box.append(el('p', { class: 'muted' }, s('more_hint')));
    box.append(bar, err);
  }
  if (cl.status === 'processing') box.append(issueForm(c, refresh));
  if (cl.issued) box.append(issuedBox(c, cl, c.events));
  const others = cl.other_files.filter((f) => !cl.issued || f.id !== cl.issued.attachment_id);
  if (others.length)
    box.append(el('h3', {}, s('other_files')),
      el('ul', { class: 'svc-files' }, others.map((f, i) => fileItem(c.id, f, s('file') + ' ' + (i + 1)))));
}

// Puts the service section on the case page of a service request `c`
// (root: the rendered page; rerender: reloads the whole case page).
export function mountService(root, c, rerender) {
  if (!c || c.kind !== 'service') return;
  const box = el('section', { class: 'card svc', id: 'svc', 'aria-labelledby': 'h-svc' },
    el('h2', { id: 'h-svc' }, s('title')), el('p', { class: 'muted' }, '…'));
  const actions = root.querySelector('#actions');
  if (actions) actions.after(box); else root.append(box);

  // Once the request is loaded, its steps belong to this section:
  // "incomplete" sends the resident the list of what to send again,
  // "process" waits for the mandatory documents, "issue" needs the PDF.
  // Reject, forward and close stay in the generic action bar. A service
  // case without a request (e.g. recorded at the counter) keeps the bar.
  let taken = false;
  const takeSteps = () => {
    if (taken) return;
    taken = true;
    const steps = ['check', 'incomplete', 'process', 'issue'].map((a) => '#actions button[data-action=' + a + ']');
    for (const b of root.querySelectorAll(steps.join(', '))) {
      b.hidden = true;
      if (!b.parentNode.querySelector('.svc-use')) b.after(el('span', { class: 'muted svc-use' }, s('use_section')));
    }
    hideGallery();
  };
  // Identity documents are opened from the checklist only, where every
  // view is recorded; no thumbnails of them in the generic gallery.
  const hideGallery = () => {
    const gallery = root.querySelector('#files .gallery');
    if (gallery) clear(gallery).append(el('p', { class: 'muted' }, s('files_here')));
  };

  // The timeline's steps of a service request, in words (case.js knows
  // the complaint steps only).
  for (const w of root.querySelectorAll('#timeline li .what')) {
    const k = 'e_' + w.textContent;
    if (s(k) !== k) w.textContent = s(k);
  }

  let timer = null;
  const refresh = async (cl, full) => {
    if (full) { rerender(); return; }
    try {
      if (!cl) cl = await get('/api/v1/cases/' + c.id + '/service');
    } catch (e) {
      if (e.status === 404 && !taken) { box.remove(); return; }
      hideGallery();
      clear(box).append(el('h2', { id: 'h-svc' }, s('title')), el('p', { class: 'muted', id: 'svc-denied' }, e.message));
      return;
    }
    takeSteps();
    render(box, c, cl, rerender, refresh);
    // The document message's delivery arrives later: watch it until final.
    const k = messageState(cl.issued);
    if (cl.issued && !['delivered', 'read', 'failed'].includes(k) && !timer) {
      timer = setInterval(async () => {
        if (!box.isConnected) { clearInterval(timer); return; }
        try {
          const next = await get('/api/v1/cases/' + c.id + '/service');
          if (JSON.stringify(next.issued) !== JSON.stringify(cl.issued)) {
            cl = next;
            render(box, c, cl, rerender, refresh);
          }
          if (['delivered', 'read', 'failed'].includes(messageState(next.issued))) clearInterval(timer);
        } catch (_) { clearInterval(timer); }
      }, pollMs());
    }
  };
  refresh();
}

function pollMs() {
  try { return Number(localStorage.getItem('aduan.pollMs')) || 5000; } catch (_) { return 5000; }
}
