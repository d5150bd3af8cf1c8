// One case: details, the chat thread with the reporter, the map, the
// files, the timeline, and exactly the actions the server says the user
// may take now (GET /api/v1/cases/{id} -> actions).
import { get, post } from './api.js';
import { t, getLang } from './i18n.js';
import { el, clear, when, makeMap, mapsUrl } from './util.js';
import { state, flash } from './app.js';
import { channelChip } from './inbox.js';
import { mountService } from './svc.js';
import { slaBadge } from './sla.js';
import { slaFacts, dispatchCard, fillSuggestions, cannedPicker } from './dispatch.js';
import { laporFacts } from './lapor.js';
import { waFormat, noteFields, readNotes, eventNotes, otherCasesPanel, consentRule } from './notes.js';
import { subscribe, debounce, assigneeFacts, presencePanel } from './live.js';
import { fileUrl, previewable, viewerItems, openViewer, accessLogCard } from './evidence.js';
import { pageKeys } from './keys.js';

const TICKS = {
  pending: ['…', 'd_pending'], accepted: ['✓', 'd_accepted'], sent: ['✓', 'd_sent'],
  delivered: ['✓✓', 'd_delivered'], read: ['✓✓', 'd_read'], played: ['✓✓', 'd_read'],
  failed: ['⚠', 'd_failed'],
};

function tick(item) {
  const k = item.state === 'failed' ? 'failed' : item.delivery || (item.state === 'sent' ? 'sent' : 'pending');
  const [sym, label] = TICKS[k] || TICKS.pending;
  return el('span', { class: 'tick t-' + k, title: t(label), 'aria-label': t(label), 'data-delivery': k }, sym);
}

// A file of the case: a thumbnail (the server records it as such when it
// is an identity document), or a link; open(att, node), when given, shows
// pictures and PDFs in the viewer over the page (evidence.js).
export function fileNode(att, big, open) {
  const src = '/api/v1/attachments/' + att.id;
  if (att.state !== 'stored') return el('span', { class: 'file pending' }, t('photo') + ': ' + att.state_label);
  const viewer = open && previewable(att) ? (ev) => { ev.preventDefault(); open(att, ev.currentTarget); } : null;
  if (att.mime.startsWith('image/'))
    return el('a', { href: fileUrl(att.id, 'full'), target: '_blank', rel: 'noopener', class: 'file', 'data-att': viewer ? att.id : null, onclick: viewer },
      el('img', { src: fileUrl(att.id, big ? 'full' : 'thumb'), alt: t('photo') + ' ' + att.id, loading: 'lazy', class: big ? 'big' : 'thumb' }));
  if (att.mime.startsWith('video/'))
    return el('video', { src, controls: true, preload: 'metadata', class: 'thumb' });
  return el('a', { href: att.mime === 'application/pdf' ? fileUrl(att.id, 'full') : src, target: '_blank', rel: 'noopener', class: 'file doc', 'data-att': viewer ? att.id : null, onclick: viewer },
    t('document') + ': ' + (att.filename || att.id));
}

// Sends officer photos from a file input; returns how many were stored.
export async function uploadPhotos(caseId, files, note) {
  let n = 0;
  for (const f of files) {
    await post('/api/v1/cases/' + caseId + '/attachments' + (note ? '?note=' + encodeURIComponent(note) : ''),
      f, f.type || 'image/jpeg');
    n++;
  }
  return n;
}

function actionForm(c, a, done) {
  const f = el('form', { class: 'action-form', 'data-action': a.action });
  const id = 'act-' + a.action;
  f.append(el('h3', {}, a.label));
  if (a.needs_team) {
    const teams = state.ref.teams.filter((x) => x.agency_id === c.agency.id);
    const select = el('select', { id: id + '-team', name: 'team_id', required: true },
      teams.map((x) => el('option', { value: x.id }, x.name)));
    const sugg = el('div', { class: 'table-wrap plain' });
    f.append(el('label', { for: id + '-team' }, t('choose_team')), select, sugg);
    fillSuggestions(c, select, sugg);
  }
  if (a.needs_agency) {
    const other = state.ref.agencies.filter((x) => x.id !== c.agency.id);
    f.append(el('label', { for: id + '-agency' }, t('choose_agency')),
      el('select', { id: id + '-agency', name: 'target_agency', required: true },
        other.map((x) => el('option', { value: x.id }, x.name))));
  }
  f.append(...noteFields(a, id));
  if (a.action === 'resolve') {
    f.append(el('label', { for: id + '-photos' }, t('add_photo')),
      el('input', { id: id + '-photos', name: 'photos', type: 'file', accept: 'image/*', capture: 'environment', multiple: true }));
  }
  const err = el('p', { class: 'error', role: 'alert' });
  f.append(err, el('div', { class: 'buttons' },
    el('button', { type: 'submit', class: 'primary' }, a.label),
    el('button', { type: 'button', onclick: () => f.remove() }, t('cancel'))));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    const notes = readNotes(f, a);
    if (notes.error) { err.textContent = notes.error; notes.focus.focus(); return; }
    const body = { action: a.action, ...notes.body };
    if (a.needs_team) body.team_id = Number(f.elements.team_id.value);
    if (a.needs_agency) body.target_agency = Number(f.elements.target_agency.value);
    const btn = f.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      if (f.elements.photos && f.elements.photos.files.length)
        await uploadPhotos(c.id, f.elements.photos.files);
      await post('/api/v1/cases/' + c.id + '/transitions', body);
      flash(t('done_ok'), 'ok');
      done();
    } catch (e) {
      err.textContent = e.message;
      btn.disabled = false;
    }
  });
  return f;
}

function threadItem(item, atts, c, fileOf) {
  const lang = getLang();
  const body = el('div', { class: 'bubble' });
  const att = item.attachment_id ? atts.get(item.attachment_id) : null;
  if (att) body.append(fileOf(att, 'thread'));
  else if (['image', 'video', 'document', 'audio', 'sticker'].includes(item.type) && item.dir === 'in')
    body.append(el('span', { class: 'muted' }, '[' + t(item.type) + ']'));
  if (item.location) {
    const box = el('div', { class: 'pin-map', 'aria-label': t('location') });
    body.append(el('div', {}, t('location') + ': ', el('a', { href: mapsUrl(item.location.lat, item.location.lon), target: '_blank', rel: 'noopener' },
      item.location.lat.toFixed(5) + ', ' + item.location.lon.toFixed(5))), box);
    setTimeout(() => makeMap(box, [item.location], { zoom: 15 }), 0);
  }
  if (item.text) body.append(el('p', { class: 'text' }, waFormat(item.text)));
  else if (!att && !item.location && item.dir === 'out')
    body.append(el('p', { class: 'muted' }, t('k_' + item.type) !== 'k_' + item.type ? t('k_' + item.type) : item.type));
  const meta = el('div', { class: 'meta' }, item.channel ? [channelChip(item.channel, true), ' · '] : null,
    when(item.at, lang));
  if (item.dir === 'out') {
    if (item.as_template || item.template_name) meta.append(' · ' + t('template'));
    meta.append(' ', tick(item));
    if (item.error && item.state === 'failed') meta.append(el('span', { class: 'error' }, ' ' + item.error));
  }
  body.append(meta);
  return el('li', { class: 'msg ' + item.dir, 'data-dir': item.dir }, body);
}

async function renderThread(c, box, atts, fileOf) {
  let conv;
  try {
    conv = await get('/api/v1/cases/' + c.id + '/conversation');
  } catch (e) {
    clear(box).append(el('p', { class: 'muted' }, e.message));
    return null;
  }
  clear(box);
  if (!conv.chat) {
    box.append(el('p', { class: 'muted' }, t('no_wa')));
    return conv;
  }
  const list = el('ol', { class: 'thread', id: 'thread', 'aria-live': 'polite' });
  for (const it of conv.items) list.append(threadItem(it, atts, c, fileOf));
  if (!conv.items.length) box.append(el('p', { class: 'muted' }, t('thread_empty')));
  box.append(list);
  list.scrollTop = list.scrollHeight;
  return conv;
}

function replyBox(c, conv, refresh) {
  const open = conv.window_open;
  const status = el('p', { class: 'window ' + (open ? 'open' : 'closed'), id: 'window' },
    open ? t('window_open') + ' ' + when(conv.window_closes_at, getLang()) : t('window_closed'));
  const ta = el('textarea', { id: 'reply-text', name: 'text', rows: 3, maxlength: 4096, required: true, placeholder: t('reply_ph') });
  const err = el('p', { class: 'error', role: 'alert' });
  const f = el('form', { class: 'reply', id: 'reply' },
    el('label', { for: 'reply-text' }, t('reply')), status, consentRule(conv), cannedPicker(c, ta), ta, err,
    el('button', { type: 'submit', class: 'primary' }, t('send')));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.textContent = '';
    const text = ta.value.trim();
    if (!text) return;
    try {
      const r = await post('/api/v1/cases/' + c.id + '/messages', { text });
      ta.value = '';
      flash(r.sent_as === 'template' ? t('sent_as_template') : t('queued'), 'ok');
      refresh();
    } catch (e) {
      err.textContent = e.message;
    }
  });
  return f;
}

function eventLabel(ev, actions) {
  const a = actions.find((x) => x.action === ev.action);
  if (a) return a.label;
  const k = 'a_' + ev.action;
  return t(k) !== k ? t(k) : ev.action;
}

const ACTION_NAMES = {
  id: { verify: 'Diverifikasi', reject: 'Ditolak', hold: 'Ditunda', resume: 'Dilanjutkan', dispatch: 'Didisposisikan', start: 'Mulai ditangani', resolve: 'Selesai ditangani', close: 'Ditutup', forward: 'Dialihkan', reopen: 'Dibuka kembali', assign: 'Ditugaskan ke petugas', unassign: 'Penugasan dilepas', withdraw: 'Dibatalkan oleh pelapor' },
  en: { verify: 'Verified', reject: 'Rejected', hold: 'Put on hold', resume: 'Resumed', dispatch: 'Dispatched', start: 'Started', resolve: 'Resolved', close: 'Closed', forward: 'Forwarded', reopen: 'Reopened', assign: 'Assigned to a person', unassign: 'Unassigned', withdraw: 'Withdrawn by the reporter' },
};

// Each render of a case page takes a number; one overtaken by a newer
// render (a live change and the user's own action at once) draws nothing
// and stops what it started, so two never share the page.
let renders = 0;

export async function caseView(root, id) {
  const mine = ++renders;
  let c;
  try {
    c = await get('/api/v1/cases/' + id);
    if (mine !== renders) return null;
  } catch (e) {
    if (mine !== renders) return null;
    root.append(el('p', {}, el('a', { href: '#/inbox' }, t('back'))),
      el('div', { class: 'card denied', role: 'alert', id: 'case-error' },
        el('h1', {}, e.status === 403 ? t('forbidden_case') : e.message),
        e.status === 403 ? el('p', { class: 'muted' }, e.message) : null));
    return null;
  }
  const lang = getLang();
  const myRole = (state.me.roles.find((r) => r.agency_id === 0) || state.me.roles.find((r) => r.agency_id === c.agency.id) || {}).role;
  const viewer = myRole === 'viewer';
  const atts = new Map(c.attachments.map((a) => [a.id, a]));
  // The case's access log, for the agency's admin (the server says 403 to others).
  const accessLog = ['superadmin', 'admin'].includes(myRole) ? accessLogCard(c.id) : null;
  // Pictures and PDFs open in the viewer, with the case's others a key away.
  const openFile = (att, node) => {
    const items = viewerItems([...atts.values()].filter((a) => !(viewer && a.source === 'citizen')),
      ['superadmin', 'admin', 'supervisor'].includes(myRole));
    // Closed: the access log, and the files as the server has them now (a
    // mark changes no event, so no live event would bring it).
    openViewer(items, Math.max(0, items.findIndex((x) => x.id === att.id)), node, () => {
      if (accessLog) accessLog.refresh();
      onLive();
    });
  };
  // One node per file and place, kept across redraws of the thread: a
  // thumbnail is fetched (and, for an identity document, recorded) once
  // per page, not at each refresh.
  const nodes = new Map();
  const fileOf = (att, where) => {
    const k = where + ':' + att.id + ':' + att.state;
    if (!nodes.has(k)) nodes.set(k, fileNode(att, false, openFile));
    return nodes.get(k);
  };
  // An overtaken render returns null: the one that overtook it takes over.
  const rerender = () => {
    clear(root);
    caseView(root, id).then((f) => {
      if (!f) return;
      stopPoll(true);
      stopPoll = f;
    });
  };
  let stopPoll = () => {};

  const facts = el('dl', { class: 'facts' },
    el('dt', {}, t('status')), el('dd', {}, el('span', { class: 'status s-' + c.status, id: 'case-status', 'data-status': c.status }, c.status_label)),
    el('dt', {}, t('category')), el('dd', {}, c.category ? c.category.name : '—'),
    el('dt', {}, t('agency')), el('dd', {}, c.agency.name),
    el('dt', {}, t('team')), el('dd', { id: 'case-team' }, c.team ? c.team.name : '—'),
    assigneeFacts(c, rerender),
    el('dt', {}, t('channel')), el('dd', { id: 'case-channel' }, channelChip(c.channel, true)),
    el('dt', {}, t('priority')), el('dd', {}, t('prio_' + c.priority)),
    el('dt', {}, t('kecamatan')), el('dd', { id: 'case-kecamatan' }, c.kecamatan ? c.kecamatan.name || c.kecamatan.code : '—',
      c.kecamatan_outside ? el('span', { class: 'muted' }, ' (' + t('kecamatan_outside') + ')') : null),
    el('dt', {}, t('address')), el('dd', {}, c.address || '—'),
    el('dt', {}, t('created')), el('dd', {}, when(c.created_at, lang)),
    slaFacts(c),
    laporFacts(c, ['superadmin', 'admin', 'supervisor'].includes(myRole), rerender),
    c.reporter ? [el('dt', {}, t('reporter')), el('dd', { id: 'reporter' },
      [c.reporter.name, c.reporter.phone || c.reporter.mobile].filter(Boolean).join(' · ') || '—')] : null);

  const actionsBox = el('section', { class: 'card', id: 'actions', 'aria-labelledby': 'h-actions' },
    el('h2', { id: 'h-actions' }, t('actions')));
  const formSlot = el('div');
  if (c.actions.length) {
    const bar = el('div', { class: 'action-bar' });
    for (const a of c.actions) {
      bar.append(el('button', {
        type: 'button', class: a.action === 'reject' ? 'danger' : 'primary', 'data-action': a.action,
        onclick: () => {
          clear(formSlot).append(actionForm(c, a, rerender));
          const first = formSlot.querySelector('select, textarea');
          if (first) first.focus();
        },
      }, a.label));
    }
    actionsBox.append(bar, formSlot);
  } else {
    actionsBox.append(el('p', { class: 'muted' }, t('no_actions')));
  }

  const points = [];
  if (c.location) points.push({ ...c.location, label: c.tracking_code });
  const mapBox = el('div', { class: 'map', id: 'case-map' });
  const mapCard = el('section', { class: 'card', 'aria-labelledby': 'h-map' }, el('h2', { id: 'h-map' }, t('map')),
    c.location ? [mapBox, el('p', {}, el('a', { href: mapsUrl(c.location.lat, c.location.lon), target: '_blank', rel: 'noopener' }, t('open_map')))]
      : el('p', { class: 'muted' }, t('no_location')));

  const canUpload = c.actions.length > 0 || state.me.roles.some((r) => ['superadmin', 'admin', 'supervisor'].includes(r.role));
  const galleryOf = (k) => el('div', { class: 'gallery', id: 'gallery' }, k.attachments.map((a) => (viewer && a.source === 'citizen'
    ? el('span', { class: 'file muted' }, t('photo') + ' ' + a.id + ': ' + t('personal'))
    : fileOf(a, 'gallery'))));
  const files = el('section', { class: 'card', id: 'files', 'aria-labelledby': 'h-files' }, el('h2', { id: 'h-files' }, t('files')),
    galleryOf(c));
  if (canUpload && !['closed', 'rejected', 'forwarded'].includes(c.status)) {
    const input = el('input', { id: 'photo-input', type: 'file', accept: 'image/*', capture: 'environment', multiple: true });
    input.addEventListener('change', async () => {
      try {
        flash(t('uploading'), 'ok');
        await uploadPhotos(c.id, input.files);
        flash(t('uploaded'), 'ok');
        rerender();
      } catch (e) { flash(e.message); }
    });
    files.append(el('label', { for: 'photo-input' }, t('add_photo')), input);
  }

  const timeline = el('ol', { class: 'timeline', id: 'timeline' },
    c.events.map((ev) => el('li', {},
      el('div', { class: 'what' }, ACTION_NAMES[lang][ev.action] || eventLabel(ev, c.actions)),
      el('div', { class: 'meta' }, when(ev.at, lang) + ' · ' + (ev.actor_name || t('system'))),
      eventNotes(ev))));

  const threadBox = el('div', { id: 'thread-box' }, el('p', { class: 'muted' }, viewer ? t('personal') : t('loading')));
  const sidePanel = el('div', { class: 'conv-side' });
  const conversation = el('section', { class: 'card conversation', 'aria-labelledby': 'h-conv' },
    el('h2', { id: 'h-conv' }, t('conversation')), el('div', { class: 'conv-layout' }, threadBox, sidePanel));

  // Presence is for those who work the case (a viewer is not shown, nor told).
  const presence = viewer ? { node: null, stop: () => {} } : presencePanel(c);
  const stale = el('p', { class: 'banner', id: 'case-stale', role: 'status', hidden: true }, t('case_changed'), ' ',
    el('button', { type: 'button', onclick: () => rerender() }, t('reload')));
  root.append(
    el('p', {}, el('a', { href: isFieldOnly() ? '#/field' : '#/inbox' }, t('back'))),
    presence.node, stale,
    el('header', { class: 'case-head' },
      el('h1', {}, el('span', { class: 'code', id: 'case-code' }, c.tracking_code), ' ',
        c.kind === 'emergency' ? el('span', { class: 'badge danger' }, t('emergency')) : null, ' ', slaBadge(c.sla_state)),
      el('p', { class: 'description', id: 'case-description' }, c.description)),
    el('div', { class: 'case-grid' },
      el('div', { class: 'col' }, conversation),
      el('div', { class: 'col' }, actionsBox, el('section', { class: 'card' }, facts),
        dispatchCard(c, ['superadmin', 'admin', 'supervisor'].includes(myRole), rerender), mapCard, files,
        el('section', { class: 'card', 'aria-labelledby': 'h-tl' }, el('h2', { id: 'h-tl' }, t('timeline')), timeline),
        accessLog)));
  if (c.location) makeMap(mapBox, points);
  mountService(root, c, rerender);

  let conv = viewer ? null : await renderThread(c, threadBox, atts, fileOf);
  if (mine !== renders) {
    presence.stop(false);
    return null;
  }
  // The thumbnails just shown are on the access log once they have loaded.
  if (accessLog) loaded(threadBox).then(() => { if (mine === renders) accessLog.refresh(); });
  const others = otherCasesPanel(conv);
  if (others) sidePanel.append(others);
  else sidePanel.remove();
  if (conv && conv.chat && conv.can_reply)
    conversation.append(replyBox(c, conv, async () => { conv = await renderThread(c, threadBox, atts, fileOf); }));
  // The citizen's messages and files arrive live (the event stream);
  // delivery ticks, which make no event, are polled slowly.
  let stopped = false;
  const thread = async () => {
    if (stopped || !conv || !conv.chat) return;
    const list = document.getElementById('thread');
    const scrolledUp = list && list.scrollTop + list.clientHeight < list.scrollHeight - 40;
    if (!scrolledUp) conv = (await renderThread(c, threadBox, atts, fileOf)) || conv;
  };
  const timer = setInterval(thread, 30000);
  // A change by someone else: redrawn at once unless the user is writing
  // (then a notice offers the reload).
  const busy = () => formSlot.children.length > 0 || ((document.getElementById('reply-text') || {}).value || '').trim() !== '';
  let liveGen = 0;
  // Marks made here (the viewer), with the reload count at the time: an
  // answer to a reload sent before a mark does not undo it.
  const marks = new Map();
  const onMark = (ev) => {
    marks.set(ev.detail.id, [ev.detail.identity, liveGen]);
    const a = atts.get(ev.detail.id);
    if (a) a.identity = ev.detail.identity;
  };
  document.addEventListener('aduan-identity', onMark);
  const onLive = debounce(async () => {
    if (stopped) return;
    const gen = ++liveGen;
    let k;
    try { k = await get('/api/v1/cases/' + c.id); } catch (_) { return; }
    // An answer overtaken by a later request is stale: it must not put
    // back what changed since (a file just marked as an identity document).
    if (stopped || gen !== liveGen) return;
    for (const a of k.attachments) {
      const m = marks.get(a.id);
      if (m && m[1] >= gen) a.identity = m[0];
      atts.set(a.id, a);
    }
    const gallery = document.getElementById('gallery');
    if (gallery && k.attachments.length !== c.attachments.length) gallery.replaceWith(galleryOf(k));
    const desc = document.getElementById('case-description');
    if (desc) desc.textContent = k.description;
    await thread();
    const moved = k.status !== c.status || k.events.length !== c.events.length ||
      JSON.stringify(k.assignee) !== JSON.stringify(c.assignee);
    if (!moved) return;
    if (busy()) stale.hidden = false;
    else rerender();
  }, 250);
  const unsub = subscribe((ev) => {
    if (ev.kind === 'open' || (ev.case_id === c.id && ev.kind !== 'presence')) onLive();
  });
  // Keyboard (issue 18): a takes the case, r goes to the reply, v opens
  // the verification, Esc closes an open action form.
  const unkeys = pageKeys({
    a: () => { const b = document.getElementById('assign-me'); if (!b || b.hidden) return false; b.click(); },
    r: () => { const ta = document.getElementById('reply-text'); if (!ta) return false; ta.focus(); },
    v: () => {
      const b = document.querySelector('#actions button[data-action=verify]');
      if (!b) return false;
      b.click();
    },
    Escape: () => { if (!formSlot.children.length) return false; clear(formSlot); },
  });
  // staying: redrawn, not left (the presence stays).
  stopPoll = (staying) => {
    stopped = true; clearInterval(timer); unsub(); unkeys(); presence.stop(!staying);
    document.removeEventListener('aduan-identity', onMark);
  };
  return () => stopPoll();
}

function isFieldOnly() {
  const r = state.me.roles.map((x) => x.role);
  return r.includes('field') && !r.some((x) => ['superadmin', 'admin', 'supervisor'].includes(x));
}

// Resolves when every picture under node has loaded or failed.
function loaded(node) {
  return Promise.all([...node.querySelectorAll('img')].map((img) => (img.complete ? null
    : new Promise((res) => { img.addEventListener('load', res, { once: true }); img.addEventListener('error', res, { once: true }); }))));
}
