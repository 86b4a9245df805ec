// The gateway's client API as the page uses it: JSON over fetch, the bearer token in memory only.

/** A failed call, with the problem+json detail when the gateway sent one. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let token = '';

export const setToken = (value) => {
  token = value;
};

let onUnauthenticated = () => {};

/** Called when the gateway refuses the token (expired, logged out elsewhere). */
export const whenUnauthenticated = (callback) => {
  onUnauthenticated = callback;
};

const problemText = (status, body) => {
  if (body && typeof body === 'object') {
    const fields = Array.isArray(body.errors) ? body.errors.map((e) => `${e.field}: ${e.message}`) : [];
    const detail = body.detail ?? body.title ?? `HTTP ${status}`;
    return fields.length > 0 ? `${detail} (${fields.join('; ')})` : detail;
  }
  return `HTTP ${status}`;
};

/** Calls the gateway; resolves to the JSON body, or throws an ApiError. */
export const api = async (method, path, body) => {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (response.status === 401 && token) onUnauthenticated();
  if (!response.ok) throw new ApiError(response.status, problemText(response.status, parsed));
  return parsed;
};

/** The WebSocket URL of a path on this gateway (ws: or wss: as the page was loaded). */
export const socketUrl = (path) => `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;

/** Opens a gateway WebSocket with the token as the subprotocol after `bearer`. */
export const openSocket = (path) => new WebSocket(socketUrl(path), ['bearer', token]);
