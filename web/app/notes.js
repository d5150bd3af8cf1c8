// Internal notes and messages to the reporter (issue #13), and how the
// case page shows a conversation: WhatsApp's own formatting, the
// reporter's other cases, the template rule for walk-in reporters.
// Every text from the server goes into the page as text nodes (el()),
// never as HTML: a message's markup stays text, only WhatsApp's markers
// become elements.
import { t, getLang } from './i18n.js';
import { el, when } from './util.js';

// WhatsApp's markers: *bold*, _italic_, ~strikethrough~.
const MARKS = { '*': 'strong', _: 'em', '~': 's' };

// A marker opens or closes only next to a word's edge, as WhatsApp does:
// "2*3*4" and "snake_case_name" stay as typed.
const wordChar = (ch) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
const space = (ch) => ch === undefined || /\s/.test(ch);

// The closing marker of the one at i, or -1: on the same line, after at
// least one character, with no space just inside and no letter just outside.
function closing(s, i) {
  const c = s[i];
  for (let j = i + 2; j < s.length; j++) {
    if (s[j] === '\n') return -1;
    if (s[j] === c && !space(s[j - 1]) && !wordChar(s[j + 1])) return j;
  }
  return -1;
}

// The nodes of text with WhatsApp's formatting applied (nested markers too).
export function waFormat(text) {
  const out = [];
  let plain = '';
  const s = String(text == null ? '' : text);
  for (let i = 0; i < s.length; i++) {
    const tag = MARKS[s[i]];
    const end = tag && !wordChar(s[i - 1]) && !space(s[i + 1]) ? closing(s, i) : -1;
    if (end < 0) {
      plain += s[i];
      continue;
    }
    if (plain) out.push(document.createTextNode(plain));
    plain = '';
    out.push(el(tag, {}, waFormat(s.slice(i + 1, end))));
    i = end;
  }
  if (plain) out.push(document.createTextNode(plain));
  return out;
}

// The label of the message to the reporter for an action of the form.
function publicLabel(a) {
  if (!a.needs_public_note) return t('public_note');
  if (a.action === 'resolve') return t('public_result');
  if (a.action === 'reject') return t('public_reject');
  if (a.action === 'hold') return t('public_hold');
  return t('public_note_required');
}

// The two text fields of a transition form: the internal note (always)
// and, on a step the reporter is told of, the message to the reporter.
// A required message comes first.
export function noteFields(a, id) {
  const badge = (kind) => el('span', { class: 'nbadge ' + kind }, t(kind === 'public' ? 'badge_public' : 'badge_internal'));
  const internal = el('div', { class: 'note-field note-internal' },
    el('label', { for: id + '-note' }, badge('internal'), ' ', a.needs_note ? t('note_internal_reason') : t('note_internal')),
    el('textarea', { id: id + '-note', name: 'note', rows: 2, maxlength: 2000 }));
  if (!a.public) return [internal];
  const pub = el('div', { class: 'note-field note-public' },
    el('label', { for: id + '-public' }, badge('public'), ' ', publicLabel(a)),
    el('textarea', { id: id + '-public', name: 'public_note', rows: 3, maxlength: 2000, required: a.needs_public_note }));
  return a.needs_public_note ? [pub, internal] : [internal, pub];
}

// The note fields of a submitted form: {body} to send, or {error, focus}.
export function readNotes(f, a) {
  const body = {};
  const note = f.elements.note.value.trim();
  const pub = f.elements.public_note ? f.elements.public_note.value.trim() : '';
  if (note) body.note = note;
  if (pub) body.public_note = pub;
  if (a.needs_public_note && !pub) return { error: publicLabel(a), focus: f.elements.public_note };
  if (a.needs_note && !note && !pub) return { error: t('note_internal_reason'), focus: f.elements.note };
  return { body };
}

// An event's texts on the timeline, each marked: what the reporter read
// (public, or sent only: an operator's message) and the internal note.
// The internal note as people read it: the server records which file an
// identity-document view opened as "attachment <id>".
function noteText(ev) {
  const m = ev.action === 'document_view' && /^attachment (\d+)$/.exec(ev.note || '');
  return m ? t('file_no') + ' ' + m[1] : ev.note;
}

export function eventNotes(ev) {
  const out = [];
  if (ev.public_note)
    out.push(el('p', { class: 'note note-public', 'data-kind': 'public' },
      el('span', { class: 'nbadge public' }, t(ev.public ? 'badge_public' : 'badge_to_reporter')), ' ', ev.public_note));
  if (ev.note)
    out.push(el('p', { class: 'note note-internal', 'data-kind': 'internal' },
      el('span', { class: 'nbadge internal' }, t('badge_internal')), ' ', noteText(ev)));
  return out;
}

// The reporter's other cases with this agency, as links (null: none for
// this role).
export function otherCasesPanel(conv) {
  if (!conv || !conv.chat || !Array.isArray(conv.other_cases)) return null;
  const lang = getLang();
  return el('aside', { class: 'other-cases', id: 'other-cases', 'aria-labelledby': 'h-other' },
    el('h3', { id: 'h-other' }, t('other_cases')),
    conv.other_cases.length
      ? el('ul', {}, conv.other_cases.map((o) => el('li', { 'data-id': o.id },
        el('a', { href: '#/case/' + o.id, class: 'code' }, o.tracking_code), ' ',
        el('span', { class: 'status s-' + o.status }, o.status_label),
        el('div', { class: 'muted' }, [o.category, when(o.created_at, lang)].filter(Boolean).join(' · ')))))
      : el('p', { class: 'muted' }, t('other_cases_none')));
}

// Why a reply to a walk-in or phone reporter goes as a template.
export function consentRule(conv) {
  if (!conv || !conv.via_consent || conv.window_open) return null;
  return el('p', { class: 'window closed', id: 'consent-rule' }, t('via_consent'));
}
