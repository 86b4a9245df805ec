// One project's collaboration session over the gateway's /collaboration socket (docs/adr/0050, 0051):
// the document and who is present, kept current from the stream; edits sent with the version they were
// made against; a dropped socket reopened from the last entry id seen, so nothing the stream holds is missed.
import { openSocket } from './api.js';

const CONFIGURATION = '/configuration/';

/** The JSON Pointer (RFC 6901) of a configuration entry. */
export const configurationPath = (key) => CONFIGURATION + key.replaceAll('~', '~0').replaceAll('/', '~1');

/** The configuration key a pointer names, or undefined for /name and /description. */
export const keyOfPath = (path) =>
  path.startsWith(CONFIGURATION) ? path.slice(CONFIGURATION.length).replaceAll('~1', '/').replaceAll('~0', '~') : undefined;

/** The value at a path of a document; undefined for a configuration key that is not there. */
export const valueAt = (document, path) => {
  const key = keyOfPath(path);
  if (key === undefined) return document[path.slice(1)];
  return Object.hasOwn(document.configuration, key) ? document.configuration[key] : undefined;
};

/** A copy of the document with the stored operations of an `edit` entry applied. */
export const applyOps = (document, ops) => {
  const next = { ...document, configuration: { ...document.configuration } };
  for (const { op, path, value } of ops) {
    const key = keyOfPath(path);
    if (key === undefined) next[path.slice(1)] = value ?? '';
    else if (op === 'remove') delete next.configuration[key];
    else next.configuration[key] = value ?? '';
  }
  return next;
};

const copyOf = (document) => ({
  name: document.name ?? '',
  description: document.description ?? '',
  configuration: { ...(document.configuration ?? {}) },
  version: Number(document.version ?? 0),
});

/** Close codes after which reopening cannot help: done, refused, not yours, logged out, too many sockets. */
const FINAL_CLOSES = new Set([1000, 1008, 4401, 4403, 4404, 4429]);
const RETRY_MS = [500, 1000, 2000, 5000, 10000];

/**
 * The session of one project. `handlers`: `state(session)` when a socket opens (first or again),
 * `document(session, entry)` after another version arrives, `presence(session)`, `answer(session,
 * message)` for the answer to one of our edits (or `edit_lost` for one sent on a socket that
 * dropped before its answer), `connection(session, status, detail)` with status `connecting`,
 * `live`, `reconnecting` or `closed`.
 */
export class CollaborationSession {
  constructor(projectId, handlers) {
    this.projectId = projectId;
    this.handlers = handlers;
    this.document = undefined;
    this.clients = new Map();
    // Every client seen in the session, also after it left: a conflict names the client of the change it lost to.
    this.userOfClient = new Map();
    this.role = '';
    this.userId = '';
    this.clientId = '';
    this.lastId = '';
    this.socket = undefined;
    this.live = false;
    this.stopped = false;
    this.retries = 0;
    this.retryTimer = undefined;
    this.pending = new Set();
    this.nextOp = 0;
  }

  start() {
    this.connect();
  }

  /** Sends a JSON Patch made against `baseVersion`; returns its op_id, or undefined when not connected. */
  edit(patch, baseVersion) {
    if (!this.live) return undefined;
    this.nextOp += 1;
    const opId = `${this.projectId}:${Date.now().toString(36)}:${this.nextOp}`;
    this.pending.add(opId);
    this.socket.send(JSON.stringify({ type: 'edit', op_id: opId, base_version: baseVersion, patch }));
    return opId;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.socket?.close(1000);
    this.socket = undefined;
    this.live = false;
  }

  connect() {
    const query = `project_id=${encodeURIComponent(this.projectId)}${this.lastId ? `&last_id=${encodeURIComponent(this.lastId)}` : ''}`;
    const socket = openSocket(`/collaboration?${query}`);
    this.socket = socket;
    this.handlers.connection(this, this.retries === 0 ? 'connecting' : 'reconnecting');
    socket.addEventListener('message', (event) => {
      if (this.socket !== socket) return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.receive(message);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.dropped(event.code, event.reason);
    });
  }

  dropped(code, reason) {
    this.live = false;
    this.socket = undefined;
    // An answer that was not received is lost with the socket; the stream tells whether the edit was stored.
    for (const opId of this.pending) this.handlers.answer(this, { type: 'edit_lost', op_id: opId });
    this.pending.clear();
    if (this.stopped) return;
    if (FINAL_CLOSES.has(code)) {
      this.stopped = true;
      this.handlers.connection(this, 'closed', `${code}${reason ? `: ${reason}` : ''}`);
      return;
    }
    const wait = RETRY_MS[Math.min(this.retries, RETRY_MS.length - 1)];
    this.retries += 1;
    this.handlers.connection(this, 'reconnecting', `closed ${code}${reason ? ` (${reason})` : ''}; again in ${wait / 1000} s`);
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  receive(message) {
    if (typeof message.id === 'string') this.lastId = message.id;
    switch (message.type) {
      case 'collaboration_state':
        this.document = copyOf(message.document);
        this.clients = new Map((message.clients ?? []).map((client) => [client.client_id, client]));
        for (const client of this.clients.values()) this.userOfClient.set(client.client_id, client.user_id);
        this.role = message.role;
        this.userId = message.user_id;
        this.clientId = message.client_id;
        this.live = true;
        this.retries = 0;
        this.handlers.state(this);
        this.handlers.connection(this, 'live');
        return;
      case 'edit':
        // The state already holds every version up to its own; later entries apply in order.
        if (!this.document || message.version <= this.document.version) return;
        this.document = { ...applyOps(this.document, message.ops ?? []), version: message.version };
        if (message.client_id) this.userOfClient.set(message.client_id, message.user_id);
        this.handlers.document(this, message);
        return;
      case 'joined':
        this.clients.set(message.client_id, { client_id: message.client_id, user_id: message.user_id, role: message.role });
        this.userOfClient.set(message.client_id, message.user_id);
        this.handlers.presence(this);
        return;
      case 'left':
        this.clients.delete(message.client_id);
        this.handlers.presence(this);
        return;
      case 'project_deleted':
        this.stopped = true;
        this.handlers.connection(this, 'closed', 'the project was deleted');
        return;
      case 'edit_conflict':
        if (this.document && message.document && message.document.version > this.document.version) {
          this.document = copyOf(message.document);
          this.handlers.document(this, { type: 'edit', version: this.document.version, ops: [] });
        }
        this.answered(message);
        return;
      case 'edit_applied':
      case 'edit_rejected':
        this.answered(message);
        return;
      case 'error':
        this.handlers.answer(this, message);
        return;
    }
  }

  answered(message) {
    this.pending.delete(message.op_id);
    this.handlers.answer(this, message);
  }
}
