// The editable fields of a project in a collaboration session: each change goes out as JSON Patch
// against the version the person started from; others' edits land in fields nobody is typing in;
// a conflict keeps the stored value in the field and says whose it is and what was not saved.
import { configurationPath, keyOfPath, valueAt } from './collaboration.js';

const $ = (id) => document.getElementById(id);

const labelOf = (path) => {
  const key = keyOfPath(path);
  return key === undefined ? path.slice(1) : `entry “${key}”`;
};

const quoted = (value) => (value === undefined || value === null ? 'removed' : `“${value}”`);

export class ProjectEditor {
  /** `nameOf(userId)` names a collaborator; `say(text, isError)` writes the messages line. */
  constructor(say, nameOf) {
    this.say = say;
    this.nameOf = nameOf;
    this.session = undefined;
    // path -> { base, ops: Set<op_id>, sent, awaitVersion }: fields a person is editing, left alone by others' edits.
    this.editing = new Map();
    // op_id -> { path, value }: what each unanswered edit was.
    this.sent = new Map();
    this.rows = new Map();
    const form = $('project-form');
    form.addEventListener('submit', (event) => event.preventDefault());
    form.addEventListener('input', (event) => this.typing(event.target));
    form.addEventListener('change', (event) => this.commit(event.target));
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && event.target instanceof HTMLInputElement && event.target.dataset.path) {
        event.preventDefault();
        this.commit(event.target);
      }
    });
    $('add-entry').addEventListener('click', () => this.addEntry());
    $('conflicts').addEventListener('click', (event) => this.conflictAction(event.target));
  }

  attach(session) {
    this.session = session;
    this.editing.clear();
    this.sent.clear();
    this.rows.clear();
    $('configuration-entries').replaceChildren();
    $('conflicts').replaceChildren();
  }

  get document() {
    return this.session?.document;
  }

  fieldOf(path) {
    if (path === '/name') return $('project-field-name');
    if (path === '/description') return $('project-field-description');
    return this.rows.get(keyOfPath(path))?.querySelector('input');
  }

  typing(element) {
    const path = element?.dataset?.path;
    if (!path || !this.document || this.editing.has(path)) return;
    this.editing.set(path, { base: this.document.version, ops: new Set(), sent: undefined, awaitVersion: 0 });
  }

  commit(element) {
    const path = element?.dataset?.path;
    if (!path || !this.document) return;
    const value = path === '/name' ? element.value.trim() : element.value;
    const entry = this.editing.get(path) ?? { base: this.document.version, ops: new Set(), sent: undefined, awaitVersion: 0 };
    if (entry.sent === value) return;
    if (entry.ops.size === 0 && valueAt(this.document, path) === value) {
      this.editing.delete(path);
      return;
    }
    if (this.send([{ op: 'replace', path, value }], entry.base, entry)) this.editing.set(path, entry);
  }

  addEntry() {
    const key = $('new-key').value.trim();
    if (!key || !this.document) return this.say('A new entry needs a key.', true);
    if (this.send([{ op: 'add', path: configurationPath(key), value: $('new-value').value }], this.document.version)) {
      $('new-key').value = '';
      $('new-value').value = '';
    }
  }

  removeEntry(key) {
    if (this.document) this.send([{ op: 'remove', path: configurationPath(key) }], this.document.version);
  }

  /** Sends one edit; `entry` (a field being edited) remembers it. False when the session is not live. */
  send(patch, baseVersion, entry) {
    const opId = this.session?.edit(patch, baseVersion);
    if (!opId) {
      this.say('Not connected to the session: the change was not sent.', true);
      return false;
    }
    const [{ path, value }] = patch;
    this.sent.set(opId, { path, value });
    if (entry) {
      entry.ops.add(opId);
      entry.sent = value;
    }
    return true;
  }

  /** The answer to one of our edits. */
  answer(message) {
    const what = this.sent.get(message.op_id);
    if (message.type === 'error') return this.say(message.message, true);
    if (!what) return;
    this.sent.delete(message.op_id);
    const entry = this.editing.get(what.path);
    entry?.ops.delete(message.op_id);
    if (message.type === 'edit_applied') {
      if (entry) entry.awaitVersion = Math.max(entry.awaitVersion, message.version);
      this.settle(what.path);
      return;
    }
    this.editing.delete(what.path);
    if (message.type === 'edit_conflict') this.showConflict(message, what);
    else if (message.type === 'edit_rejected') this.say(`${labelOf(what.path)} was not saved: ${message.message}`, true);
    else if (message.type === 'edit_lost')
      this.say(`The connection dropped before ${labelOf(what.path)} was confirmed: the field shows what the project holds.`, true);
    this.render();
  }

  /** A field whose edits are all answered and seen in the document goes back to following the document. */
  settle(path) {
    const entry = this.editing.get(path);
    const field = this.fieldOf(path);
    if (!entry || entry.ops.size > 0 || this.document.version < entry.awaitVersion) return;
    const current = field && (path === '/name' ? field.value.trim() : field.value);
    if (field && current !== entry.sent) return; // typed on since: still theirs
    this.editing.delete(path);
    this.render();
  }

  showConflict(message, what) {
    const item = document.createElement('li');
    item.className = 'conflict';
    item.dataset.path = message.path;
    // changed_by is the client of the winning change; '' is a change made through the REST API.
    const userId = this.session.userOfClient.get(message.changed_by);
    const who = userId ? this.nameOf(userId) : message.changed_by ? 'another collaborator' : 'someone using the API';
    const text = document.createElement('span');
    // changed_in 0: the edit was made against a version too old for the project to check (docs/adr/0063).
    text.textContent =
      message.changed_in === 0
        ? `${labelOf(message.path)}: your copy was too far behind to check against; it is ${quoted(message.current_value)} now, ` +
          `and your ${quoted(what.value)} was not saved.`
        : `${labelOf(message.path)}: ${who} changed it to ${quoted(message.current_value)} (version ${message.changed_in}) ` +
          `while you were editing; your ${quoted(what.value)} was not saved.`;
    const keep = document.createElement('button');
    keep.type = 'button';
    keep.textContent = 'Use mine';
    keep.dataset.action = 'keep';
    keep.dataset.value = what.value ?? '';
    keep.dataset.remove = String(what.value === undefined);
    const dismiss = document.createElement('button');
    dismiss.type = 'button';
    dismiss.textContent = 'Dismiss';
    dismiss.dataset.action = 'dismiss';
    item.append(text, ' ', keep, ' ', dismiss);
    $('conflicts')
      .querySelector(`li[data-path="${CSS.escape(message.path)}"]`)
      ?.remove();
    $('conflicts').append(item);
    this.say(`Conflict on ${labelOf(message.path)}: see below the fields.`, true);
  }

  conflictAction(button) {
    const item = button.closest?.('li.conflict');
    if (!item || !this.document) return;
    if (button.dataset.action === 'keep') {
      const path = item.dataset.path;
      const op =
        button.dataset.remove === 'true'
          ? { op: 'remove', path }
          : { op: valueAt(this.document, path) === undefined ? 'add' : 'replace', path, value: button.dataset.value };
      if (!this.send([op], this.document.version)) return;
    }
    item.remove();
  }

  /** Shows the document in every field nobody is editing here. */
  render() {
    const document = this.document;
    if (!document) return;
    $('project-form').dataset.version = String(document.version);
    for (const path of ['/name', '/description']) {
      const field = this.fieldOf(path);
      if (!this.editing.has(path) && field.value !== document[path.slice(1)]) field.value = document[path.slice(1)];
    }
    this.renderEntries(document.configuration);
  }

  renderEntries(configuration) {
    const body = $('configuration-entries');
    const keys = Object.keys(configuration).sort();
    for (const [key, row] of this.rows) {
      if (Object.hasOwn(configuration, key)) continue;
      if (this.editing.has(configurationPath(key))) row.classList.add('gone');
      else {
        row.remove();
        this.rows.delete(key);
      }
    }
    keys.forEach((key, index) => {
      const row = this.rows.get(key) ?? this.newRow(key);
      row.classList.remove('gone');
      const input = row.querySelector('input');
      if (!this.editing.has(input.dataset.path) && input.value !== configuration[key]) input.value = configuration[key];
      // Insert where it belongs without moving rows already in place (moving a row would blur its input).
      const at = body.children[index];
      if (at !== row) body.insertBefore(row, at ?? null);
    });
    body.dataset.entries = String(keys.length);
  }

  newRow(key) {
    const row = document.createElement('tr');
    row.dataset.key = key;
    const name = document.createElement('th');
    name.scope = 'row';
    name.textContent = key;
    const input = document.createElement('input');
    input.type = 'text';
    input.dataset.path = configurationPath(key);
    input.setAttribute('aria-label', `Value of ${key}`);
    const cell = document.createElement('td');
    cell.append(input);
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = 'Remove';
    remove.setAttribute('aria-label', `Remove ${key}`);
    remove.addEventListener('click', () => this.removeEntry(key));
    const actions = document.createElement('td');
    actions.append(remove);
    row.append(name, cell, actions);
    this.rows.set(key, row);
    return row;
  }
}
