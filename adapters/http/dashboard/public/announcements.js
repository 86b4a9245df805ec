// System announcements (docs/adr/0056): the current ones when the user signs in, then each new one
// as it arrives on the user's /events socket. A maintenance window is shown with its times.
import { api, openSocket } from './api.js';

const UNAUTHENTICATED = 4401;
const RECONNECT_MS = 3_000;

const when = (ms) => new Date(ms).toLocaleString();

export class Announcements {
  constructor(list, onSessionEnded) {
    this.list = list;
    this.onSessionEnded = onSessionEnded;
    this.shown = new Map();
    this.socket = undefined;
    this.running = false;
  }

  async start() {
    this.running = true;
    this.connect();
    try {
      const current = await api('GET', '/announcements');
      for (const announcement of [...(current?.announcements ?? [])].reverse()) {
        this.show({ ...announcement, announcement_id: announcement.announcement_id });
      }
    } catch {
      // The live ones still arrive on the socket.
    }
  }

  stop() {
    this.running = false;
    this.socket?.close(1000);
    this.socket = undefined;
    this.shown.clear();
    this.list.replaceChildren();
    this.list.hidden = true;
  }

  connect() {
    const socket = openSocket('/events');
    this.socket = socket;
    socket.addEventListener('message', (message) => {
      let data;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      if (data?.type === 'event' && data.channel === 'system:announcements' && data.event?.type === 'announcement') this.show(data.event);
    });
    socket.addEventListener('close', (closed) => {
      if (this.socket !== socket || !this.running) return;
      // A deactivated account or an ended session: sign out; anything else: reconnect.
      if (closed.code === UNAUTHENTICATED) this.onSessionEnded();
      else setTimeout(() => this.running && this.socket === socket && this.connect(), RECONNECT_MS);
    });
  }

  show(announcement) {
    const id = announcement.announcement_id;
    if (!id || this.shown.has(id) || announcement.ends_at <= Date.now()) return;
    const item = document.createElement('li');
    item.className = `announcement ${announcement.kind === 'maintenance' ? 'maintenance' : 'info'}`;
    item.dataset.kind = announcement.kind;
    const title = document.createElement('strong');
    title.textContent =
      announcement.kind === 'maintenance' ? `Maintenance ${when(announcement.starts_at)} – ${when(announcement.ends_at)}` : 'Announcement';
    const text = document.createElement('span');
    text.textContent = ` ${announcement.message}`;
    item.append(title, text);
    this.shown.set(id, item);
    this.list.prepend(item);
    this.list.hidden = false;
    setTimeout(
      () => {
        item.remove();
        this.shown.delete(id);
        this.list.hidden = this.shown.size === 0;
      },
      Math.min(announcement.ends_at - Date.now(), 2 ** 31 - 1),
    );
  }
}
