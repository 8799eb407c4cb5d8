// Every call the console makes: the documented JSON API (/openapi.json), same origin, with
// the session cookie; X-CSRF-Token on calls that change something; X-Brook-Console so a
// 401 carries no Basic challenge (no browser password dialog over the login page).
let csrf = null;
let onLoggedOut = () => {};

export function setSession(session) {
  csrf = session && session.csrf_token;
}
export function whenLoggedOut(f) {
  onLoggedOut = f;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function call(method, path, body, extraHeaders) {
  const headers = { 'X-Brook-Console': '1', Accept: 'application/json', ...extraHeaders };
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = headers['Content-Type'] || 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 0, 'The server cannot be reached: ' + e.message);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    if (res.status === 401 && path !== '/v1/session') onLoggedOut();
    const message = (data && data.message) || `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, data && data.error_code, message);
  }
  return data;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body === undefined ? {} : body);
export const put = (path, body) => call('PUT', path, body === undefined ? {} : body);
export const del = (path) => call('DELETE', path);

// A path segment: every name (a topic with '/' or '?') stays one segment.
export const seg = (s) => encodeURIComponent(s);

// Which of these the caller may do: [{operation, resource_type, resource_name}] -> [bool].
export async function allowed(checks) {
  if (!checks.length) return [];
  const r = await post('/v1/authorize', { checks });
  return r.results.map((x) => x.allowed);
}

let cluster = null;
export async function clusterId() {
  if (!cluster) cluster = (await get('/v3/clusters')).data[0].cluster_id;
  return cluster;
}
