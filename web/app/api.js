// The JSON API: same-origin cookie session, the CSRF token on every
// change, the chosen language to the server.
import { getLang, t } from './i18n.js';

let csrf = null;

export function setCsrf(token) { csrf = token; }

export class ApiError extends Error {
  constructor(status, code, message, detail, retryAfter) {
    super(message + (detail ? ' (' + detail + ')' : ''));
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter || null; // the Retry-After header, when sent
  }
}

export async function api(method, path, body, contentType, extraHeaders) {
  const headers = { 'Accept-Language': getLang(), ...(extraHeaders || {}) };
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let payload;
  if (body instanceof Blob || body instanceof ArrayBuffer) {
    payload = body;
    headers['Content-Type'] = contentType || body.type || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', cache: 'no-store' });
  } catch (_) {
    throw new ApiError(0, 'network', t('err_network'));
  }
  let j = null;
  try { j = await res.json(); } catch (_) { j = null; }
  if (!res.ok) {
    const e = (j && j.error) || {};
    // The session ended (expired, or logged out elsewhere): back to the login.
    if (res.status === 401 && path !== '/api/v1/auth/login' && path !== '/api/v1/me')
      window.dispatchEvent(new Event('aduan:session-ended'));
    throw new ApiError(res.status, e.code || 'http_' + res.status, e.message || res.statusText, e.detail,
      res.headers.get('Retry-After'));
  }
  return j;
}

export const get = (p) => api('GET', p);
export const post = (p, b, ct) => api('POST', p, b, ct);

export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? '?' + s : '';
}
