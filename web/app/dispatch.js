// The case page's dispatch figures: the SLA deadline of the current step,
// the nearest teams for the dispatch action, the response times, the
// duplicate / merge links, and the canned replies of the reply box.
import { get, post, qs } from './api.js';
import { t, getLang } from './i18n.js';
import { el, clear, when } from './util.js';
import { flash } from './app.js';
import { slaBadge, stageLabel, duration, distance } from './sla.js';

// <dt>/<dd> pairs for the case facts: the current step's deadline.
export function slaFacts(c) {
  const lang = getLang();
  const s = c.sla;
  if (!c.sla_state || !s) return [el('dt', {}, t('sla')), el('dd', { id: 'case-sla', 'data-sla': '' }, t('sla_none'))];
  const esc = s.escalation && s.escalation !== 'none' ? t('esc_' + s.escalation) : null;
  return [
    el('dt', {}, t('sla')),
    el('dd', { id: 'case-sla', 'data-sla': c.sla_state },
      slaBadge(c.sla_state), ' ', stageLabel(s.stage), ': ', t('sla_due').toLowerCase(), ' ',
      el('time', { datetime: s.due_at }, when(s.due_at, lang)),
      s.resolve_due_at ? [el('br'), t('sla_resolve_due') + ' ', el('time', { datetime: s.resolve_due_at }, when(s.resolve_due_at, lang))] : null,
      esc ? el('span', { class: 'muted' }, ' (' + esc + ')') : null),
  ];
}

function optionLabel(x) {
  const duty = x.on_duty > 0 ? x.on_duty + ' ' + t('on_duty') : t('nobody_on_duty');
  return x.team_name + ' · ' + distance(x.distance_m) + ' · ' + duty;
}

// Fills the dispatch form's team list from GET .../dispatch-suggestions:
// on duty first, nearest first; the server's suggestion preselected. The
// teams of the reference data stay when the suggestions cannot be had.
export async function fillSuggestions(c, select, box) {
  // A team the user picked before the suggestions arrived stays picked.
  let touched = false;
  select.addEventListener('change', () => { touched = true; }, { once: true });
  let j;
  try {
    j = await get('/api/v1/cases/' + c.id + '/dispatch-suggestions');
  } catch (_) {
    return;
  }
  if (!j.items.length) return;
  const keep = select.value;
  clear(select);
  for (const x of j.items)
    select.append(el('option', { value: x.team_id, 'data-distance': x.distance_m == null ? '' : x.distance_m,
      selected: (!touched && x.suggested) || null }, optionLabel(x)));
  if (touched && keep) select.value = keep;
  clear(box).append(
    el('table', { class: 'cases suggestions', id: 'suggestions' },
      el('caption', {}, t('suggestions')),
      el('thead', {}, el('tr', {}, [t('team'), t('distance'), t('on_duty')].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, j.items.map((x) => el('tr', { 'data-team': x.team_id, class: x.suggested ? 'suggested' : null },
        el('td', {}, x.team_name, x.suggested ? el('span', { class: 'badge ok' }, t('suggested')) : null),
        el('td', { class: 'num' }, distance(x.distance_m)),
        el('td', { class: 'num' }, x.on_duty > 0 ? String(x.on_duty) : t('nobody_on_duty')))))));
}

async function caseCode(id) {
  try { return (await get('/api/v1/cases/' + id)).tracking_code; } catch (_) { return '#' + id; }
}

function caseLink(id) {
  const a = el('a', { href: '#/case/' + id, class: 'code' }, '#' + id);
  caseCode(id).then((code) => { a.textContent = code; });
  return a;
}

// The dispatch card: response times (reported → accepted → on site), the
// master case and followers, merge and split for the agency's desk.
export function dispatchCard(c, desk, rerender) {
  const lang = getLang();
  const d = c.dispatch && typeof c.dispatch === 'object' ? c.dispatch : null;
  const card = el('section', { class: 'card', id: 'dispatch', 'aria-labelledby': 'h-dispatch' },
    el('h2', { id: 'h-dispatch' }, t('dispatch')));
  if (!d) return card.append(el('p', { class: 'muted' }, '—')), card;
  const rs = d.response_seconds || {};
  const step = (key, at, secs) => el('li', { 'data-step': key, class: at ? 'done' : 'todo' },
    el('span', { class: 'what' }, t(key)), ' ',
    at ? el('time', { datetime: at }, when(at, lang)) : el('span', { class: 'muted' }, t('not_yet')),
    secs != null ? el('span', { class: 'after', 'data-seconds': secs }, ' (+' + duration(secs) + ')') : null);
  card.append(
    el('h3', {}, t('response_times')),
    el('ol', { class: 'steps', id: 'response-times' },
      step('t_reported', c.created_at, null),
      step('t_accepted', d.accepted_at, rs.to_accept),
      step('t_on_site', d.on_site_at, rs.to_on_site)));
  const facts = el('dl', { class: 'facts' });
  if (d.accepted_by) facts.append(el('dt', {}, t('accepted_by')), el('dd', {}, d.accepted_by.name || '#' + d.accepted_by.id));
  if (d.alert_round) facts.append(el('dt', {}, t('alert_round')), el('dd', {}, String(d.alert_round)));
  if (d.community_group) facts.append(el('dt', {}, t('community_group')), el('dd', {}, d.community_group.name));
  if (d.follows) facts.append(el('dt', {}, t('follows')), el('dd', { id: 'follows' }, caseLink(d.follows)));
  else if (d.duplicate_of) facts.append(el('dt', {}, t('duplicate_of')), el('dd', { id: 'duplicate-of' }, caseLink(d.duplicate_of)));
  facts.append(el('dt', {}, t('followers_h')),
    el('dd', { id: 'followers', 'data-n': d.followers || 0 }, d.followers ? d.followers + ' ' + t('followers') : t('no_followers')));
  card.append(facts);
  if (!desk) return card;

  const err = el('p', { class: 'error', role: 'alert' });
  const run = async (path, body, ok) => {
    err.textContent = '';
    try {
      await post('/api/v1/cases/' + c.id + path, body);
      flash(t(ok), 'ok');
      rerender();
    } catch (e) { err.textContent = e.message; }
  };
  if (d.follows || d.duplicate_of)
    card.append(el('div', { class: 'buttons' }, el('button', { type: 'button', id: 'split', onclick: () => run('/split', {}, 'split_ok') }, t('split'))));
  if (!d.follows && !d.followers) {
    const f = el('form', { class: 'action-form', id: 'merge-form' },
      el('h3', {}, t('merge')),
      el('label', { for: 'merge-master' }, t('master_id')),
      el('input', { id: 'merge-master', name: 'master_id', type: 'number', min: 1, step: 1, required: true, inputmode: 'numeric', value: d.duplicate_of || '' }),
      el('label', { for: 'merge-note' }, t('note')),
      el('textarea', { id: 'merge-note', name: 'note', rows: 2, maxlength: 2000 }),
      el('div', { class: 'buttons' }, el('button', { type: 'submit' }, t('merge'))));
    f.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const master = Number(f.elements.master_id.value);
      if (!Number.isInteger(master) || master <= 0) { err.textContent = t('master_id'); f.elements.master_id.focus(); return; }
      const body = { master_id: master };
      if (f.elements.note.value.trim()) body.note = f.elements.note.value.trim();
      run('/merge', body, 'merged_ok');
    });
    card.append(f);
  }
  card.append(err);
  return card;
}

// The agency's canned replies above the reply box; "Sisipkan" puts the
// chosen one at the cursor. Nothing is shown when the agency has none.
// A canned reply's placeholders filled in for case c (issue 18): {nama} the
// reporter's name, {kode} the tracking code, {tim} the case's team; a
// polite general word when the case has none (an anonymous reporter, no
// team yet), in the reply's language. Other braces stay as written.
export function fillCanned(body, c, lang) {
  const en = lang === 'en';
  const name = c.reporter && c.reporter.name && !c.anonim ? c.reporter.name : (en ? 'Sir/Madam' : 'Bapak/Ibu');
  const vals = {
    nama: name,
    kode: c.tracking_code || '',
    tim: c.team && c.team.name ? c.team.name : (en ? 'our team' : 'tim kami'),
  };
  return body.replace(/\{(nama|kode|tim)\}/g, (_, k) => vals[k]);
}

export function cannedPicker(c, ta) {
  const box = el('div', { class: 'canned', id: 'canned', hidden: true });
  get('/api/v1/canned-replies' + qs({ agency: c.agency.id })).then((j) => {
    if (!j.items.length) return;
    const sel = el('select', { id: 'canned-select', 'aria-label': t('canned') },
      el('option', { value: '' }, t('canned_pick')),
      j.items.map((x) => el('option', { value: x.id, lang: x.lang }, x.title + (x.lang === 'en' ? ' (EN)' : ''))));
    const insert = () => {
      const x = j.items.find((i) => String(i.id) === sel.value);
      if (!x) return;
      const body = fillCanned(x.body, c, x.lang);
      const s = ta.selectionStart ?? ta.value.length, e = ta.selectionEnd ?? ta.value.length;
      ta.value = ta.value.slice(0, s) + body + ta.value.slice(e);
      ta.focus();
      ta.setSelectionRange(s + body.length, s + body.length);
    };
    box.append(el('label', { for: 'canned-select' }, t('canned')),
      el('div', { class: 'row' }, sel, el('button', { type: 'button', id: 'canned-insert', onclick: insert }, t('insert'))));
    box.hidden = false;
  }).catch(() => { /* the reply box works without them */ });
  return box;
}
