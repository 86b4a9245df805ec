// The mesh view: instances per service with their health, pools and breakers, polled while shown.
import { api } from './api.js';

const POLL_MS = 1500;

const cell = (tag, text, className) => {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
};

const uptime = (startedAt, now) => {
  const seconds = Math.max(0, Math.round((now - startedAt) / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
};

const poolText = (pool) =>
  pool ? `${pool.ready}/${pool.connections} ready, ${pool.in_flight} in flight, ${pool.queue_depth} queued` : '–';

const serviceTable = (service, now) => {
  const section = document.createElement('section');
  section.className = 'card service';
  section.dataset.service = service.service;
  const healthy = service.instances.filter((instance) => instance.in_rotation).length;
  section.append(cell('h3', `${service.service} — ${healthy}/${service.instances.length} in rotation`));
  if (service.health_checks) {
    const { checks, failures, unhealthy } = service.health_checks;
    section.append(
      cell('p', `Health checks from this gateway's process: ${checks} (${failures} failed), ${unhealthy} instance(s) failing now.`, 'hint'),
    );
  }
  const table = document.createElement('table');
  const head = document.createElement('tr');
  for (const title of ['Instance', 'Health', 'Pool (connections)', 'Breaker', 'Calls', 'Up for']) {
    const th = cell('th', title);
    th.scope = 'col';
    head.append(th);
  }
  table.append(cell('caption', `Instances of ${service.service}`, 'visually-hidden'), head);
  for (const instance of service.instances) {
    const row = document.createElement('tr');
    row.append(
      cell('td', instance.instance_id, 'mono'),
      cell('td', instance.status, `badge health-${instance.status}`),
      cell('td', poolText(instance.pool)),
      cell('td', instance.breaker ?? '–', instance.breaker ? `badge breaker-${instance.breaker}` : ''),
      cell('td', String(instance.calls)),
      cell('td', uptime(instance.started_at, now)),
    );
    table.append(row);
  }
  if (service.instances.length === 0) {
    const row = document.createElement('tr');
    const empty = cell('td', 'No instance registered.', 'hint');
    empty.colSpan = 6;
    row.append(empty);
    table.append(row);
  }
  section.append(table);
  return section;
};

export class MeshView {
  constructor(say) {
    this.say = say;
    this.timer = undefined;
  }

  /** Polls every 1.5 s until `hide()`. */
  show() {
    if (this.timer !== undefined) return;
    const tick = async () => {
      await this.refresh();
      if (this.timer !== undefined) this.timer = setTimeout(tick, POLL_MS);
    };
    this.timer = setTimeout(tick, 0);
  }

  hide() {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  async refresh() {
    const container = document.getElementById('mesh-services');
    try {
      const status = await api('GET', '/mesh/status');
      container.replaceChildren(...status.services.map((service) => serviceTable(service, status.observed_at)));
      container.dataset.services = String(status.services.length);
      const time = new Date(status.observed_at).toLocaleTimeString('en-GB');
      document.getElementById('mesh-updated').textContent = `Registry: ${status.registry}. Updated ${time}, every ${POLL_MS / 1000} s.`;
    } catch (error) {
      document.getElementById('mesh-updated').textContent = `Mesh status unavailable: ${error.message}`;
    }
  }
}
