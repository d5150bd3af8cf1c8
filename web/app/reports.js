// "Laporan": the figures for the desk and the leadership. The activity of
// officers and teams (GET /api/v1/reports/activity, also as CSV), the
// monthly PDF (GET /api/v1/reports/monthly.pdf) and the CSV export of the
// cases with the inbox's current filters.
import { get, post, qs } from './api.js';
import { t, getLang } from './i18n.js';
import { el, clear, when } from './util.js';
import { state } from './app.js';
import { currentFilters, exportUrl } from './inbox.js';
import { agenciesWith, duration } from './sla.js';

export const REPORT_ROLES = ['superadmin', 'admin', 'supervisor', 'viewer'];

// YYYY-MM-DD of `d` in the agency's time zone (the API reads dates as
// the agency's local dates), the browser's own when it is unknown.
export function ymd(d, tz) {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: tz || undefined, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  } catch (_) {
    return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  }
}

function activityTable(rows, officer) {
  const heads = [t('name'), t('cases_n'), officer ? t('actions_n') : t('started_n'), t('resolved_n'),
    t('avg_response'), t('avg_resolution'), t('sla_breaches')];
  return el('table', { class: 'cases activity', id: officer ? 'activity-officers' : 'activity-teams' },
    el('caption', {}, officer ? t('officers') : t('teams')),
    el('thead', {}, el('tr', {}, heads.map((h, i) => el('th', { scope: 'col', class: i ? 'num' : null }, h)))),
    el('tbody', {}, rows.map((r) => el('tr', { 'data-id': officer ? r.user_id : r.team_id },
      el('th', { scope: 'row' }, r.name || '#' + (officer ? r.user_id : r.team_id)),
      el('td', { class: 'num' }, String(r.cases)),
      el('td', { class: 'num' }, String(officer ? r.actions : r.started)),
      el('td', { class: 'num' }, String(r.resolved)),
      el('td', { class: 'num', 'data-seconds': r.avg_response_seconds ?? '' }, duration(r.avg_response_seconds)),
      el('td', { class: 'num', 'data-seconds': r.avg_resolution_seconds ?? '' }, duration(r.avg_resolution_seconds)),
      el('td', { class: 'num' }, String(r.sla_breaches))))));
}

export async function reportsView(root) {
  const lang = getLang();
  const agencies = agenciesWith(state.me, state.ref, REPORT_ROLES);
  root.append(el('h1', {}, t('reports_title')));
  if (!agencies.length) { root.append(el('p', { class: 'muted' }, t('no_actions'))); return null; }
  const now = new Date();
  const tz = agencies[0].timezone;
  const agencySelect = (id) => el('select', { id, name: 'agency' }, agencies.map((a) => el('option', { value: a.id }, a.name)));

  // The activity report.
  const out = el('div', { id: 'activity-out', 'aria-live': 'polite' });
  const csv = el('a', { class: 'button', id: 'activity-csv', download: '' }, t('download_csv'));
  const af = el('form', { class: 'filters', id: 'activity-form' },
    el('div', { class: 'field' }, el('label', { for: 'a-agency' }, t('agency')), agencySelect('a-agency')),
    el('div', { class: 'field' }, el('label', { for: 'a-from' }, t('from')),
      el('input', { id: 'a-from', name: 'from', type: 'date', required: true, value: ymd(new Date(now.getTime() - 29 * 86400000), tz) })),
    el('div', { class: 'field' }, el('label', { for: 'a-to' }, t('to')),
      el('input', { id: 'a-to', name: 'to', type: 'date', required: true, value: ymd(now, tz) })),
    el('div', { class: 'field buttons' }, el('button', { type: 'submit', class: 'primary' }, t('show')), csv));
  const params = () => ({ agency: af.elements.agency.value, from: af.elements.from.value, to: af.elements.to.value });
  async function loadActivity() {
    const p = params();
    csv.href = '/api/v1/reports/activity' + qs({ ...p, format: 'csv', lang: lang === 'en' ? 'en' : null });
    clear(out).append(el('p', { class: 'muted' }, t('loading')));
    try {
      const j = await get('/api/v1/reports/activity' + qs(p));
      clear(out).append(...[
        el('p', { id: 'activity-totals' }, el('strong', {}, t('totals') + ': '),
          [t('cases_n') + ' ' + j.totals.cases, t('resolved_n') + ' ' + j.totals.resolved,
            t('sla_breaches') + ' ' + j.totals.sla_breaches, t('events_n') + ' ' + j.totals.events].join(' · '),
          el('span', { class: 'muted' }, ' (' + when(j.from, lang) + ' – ' + when(j.to, lang) + ')')),
        j.truncated ? el('p', { class: 'error' }, t('truncated')) : null,
        j.officers.length || j.teams.length
          ? [el('div', { class: 'table-wrap' }, activityTable(j.officers, true)),
            el('div', { class: 'table-wrap' }, activityTable(j.teams, false))]
          : el('p', { class: 'muted' }, t('no_rows')),
      ].flat().filter(Boolean));
    } catch (e) {
      clear(out).append(el('p', { class: 'error', role: 'alert' }, e.message));
    }
  }
  af.addEventListener('submit', (ev) => { ev.preventDefault(); loadActivity(); });
  af.elements.agency.addEventListener('change', loadActivity);

  // The monthly PDF.
  const pdf = el('a', { class: 'button primary', id: 'monthly-pdf', download: '' }, t('download_pdf'));
  const mf = el('form', { class: 'filters', id: 'monthly-form' },
    el('div', { class: 'field' }, el('label', { for: 'm-agency' }, t('agency')), agencySelect('m-agency')),
    el('div', { class: 'field' }, el('label', { for: 'm-month' }, t('month')),
      el('input', { id: 'm-month', name: 'month', type: 'month', required: true, value: ymd(now, tz).slice(0, 7) })),
    el('div', { class: 'field buttons' }, pdf));
  const pdfHref = () => {
    pdf.href = '/api/v1/reports/monthly.pdf' + qs({ agency: mf.elements.agency.value, month: mf.elements.month.value });
  };
  mf.addEventListener('input', pdfHref);
  mf.addEventListener('change', pdfHref);
  mf.addEventListener('submit', (ev) => ev.preventDefault());
  pdfHref();

  // The district's logo on the report's kop (issue 18): the superadmin's.
  let logo = null;
  if (state.me.roles.some((r) => r.role === 'superadmin')) {
    const file = el('input', { id: 'logo-file', type: 'file', accept: 'image/png,image/jpeg' });
    const status = el('p', { id: 'logo-status', role: 'status' });
    logo = el('form', { class: 'filters', id: 'logo-form' },
      el('div', { class: 'field' }, el('label', { for: 'logo-file' }, t('logo_label')), file),
      el('div', { class: 'field buttons' }, el('button', { type: 'submit', id: 'logo-upload' }, t('logo_upload'))),
      status);
    logo.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      status.className = '';
      const f = file.files[0];
      if (!f) { status.textContent = t('logo_pick'); status.className = 'error'; return; }
      try {
        await post('/api/v1/admin/logo', f, f.type || 'application/octet-stream');
        status.textContent = t('logo_saved');
        file.value = '';
      } catch (e) {
        status.textContent = e.message;
        status.className = 'error';
      }
    });
  }

  // The CSV export with the inbox's filters.
  const f = currentFilters();
  const shown = Object.entries(f).map(([k, v]) => k + '=' + v).join(', ');
  const exp = el('section', { class: 'card', 'aria-labelledby': 'h-export' },
    el('h2', { id: 'h-export' }, t('export_title')),
    el('p', {}, t('export_hint') + ' ', el('span', { id: 'export-filters' }, shown || t('no_filters')), ' · ',
      el('a', { href: '#/inbox' }, t('inbox'))),
    el('a', { class: 'button', id: 'report-export-csv', href: exportUrl(f), download: '' }, t('download_csv')));

  root.append(
    el('section', { class: 'card', 'aria-labelledby': 'h-activity' }, el('h2', { id: 'h-activity' }, t('activity')), af, out),
    el('section', { class: 'card', 'aria-labelledby': 'h-monthly' }, el('h2', { id: 'h-monthly' }, t('monthly')), mf, logo),
    exp);
  await loadActivity();
  return null;
}
