// Keyboard shortcuts for the common actions (issue 18), listed in a dialog
// opened with `?`. The page in view registers what its keys do
// (pageKeys); `?` and `g i` work everywhere. A key never fires while the
// user types in a field, nor with Ctrl, Alt or Meta held (those belong to
// the browser and the screen reader).
import { t } from './i18n.js';
import { el } from './util.js';

// key -> [text key of what it does, where]; the dialog's rows, in order.
const LIST = [
  ['j', 'key_next', 'key_where_inbox'],
  ['k', 'key_prev', 'key_where_inbox'],
  ['Enter', 'key_open', 'key_where_inbox'],
  ['x', 'key_select', 'key_where_inbox'],
  ['/', 'key_search', 'key_where_inbox'],
  ['a', 'key_assign_me', 'key_where_both'],
  ['r', 'key_reply', 'key_where_case'],
  ['v', 'key_verify', 'key_where_case'],
  ['g i', 'key_go_inbox', 'key_where_all'],
  ['?', 'key_help', 'key_where_all'],
  ['Esc', 'key_close', 'key_where_all'],
];

let handlers = {};
let pendingG = 0; // the time `g` was pressed, waiting for its second key
let dialog = null;

// The current page's keys: { j: fn, k: fn, ... }. Returns the cleanup
// that removes them (call it when the page goes).
export function pageKeys(map) {
  handlers = map;
  return () => { if (handlers === map) handlers = {}; };
}

// Typing in a field, or a key the browser owns.
function typing(ev) {
  const n = ev.target;
  if (ev.ctrlKey || ev.altKey || ev.metaKey || ev.isComposing) return true;
  if (!n || !n.tagName) return false;
  const tag = n.tagName.toLowerCase();
  if (tag === 'input') return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(n.type);
  return tag === 'textarea' || tag === 'select' || n.isContentEditable;
}

function helpDialog() {
  if (dialog) return dialog;
  const rows = LIST.map(([key, what, where]) => el('tr', {},
    el('th', { scope: 'row' }, key.split(' ').map((k, i) => [i ? ' ' : null, el('kbd', {}, k)])),
    el('td', {}, t(what)), el('td', { class: 'muted' }, t(where))));
  const close = el('button', { type: 'button', id: 'shortcuts-close', class: 'primary' }, t('close'));
  dialog = el('dialog', { id: 'shortcuts', class: 'card shortcuts', 'aria-labelledby': 'shortcuts-title' },
    el('h2', { id: 'shortcuts-title' }, t('key_title')),
    el('p', { class: 'muted' }, t('key_hint')),
    el('table', {}, el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('key_key')),
      el('th', { scope: 'col' }, t('key_action')), el('th', { scope: 'col' }, t('key_where')))),
    el('tbody', {}, rows)),
    el('p', {}, close));
  close.addEventListener('click', () => dialog.close());
  // Focus goes back where it was (the native dialog restores it too in
  // recent browsers; older ones need this).
  let before = null;
  dialog.addEventListener('close', () => {
    if (before && before.isConnected) before.focus();
    before = null;
  });
  dialog.openFrom = () => { before = document.activeElement; dialog.showModal(); close.focus(); };
  document.body.append(dialog);
  return dialog;
}

// The dialog again in the chosen language (after the language switch).
export function resetShortcuts() {
  if (dialog) { dialog.remove(); dialog = null; }
}

export function openShortcuts() {
  const d = helpDialog();
  if (!d.open) d.openFrom();
}

function onKey(ev) {
  if (dialog && dialog.open) return; // the dialog's own keys: Tab, Esc, Enter on its button
  if (typing(ev)) return;
  const k = ev.key;
  if (k === '?') {
    ev.preventDefault();
    openShortcuts();
    return;
  }
  if (pendingG && Date.now() - pendingG < 1500) {
    pendingG = 0;
    if (k === 'i') {
      ev.preventDefault();
      location.hash = '#/inbox';
    }
    return;
  }
  pendingG = 0;
  if (k === 'g') {
    pendingG = Date.now();
    return;
  }
  const fn = handlers[k];
  if (!fn) return;
  // Enter on a link or button does what that control does.
  if (k === 'Enter' && ev.target && ev.target.closest && ev.target.closest('a, button')) return;
  if (fn(ev) !== false) ev.preventDefault();
}

let installed = false;
export function installShortcuts() {
  if (installed) return;
  installed = true;
  document.addEventListener('keydown', onKey);
}

// A small clickable hint for the page footer: "? Pintasan keyboard".
export function shortcutsHint() {
  return el('button', { type: 'button', class: 'link keys-hint', id: 'keys-hint', onclick: openShortcuts },
    el('kbd', {}, '?'), ' ', t('key_title'));
}
