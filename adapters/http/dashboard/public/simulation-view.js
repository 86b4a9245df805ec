// The simulation view: pick a template, create a project, start a run, watch it live, read its analysis.
import { api, openSocket } from './api.js';
import { renderAnalysis } from './analysis.js';
import { MetricCharts } from './charts.js';

const $ = (id) => document.getElementById(id);

export class SimulationView {
  constructor(say) {
    this.say = say;
    this.templates = [];
    this.charts = undefined;
    this.socket = undefined;
    this.run = undefined;
    $('template').addEventListener('change', () => this.describeTemplate());
    $('start-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.start();
    });
  }

  async loadTemplates() {
    const { templates } = await api('GET', '/templates');
    this.templates = templates ?? [];
    const select = $('template');
    select.replaceChildren(
      ...this.templates.map((template) => {
        const option = document.createElement('option');
        option.value = template.template_id;
        option.textContent = template.name;
        return option;
      }),
    );
    this.describeTemplate();
  }

  describeTemplate() {
    const chosen = this.templates.find((template) => template.template_id === $('template').value);
    $('template-description').textContent = chosen?.description ?? '';
  }

  async start() {
    const button = $('start');
    button.disabled = true;
    try {
      const duration = Number($('duration').value);
      if (!Number.isInteger(duration) || duration < 1) throw new Error('The duration is a whole number of seconds, at least 1.');
      const project = await api('POST', '/projects', {
        name: $('project-name').value.trim() || 'Dashboard project',
        template_id: $('template').value,
      });
      const started = await api('POST', '/simulations', { project_id: project.project_id, duration_seconds: duration });
      this.watch(started, duration);
      this.say(`Simulation ${started.simulation_id} started on project ${project.name}.`);
    } catch (error) {
      this.say(error.message, true);
    } finally {
      button.disabled = false;
    }
  }

  /** Follows a started run: charts fed by its WebSocket, progress from the samples' clock, the analysis at the end. */
  watch(started, duration) {
    this.stop();
    $('run').hidden = false;
    $('analysis').hidden = true;
    this.run = {
      id: started.simulation_id,
      startedAt: started.started_at,
      durationMs: (started.estimated_duration || duration) * 1000,
      ended: false,
    };
    $('run-id').textContent = started.simulation_id;
    this.status('running');
    this.progress(0);
    this.charts = new MetricCharts($('charts'));
    const run = this.run;
    const socket = openSocket(started.stream_url ?? `/simulation/stream?simulation_id=${encodeURIComponent(run.id)}`);
    this.socket = socket;
    socket.addEventListener('message', (event) => this.receive(run, JSON.parse(event.data)));
    socket.addEventListener('close', (event) => {
      if (this.run !== run || run.ended) return;
      // Closed before the end (a gateway restart, a slow link): the run goes on; ask for its outcome.
      this.say(
        `Live stream closed (${event.code}${event.reason ? `: ${event.reason}` : ''}); waiting for the run to end.`,
        event.code !== 1000,
      );
      void this.awaitEnd(run);
    });
  }

  receive(run, message) {
    if (this.run !== run) return;
    if (message.type === 'simulation_metrics') {
      this.charts.add(message);
      this.progress(((message.timestamp - run.startedAt) / run.durationMs) * 100);
    } else if (message.type === 'simulation_status') {
      this.status(message.status);
      this.progress(message.progress_percentage);
    } else if (message.type === 'simulation_completed') {
      void this.finish(run, message.status);
    }
  }

  async awaitEnd(run) {
    while (this.run === run && !run.ended) {
      try {
        const status = await api('GET', `/simulations/${encodeURIComponent(run.id)}`);
        this.progress(status.progress_percentage);
        if (status.status !== 'running' && status.status !== 'pending') return this.finish(run, status.status);
      } catch (error) {
        this.say(error.message, true);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  async finish(run, status) {
    if (run.ended) return;
    run.ended = true;
    this.status(status);
    if (status === 'completed') this.progress(100);
    try {
      const id = encodeURIComponent(run.id);
      const [results, analysis] = await Promise.all([api('GET', `/simulations/${id}/results`), api('GET', `/simulations/${id}/analysis`)]);
      if (this.run !== run) return;
      renderAnalysis($('analysis-body'), results, analysis);
      $('analysis').hidden = false;
      this.say(`Simulation ${status}: analysis below.`);
    } catch (error) {
      this.say(`The run ended (${status}), but its analysis could not be read: ${error.message}`, true);
    }
  }

  status(text) {
    const badge = $('run-status');
    badge.textContent = text;
    badge.dataset.status = text;
  }

  progress(percent) {
    const value = Math.max(0, Math.min(100, Math.round(Number(percent) || 0)));
    if (value < Number($('progress').value)) return;
    $('progress').value = value;
    $('progress').textContent = `${value}%`;
    $('progress-text').textContent = `${value}%`;
  }

  /** Stops following the current run (a new run, or logging out). */
  stop() {
    this.run = undefined;
    this.socket?.close(1000);
    this.socket = undefined;
    this.charts?.destroy();
    this.charts = undefined;
    $('progress').value = 0;
  }
}
