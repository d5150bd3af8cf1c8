// Figures shared by the inbox, the case page and the reports: the SLA
// badge (text and symbol, never colour alone), durations and distances.
import { t, getLang } from './i18n.js';
import { el } from './util.js';

const SYMBOL = { on_time: '✓', due_soon: '!', overdue: '⚠' };

// The badge of a case's SLA state; null when nothing is due from staff.
export function slaBadge(state, title) {
  if (!state || !SYMBOL[state]) return null;
  return el('span', { class: 'sla sla-' + state, 'data-sla': state, title: title || null },
    el('span', { 'aria-hidden': 'true' }, SYMBOL[state] + ' '), t('sla_' + state));
}

export function stageLabel(stage) {
  const k = 'st_' + stage;
  return t(k) !== k ? t(k) : stage || '';
}

// 45 s, 12 menit, 3 jam 5 menit, 2 hari 4 jam.
export function duration(sec) {
  if (sec == null) return '—';
  const en = getLang() === 'en';
  const s = Math.max(0, Math.round(Number(sec)));
  const u = en ? { s: ' s', m: ' min', h: ' h', d: ' d' } : { s: ' detik', m: ' menit', h: ' jam', d: ' hari' };
  if (s < 60) return s + u.s;
  if (s < 3600) return Math.floor(s / 60) + u.m;
  if (s < 86400) {
    const m = Math.floor((s % 3600) / 60);
    return Math.floor(s / 3600) + u.h + (m ? ' ' + m + u.m : '');
  }
  const h = Math.floor((s % 86400) / 3600);
  return Math.floor(s / 86400) + u.d + (h ? ' ' + h + u.h : '');
}

// 850 m, 3,2 km (the decimal comma in Indonesian).
export function distance(m) {
  if (m == null) return t('no_distance');
  if (m < 1000) return Math.round(m) + ' m';
  return (m / 1000).toLocaleString(getLang() === 'en' ? 'en-GB' : 'id-ID', { maximumFractionDigits: 1 }) + ' km';
}

// The agencies where the user has one of `wanted` roles (a superadmin: all).
export function agenciesWith(me, ref, wanted) {
  const rs = me.roles.filter((r) => wanted.includes(r.role));
  if (rs.some((r) => r.agency_id === 0 || r.role === 'superadmin')) return ref.agencies;
  return ref.agencies.filter((a) => rs.some((r) => r.agency_id === a.id));
}
