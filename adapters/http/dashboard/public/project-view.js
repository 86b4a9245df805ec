// The projects view: the projects you can read, and one of them open in its collaboration session
// with who is there (live), its fields (read-only for a viewer), and sharing for the owner.
import { api } from './api.js';
import { CollaborationSession } from './collaboration.js';
import { ProjectEditor } from './project-editor.js';

const $ = (id) => document.getElementById(id);

export class ProjectView {
  constructor(say) {
    this.say = say;
    this.session = undefined;
    this.emails = new Map();
    this.lookingUp = undefined;
    this.asked = new Set();
    this.droppedOnce = false;
    this.editor = new ProjectEditor(say, (userId) => this.nameOf(userId));
    $('projects-refresh').addEventListener('click', () => void this.loadList());
    $('project-list').addEventListener('click', (event) => {
      const id = event.target.closest?.('button[data-project-id]')?.dataset.projectId;
      if (id) this.open(id);
    });
    $('share-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.share();
    });
  }

  async show() {
    await this.loadList();
  }

  hide() {
    this.close();
  }

  async loadList() {
    try {
      const { projects = [] } = await api('GET', '/projects?page_size=100');
      const list = $('project-list');
      list.replaceChildren(
        ...projects.map((project) => {
          const item = document.createElement('li');
          const open = document.createElement('button');
          open.type = 'button';
          open.dataset.projectId = project.project_id;
          open.textContent = project.name;
          open.setAttribute('aria-current', String(this.session?.projectId === project.project_id));
          item.append(open);
          return item;
        }),
      );
      list.dataset.projects = String(projects.length);
      $('projects-empty').hidden = projects.length > 0;
    } catch (error) {
      this.say(error.message, true);
    }
  }

  open(projectId) {
    this.close();
    this.emails.clear();
    this.asked.clear();
    this.droppedOnce = false;
    $('project').hidden = false;
    $('project').dataset.projectId = projectId;
    $('project-title').textContent = projectId;
    $('collaborators').replaceChildren();
    for (const button of $('project-list').querySelectorAll('button[data-project-id]')) {
      button.setAttribute('aria-current', String(button.dataset.projectId === projectId));
    }
    const session = new CollaborationSession(projectId, {
      state: () => this.started(session),
      document: (_, entry) => this.changed(session, entry),
      presence: () => this.presence(session),
      answer: (_, message) => this.session === session && this.editor.answer(message),
      connection: (_, status, detail) => this.connection(session, status, detail),
    });
    this.session = session;
    this.editor.attach(session);
    void this.lookUpEmails(projectId);
    session.start();
  }

  close() {
    this.session?.stop();
    this.session = undefined;
    $('project').hidden = true;
  }

  started(session) {
    if (this.session !== session) return;
    const viewer = session.role === 'viewer';
    $('project-role').textContent = session.role;
    $('project-readonly').hidden = !viewer;
    $('project-form').dataset.role = session.role;
    $('share-form').hidden = session.role !== 'owner';
    this.editor.render();
    this.title(session);
    this.presence(session);
  }

  changed(session, entry) {
    if (this.session !== session) return;
    this.editor.render();
    this.title(session);
    if (entry.client_id && entry.client_id !== session.clientId && entry.user_id) {
      $('project-activity').textContent = `${this.nameOf(entry.user_id)} saved version ${entry.version}.`;
    }
  }

  title(session) {
    $('project-title').textContent = session.document.name;
    const listed = $('project-list').querySelector(`button[data-project-id="${CSS.escape(session.projectId)}"]`);
    if (listed) listed.textContent = session.document.name;
    $('project-version').textContent = `version ${session.document.version}`;
  }

  connection(session, status, detail) {
    if (this.session !== session) return;
    $('project').dataset.connection = status;
    $('project-connection').textContent = status;
    $('project-connection').dataset.status = status;
    $('project-fields').disabled = status !== 'live' || session.role === 'viewer';
    if (status === 'reconnecting' && detail) {
      this.droppedOnce = true;
      this.say(`The session's connection dropped (${detail}).`, true);
    } else if (status === 'live' && this.droppedOnce) {
      this.droppedOnce = false;
      this.say('Back in the session: caught up from the last change this page saw.');
    } else if (status === 'closed') this.say(`The session ended: ${detail}.`, true);
  }

  presence(session) {
    if (this.session !== session) return;
    const users = new Map();
    for (const client of session.clients.values()) {
      const user = users.get(client.user_id) ?? { role: client.role, clients: 0 };
      user.clients += 1;
      users.set(client.user_id, user);
    }
    $('collaborators').replaceChildren(
      ...[...users].map(([userId, user]) => {
        const item = document.createElement('li');
        item.dataset.userId = userId;
        const you = userId === session.userId ? ' (you)' : '';
        const windows = user.clients > 1 ? `, ${user.clients} windows` : '';
        item.textContent = `${this.nameOf(userId)}${you} · ${user.role}${windows}`;
        return item;
      }),
    );
    $('collaborators').dataset.count = String(users.size);
    if ([...users.keys()].some((userId) => !this.emails.has(userId) && !this.asked.has(userId))) void this.lookUpEmails(session.projectId);
  }

  nameOf(userId) {
    return this.emails.get(userId) || userId;
  }

  /** Emails of the project's members (owner and shares), to name collaborators; one lookup at a time. */
  async lookUpEmails(projectId) {
    if (this.lookingUp) return;
    for (const client of this.session?.clients.values() ?? []) this.asked.add(client.user_id);
    this.lookingUp = api('GET', `/projects/${encodeURIComponent(projectId)}/permissions`)
      .then(({ permissions = [] }) => {
        for (const member of permissions) if (member.email) this.emails.set(member.user_id, member.email);
      })
      .catch(() => undefined);
    await this.lookingUp;
    this.lookingUp = undefined;
    if (this.session?.projectId === projectId && this.session.document) this.presence(this.session);
  }

  async share() {
    const session = this.session;
    if (!session) return;
    const email = $('share-email').value.trim();
    const role = $('share-role').value;
    try {
      const answer = await api('POST', `/projects/${encodeURIComponent(session.projectId)}/share`, { target_email: email, role });
      if (answer?.shared === false) throw new Error(`Not shared: ${answer.reason || 'refused'}.`);
      $('share-email').value = '';
      this.say(`Shared with ${email} as ${role}.`);
      await this.lookUpEmails(session.projectId);
    } catch (error) {
      this.say(error.message, true);
    }
  }
}
