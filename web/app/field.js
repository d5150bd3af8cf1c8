// The field officer's phone view (GET /api/v1/me/tasks), an installable
// app that works without a signal (issue 18): the cases of my teams with
// the kepala bidang's dispatch instruction, their map with my own
// position, one tap to the phone's maps app or to call the reporter,
// "arrived" (which starts the work, as SAMPAI does on WhatsApp), photos
// from the camera (made smaller on the phone, shown as
// thumbnails), resolve with the result for the reporter, and what my
// teams resolved today. Every change goes through the outbox (outbox.js):
// sent at once when there is a signal, kept on the phone and sent in order
// when it returns, and the page says what is still waiting.
import { get } from './api.js';
import { t, getLang } from './i18n.js';
import { el, clear, age, when, mapsUrl, addTiles } from './util.js';
import { flash, state } from './app.js';
import { slaBadge } from './sla.js';
import * as outbox from './outbox.js';

// Photos sent from this page since it was opened, per case (object URLs):
// their thumbnails stay on the card once they have left the outbox.
const sentThumbs = new Map();

// The dispatch instruction: the internal note of the last dispatch, meant
// for the team (issue 13).
function instruction(c) {
  const i = c.instruction;
  if (!i) return null;
  return el('div', { class: 'instruction', 'data-instruction': '' },
    el('strong', {}, t('instruction')),
    el('p', { class: 'note' }, i.note),
    el('p', { class: 'muted' }, [i.by, when(i.at, getLang())].filter(Boolean).join(' · ')));
}

// "14.05": the time of day, for today's list.
function clock(iso) {
  return new Date(iso).toLocaleTimeString(getLang() === 'en' ? 'en-GB' : 'id-ID', { hour: '2-digit', minute: '2-digit' });
}

// Today's resolutions of my teams, in the agency's time zone.
function doneToday(items) {
  const list = el('ul', { class: 'done-list' });
  for (const x of items)
    list.append(el('li', { 'data-id': x.id },
      el('a', { href: '#/case/' + x.id, class: 'code' }, x.tracking_code), ' ',
      el('span', { class: 'status s-' + x.status }, x.status_label), ' ',
      el('span', {}, x.category || ''), ' · ',
      el('span', { class: 'muted' }, clock(x.resolved_at))));
  return items.length ? list : el('p', { class: 'muted' }, t('done_today_none'));
}

// What an outbox item is, in words.
function itemLabel(x) {
  if (x.kind === 'photo') return t('q_photo');
  return x.body.action === 'resolve' ? t('resolve') : x.body.action === 'start' ? t('arrived_start') : x.body.action;
}

// The status the case will have once its waiting transitions are sent.
function effectiveStatus(c, waiting) {
  let s = c.status;
  for (const x of waiting)
    if (x.kind === 'transition' && x.case_id === c.id)
      s = x.body.action === 'start' ? 'in_progress' : x.body.action === 'resolve' ? 'resolved' : s;
  return s;
}

// Object URLs of the queued photos, made once per item; the items the
// officer dropped (their photos were not sent).
const urls = new Map();
const dropped = new Set();
function blobUrl(x) {
  if (!urls.has(x.seq)) urls.set(x.seq, URL.createObjectURL(x.blob));
  return urls.get(x.seq);
}

function thumbs(c, queued) {
  const box = el('div', { class: 'thumbs', 'data-thumbs': c.id });
  for (const u of sentThumbs.get(c.id) || [])
    box.append(el('figure', { class: 'thumb sent', 'data-thumb': 'sent' },
      el('img', { src: u, alt: t('q_photo') }), el('figcaption', {}, t('q_sent'))));
  for (const x of queued.filter((q) => q.kind === 'photo' && q.case_id === c.id))
    box.append(el('figure', { class: 'thumb waiting', 'data-thumb': 'waiting' },
      el('img', { src: blobUrl(x), alt: t('q_photo') }),
      el('figcaption', {}, x.state === 'failed' ? t('q_failed') : t('q_waiting'))));
  return box.childNodes.length ? box : null;
}

function card(c, queued, act) {
  const lang = getLang();
  const mine = queued.filter((x) => x.case_id === c.id);
  const waiting = mine.filter((x) => x.state === 'waiting');
  const status = effectiveStatus(c, waiting);
  const buttons = el('div', { class: 'buttons' });
  if (c.location)
    buttons.append(el('a', { class: 'button', href: mapsUrl(c.location.lat, c.location.lon), target: '_blank', rel: 'noopener', 'data-nav': '1' }, t('navigate')));
  if (c.reporter && c.reporter.phone)
    buttons.append(el('a', { class: 'button', href: 'tel:+' + c.reporter.phone, 'data-call': '1' }, t('call_reporter')));
  // The full case page needs the server: offline only the card is there.
  if (navigator.onLine) buttons.append(el('a', { class: 'button', href: '#/case/' + c.id }, t('open_case')));
  if (status === 'dispatched' || status === 'reopened')
    buttons.append(el('button', { type: 'button', class: 'primary', 'data-do': 'start', onclick: () => act.transition(c, { action: 'start' }) }, t('arrived_start')));
  if (status === 'dispatched' || status === 'reopened' || status === 'in_progress') {
    const fid = 'cam-' + c.id;
    const input = el('input', { id: fid, type: 'file', accept: 'image/*', capture: 'environment', multiple: true, class: 'visually-hidden', 'data-camera': c.id });
    input.addEventListener('change', () => { act.photos(c, [...input.files]); input.value = ''; });
    buttons.append(el('label', { for: fid, class: 'button camera', 'data-do': 'photo' }, t('take_photo')), input);
  }
  const node = el('article', { class: 'card task' + (c.kind === 'emergency' ? ' emergency' : ''), 'data-id': c.id },
    el('h2', {}, el('span', { class: 'code' }, c.tracking_code), ' ',
      el('span', { class: 'status s-' + c.status, 'data-status': c.status }, c.status_label), slaBadge(c.sla_state)),
    el('p', { class: 'desc' }, c.description),
    el('p', { class: 'muted' }, [c.category && c.category.name, c.address, c.kecamatan && c.kecamatan.name, age(c.created_at, lang)].filter(Boolean).join(' · ')),
    instruction(c),
    buttons,
    thumbs(c, mine));
  const pending = mine.filter((x) => x.kind === 'transition');
  if (pending.length)
    node.append(el('ul', { class: 'pending', 'data-pending': c.id },
      pending.map((x) => el('li', { class: x.state }, (x.state === 'failed' ? t('q_failed') : t('q_waiting')) + ': ' + itemLabel(x)))));
  if (status === 'in_progress') {
    const fid = 'res-' + c.id;
    const err = el('p', { class: 'error', role: 'alert' });
    const f = el('form', { class: 'resolve', 'data-form': 'resolve' },
      el('label', { for: fid + '-note' }, t('resolve_note')),
      el('textarea', { id: fid + '-note', name: 'note', rows: 3, maxlength: 2000, required: true }),
      err,
      el('button', { type: 'submit', class: 'primary' }, t('resolve')));
    f.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const note = f.elements.note.value.trim();
      if (!note) { err.textContent = t('resolve_note'); f.elements.note.focus(); return; }
      // The result is what the reporter reads and confirms (issue #13).
      act.transition(c, { action: 'resolve', public_note: note });
    });
    node.append(f);
  }
  return node;
}

// The outbox, said plainly: how many actions wait for a signal, which
// were refused (with the server's reason), and a way to send or drop them.
function outboxPanel(queued, act) {
  const waiting = queued.filter((x) => x.state === 'waiting');
  const failed = queued.filter((x) => x.state === 'failed');
  const box = el('section', { class: 'card outbox', id: 'outbox', 'aria-live': 'polite', 'data-waiting': waiting.length, 'data-failed': failed.length });
  if (!queued.length) {
    box.append(el('p', { class: 'ok-text', 'data-outbox': 'empty' }, t('q_all_sent')));
    return box;
  }
  if (waiting.length)
    box.append(el('h2', {}, t('q_title') + ' (' + waiting.length + ')'),
      el('p', { class: 'muted' }, navigator.onLine ? t('q_sending') : t('q_offline_hint')));
  if (failed.length)
    box.append(el('h2', {}, t('q_failed_title') + ' (' + failed.length + ')'));
  const list = el('ol', { class: 'outbox-list' });
  for (const x of queued) {
    const li = el('li', { class: x.state, 'data-seq': x.seq },
      el('span', { class: 'code' }, x.code), ' ', itemLabel(x), ' · ',
      el('span', { class: 'muted' }, clock(x.created_at)));
    if (x.state === 'failed')
      li.append(el('p', { class: 'error' }, t('q_refused') + ': ' + x.error),
        el('button', { type: 'button', class: 'link', onclick: () => outbox.retry(x) }, t('q_retry')), ' ',
        el('button', { type: 'button', class: 'link', onclick: () => {
          dropped.add(x.seq);
          if (urls.has(x.seq)) { URL.revokeObjectURL(urls.get(x.seq)); urls.delete(x.seq); }
          outbox.drop(x.seq);
        } }, t('q_drop')));
    list.append(li);
  }
  box.append(list);
  if (waiting.length && navigator.onLine)
    box.append(el('button', { type: 'button', onclick: () => act.send() }, t('q_send_now')));
  return box;
}

// The map of the team's tasks, with my own position when the phone gives it.
function taskMap(node) {
  if (!window.L) return null;
  const L = window.L;
  const map = L.map(node, { scrollWheelZoom: false }).setView([-2.33, 115.47], 11);
  addTiles(map);
  const layer = L.layerGroup().addTo(map);
  let me = null, fitted = false;
  const fit = (tasks) => {
    const pts = tasks.filter((c) => c.location).map((c) => [c.location.lat, c.location.lon]);
    if (me) pts.push(me.getLatLng());
    if (pts.length === 1) map.setView(pts[0], 15);
    else if (pts.length > 1) map.fitBounds(pts, { padding: [24, 24], maxZoom: 16 });
  };
  let last = [];
  return {
    tasks(list) {
      last = list;
      layer.clearLayers();
      for (const c of list.filter((x) => x.location))
        L.circleMarker([c.location.lat, c.location.lon], {
          radius: 9, color: '#fff', weight: 3, fillColor: c.kind === 'emergency' ? '#b3261e' : '#c77700', fillOpacity: 1,
        }).bindTooltip(c.tracking_code).addTo(layer);
      if (!fitted) { fit(list); fitted = list.some((c) => c.location); }
    },
    position(lat, lon, acc) {
      if (!me) {
        me = L.circleMarker([lat, lon], { radius: 8, color: '#fff', weight: 3, fillColor: '#0b5cad', fillOpacity: 1 })
          .bindTooltip(t('my_position')).addTo(map);
        fit(last);
      } else me.setLatLng([lat, lon]);
      node.dataset.me = lat.toFixed(5) + ',' + lon.toFixed(5) + (acc ? ',' + Math.round(acc) : '');
    },
    markers() { return layer.getLayers().length; },
    remove() { map.remove(); },
  };
}

export async function fieldView(root) {
  const userId = state.me.user.id;
  const net = el('p', { class: 'net', id: 'net', role: 'status' });
  const box = el('div', { id: 'outbox-box' });
  const mapNode = el('div', { class: 'field-map', id: 'field-map', role: 'region', 'aria-label': t('task_map') });
  const list = el('div', { class: 'tasks', id: 'tasks' });
  const done = el('section', { class: 'card done-today', id: 'done-today', 'aria-labelledby': 'h-done' });
  root.append(el('h1', {}, t('my_cases')), net, box, mapNode, list, done);
  let tasks = null, queued = [];
  const map = taskMap(mapNode);

  const act = {
    async transition(c, body) {
      try { await outbox.queueTransition(userId, c, body); } catch (e) { flash(e.message); return; }
      act.send();
    },
    async photos(c, files) {
      for (const f of files) {
        try {
          await outbox.queuePhoto(userId, c, await outbox.shrink(f));
        } catch (_) { flash(t('photo_unreadable') + ' (' + f.name + ')'); }
      }
      act.send();
    },
    send() { outbox.drain().catch(() => {}); },
  };

  function showNet() {
    net.textContent = navigator.onLine ? '' : t('offline_now');
    net.hidden = navigator.onLine;
    if (tasks && tasks.saved) net.append(el('span', { class: 'muted' }, ' ' + t('tasks_as_of') + ' ' + when(tasks.saved, getLang())));
  }

  function render() {
    showNet();
    clear(box).append(outboxPanel(queued, act));
    if (!tasks) return;
    // Typing the result for the reporter: do not pull the form away.
    if (document.activeElement && list.contains(document.activeElement) && document.activeElement.tagName === 'TEXTAREA') return;
    clear(list);
    clear(done).append(el('h2', { id: 'h-done' }, t('done_today')), doneToday(tasks.resolved_today));
    if (!tasks.teams.length) { list.append(el('p', { class: 'muted' }, t('no_team'))); done.hidden = true; mapNode.hidden = true; return; }
    done.hidden = false;
    const open = tasks.items.filter((c) => effectiveStatus(c, queued.filter((x) => x.state === 'waiting')) !== 'resolved');
    if (!open.length) list.append(el('p', { class: 'muted' }, t('no_field_cases')));
    for (const c of open) list.append(card(c, queued, act));
    if (map) map.tasks(tasks.items);
  }

  async function load() {
    const j = await get('/api/v1/me/tasks');
    j.saved = navigator.onLine ? null : localStorage.getItem('aduan.tasksAt');
    if (navigator.onLine) localStorage.setItem('aduan.tasksAt', new Date().toISOString());
    tasks = j;
    render();
  }

  async function refreshQueue() {
    const old = queued;
    queued = await outbox.items(userId);
    const now = new Set(queued.map((x) => x.seq));
    // A photo that left the outbox without the officer dropping it was sent:
    // its thumbnail stays on the card.
    for (const x of old) {
      if (x.kind !== 'photo' || now.has(x.seq) || !urls.has(x.seq)) continue;
      if (!dropped.has(x.seq)) sentThumbs.set(x.case_id, [...(sentThumbs.get(x.case_id) || []), urls.get(x.seq)]);
      urls.delete(x.seq);
    }
    render();
  }

  const stopOutbox = outbox.onChange(() => { refreshQueue().catch(() => {}); });
  const onSent = () => { flash(t('q_sent_ok'), 'ok'); load().catch(() => {}); };
  const onNet = () => { showNet(); refreshQueue().catch(() => {}); if (navigator.onLine) load().catch(() => {}); };
  window.addEventListener('aduan:outbox-sent', onSent);
  window.addEventListener('online', onNet);
  window.addEventListener('offline', onNet);
  let watch = null;
  if (map && navigator.geolocation)
    watch = navigator.geolocation.watchPosition(
      (p) => map.position(p.coords.latitude, p.coords.longitude, p.coords.accuracy),
      () => { mapNode.dataset.me = ''; }, { enableHighAccuracy: true, maximumAge: 30000, timeout: 20000 });

  await refreshQueue();
  await load();
  act.send();
  const timer = setInterval(() => { if (navigator.onLine) load().catch(() => {}); }, 30000);
  return () => {
    clearInterval(timer);
    stopOutbox();
    window.removeEventListener('aduan:outbox-sent', onSent);
    window.removeEventListener('online', onNet);
    window.removeEventListener('offline', onNet);
    if (watch !== null) navigator.geolocation.clearWatch(watch);
    if (map) map.remove();
  };
}
