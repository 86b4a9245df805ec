// The end of a run: its summary figures and its performance analysis, built with DOM calls only.

const element = (tag, text, className) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
};

const number = (value, digits = 1) => (typeof value === 'number' ? value.toLocaleString('en', { maximumFractionDigits: digits }) : '–');

/** The summary figures worth a glance, from `GET /simulations/:id/results`. */
const SUMMARY = [
  ['Samples', (s) => number(s.samples, 0)],
  ['Mean latency', (s) => `${number(s.avg_latency)} ms`],
  ['p95 latency', (s) => `${number(s.p95_latency)} ms`],
  ['Peak requests/s', (s) => number(s.peak_requests_per_sec, 0)],
  ['Availability', (s) => `${number((s.availability ?? 0) * 100, 2)} %`],
  ['Peak CPU', (s) => `${number(s.peak_cpu_total)} cores`],
];

const list = (items, render, empty) => {
  if (!items || items.length === 0) return element('p', empty, 'hint');
  const ul = element('ul');
  for (const item of items) ul.append(render(item));
  return ul;
};

export const renderAnalysis = (target, results, analysis) => {
  const summary = results.summary ?? {};
  const figures = element('dl', undefined, 'figures');
  figures.append(element('dt', 'Score'), element('dd', `${number(analysis.overall_score)} / 100`));
  for (const [label, value] of SUMMARY) figures.append(element('dt', label), element('dd', value(summary)));

  const bottlenecks = list(
    analysis.bottlenecks,
    (b) => {
      const li = element('li');
      li.append(element('span', b.severity, `badge severity-${b.severity}`), ' ', element('span', b.description));
      return li;
    },
    'No bottleneck found.',
  );
  const saturation = list(
    analysis.saturation_points,
    (p) =>
      element(
        'li',
        `${p.component} ${p.resource}: saturated at ${number(p.requests_per_sec, 0)} requests/s (utilisation ${number(p.utilization * 100, 0)} %, ${number(p.avg_latency)} ms)`,
      ),
    'No saturation point.',
  );
  const recommendations = list(analysis.recommendations, (text) => element('li', text), 'No recommendation.');

  target.replaceChildren(
    figures,
    element('h4', 'Bottlenecks'),
    bottlenecks,
    element('h4', 'Saturation points'),
    saturation,
    element('h4', 'Recommendations'),
    recommendations,
  );
};
