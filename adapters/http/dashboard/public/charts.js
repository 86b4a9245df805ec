// Twelve small uPlot charts, one per metric of a simulation sample, fed sample by sample.
import uPlot from '/dashboard/vendor/uPlot.esm.js';

/** The 12 metric fields of `simulation_metrics` messages, with how to show them. */
export const METRICS = [
  { field: 'requests_per_sec', label: 'Requests / s' },
  { field: 'avg_latency', label: 'Mean latency (ms)' },
  { field: 'error_rate', label: 'Error rate (%)', scale: 100 },
  { field: 'cpu_total', label: 'CPU in use (cores)' },
  { field: 'memory_total', label: 'Memory in use (GB)' },
  { field: 'pods_running', label: 'Pods running' },
  { field: 'nodes_active', label: 'Nodes active' },
  { field: 'nodes_failed', label: 'Nodes failed' },
  { field: 'services_healthy', label: 'Services healthy' },
  { field: 'network_in', label: 'Network in (MB/s)', scale: 1e-6 },
  { field: 'network_out', label: 'Network out (MB/s)', scale: 1e-6 },
  { field: 'simulation_step', label: 'Simulation step' },
];

/** Points kept per chart (5 minutes at 10 samples/s): a longer run scrolls. */
const WINDOW = 3000;
/** Redraws at most this often, whatever the sample rate (10-100/s). */
const REDRAW_MS = 100;
const STROKE = '#2563eb';

const chartOptions = (label, width) => ({
  width,
  height: 140,
  legend: { show: false },
  cursor: { show: false },
  scales: { x: { time: true } },
  axes: [
    { size: 28, font: '11px system-ui', stroke: '#555' },
    { size: 52, font: '11px system-ui', stroke: '#555' },
  ],
  series: [{}, { label, stroke: STROKE, width: 1.5, fill: 'rgba(37, 99, 235, 0.08)' }],
});

/**
 * The charts in `container`. `add(sample)` buffers a sample; the charts redraw at most every
 * REDRAW_MS, in an animation frame (none while the tab is hidden). `container.dataset.points` counts the samples drawn.
 */
export class MetricCharts {
  constructor(container) {
    this.container = container;
    this.xs = [];
    this.ys = METRICS.map(() => []);
    this.plots = [];
    this.values = [];
    this.pending = false;
    container.replaceChildren();
    const width = this.chartWidth();
    for (const metric of METRICS) {
      const figure = document.createElement('figure');
      figure.className = 'chart';
      figure.dataset.metric = metric.field;
      const caption = document.createElement('figcaption');
      const name = document.createElement('span');
      name.textContent = metric.label;
      const value = document.createElement('strong');
      value.textContent = '–';
      caption.append(name, value);
      figure.append(caption);
      container.append(figure);
      this.values.push(value);
      this.plots.push(new uPlot(chartOptions(metric.label, width), [[], []], figure));
    }
    container.dataset.points = '0';
    this.onResize = () => {
      const resized = this.chartWidth();
      for (const plot of this.plots) plot.setSize({ width: resized, height: 140 });
    };
    window.addEventListener('resize', this.onResize);
  }

  chartWidth() {
    // As many columns as dashboard.css gives the grid (gap 0.75rem, padding and border 0.4rem + 1px).
    const columns = window.matchMedia('(max-width: 1100px)').matches ? 2 : 4;
    return Math.max(200, Math.floor((this.container.clientWidth - (columns - 1) * 12) / columns) - 16);
  }

  add(sample) {
    this.xs.push(sample.timestamp / 1000);
    METRICS.forEach((metric, i) => this.ys[i].push(Number(sample[metric.field] ?? 0) * (metric.scale ?? 1)));
    if (this.xs.length > WINDOW) {
      this.xs.splice(0, this.xs.length - WINDOW);
      for (const ys of this.ys) ys.splice(0, ys.length - WINDOW);
    }
    if (!this.pending) {
      this.pending = true;
      setTimeout(() => requestAnimationFrame(() => this.draw()), REDRAW_MS);
    }
  }

  draw() {
    this.pending = false;
    if (this.plots.length === 0) return; // destroyed meanwhile
    this.plots.forEach((plot, i) => {
      plot.setData([this.xs, this.ys[i]]);
      const last = this.ys[i].at(-1);
      this.values[i].textContent = last === undefined ? '–' : formatValue(last);
    });
    this.container.dataset.points = String(this.xs.length);
  }

  destroy() {
    window.removeEventListener('resize', this.onResize);
    for (const plot of this.plots) plot.destroy();
    this.plots = [];
    this.container.replaceChildren();
    this.container.dataset.points = '0';
  }
}

const formatValue = (value) => {
  if (Number.isInteger(value)) return value.toLocaleString('en');
  return value.toLocaleString('en', { maximumFractionDigits: Math.abs(value) < 10 ? 2 : 1 });
};
