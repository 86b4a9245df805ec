import { describe, expect, it } from 'vitest';
import { ProcessMetrics } from '../../composition/observability/process-metrics.js';
import { alertExpressions } from '../../test-support/alert-rules.js';
import { expressionsOf, grafanaDashboards, panelsOf } from '../../test-support/grafana-dashboards.js';
import { documentedMetricFamilies } from '../../test-support/documented-metric-families.js';
import { parsePrometheusText } from '../../test-support/prometheus-text.js';
import { familyOf, promqlMetricNames } from '../../test-support/promql-metric-names.js';

/** What the services export: the families of a fresh process registry (the one GET /metrics serves). */
const exported = async (): Promise<{ families: Set<string>; histograms: Set<string> }> => {
  const text = parsePrometheusText(await new ProcessMetrics().text());
  return {
    families: new Set(text.types.keys()),
    histograms: new Set([...text.types].filter(([, type]) => type === 'histogram').map(([name]) => name)),
  };
};

/** Prometheus's own series, not the services'. */
const prometheusMade = new Set(['up']);

describe('PromQL metric names', () => {
  it('finds the selected metrics, and not functions, aggregations, labels, strings or variables', () => {
    const expression =
      'histogram_quantile(0.99, sum by (service, le) (rate(meshwork_http_request_duration_seconds_bucket{job=~"$job", route="/a:b"}[$__rate_interval])))' +
      ' / on (service) group_left(x) max without (instance) (meshwork_mesh_connections offset 5m) > bool 1e3' +
      ' and count(up{job="meshwork"}) or nope_total';
    expect(promqlMetricNames(expression).sort()).toEqual(
      ['meshwork_http_request_duration_seconds_bucket', 'meshwork_mesh_connections', 'nope_total', 'up'].sort(),
    );
    expect(familyOf('meshwork_http_request_duration_seconds_bucket', new Set(['meshwork_http_request_duration_seconds']))).toBe(
      'meshwork_http_request_duration_seconds',
    );
    expect(familyOf('meshwork_health_checks_total', new Set(['meshwork_http_request_duration_seconds']))).toBe(
      'meshwork_health_checks_total',
    );
  });
});

const dashboards = grafanaDashboards();

describe('Grafana dashboards in deploy/grafana', () => {
  it('are the four dashboards, each valid Grafana JSON on a Prometheus datasource variable', () => {
    expect(dashboards.map(({ file }) => file).sort()).toEqual([
      'client-api.json',
      'mesh-overview.json',
      'pools-and-breakers.json',
      'redis-and-streams.json',
    ]);
    expect(new Set(dashboards.map(({ dashboard }) => dashboard.uid)).size).toBe(dashboards.length);
    for (const { file, dashboard } of dashboards) {
      expect(dashboard.schemaVersion, file).toBeGreaterThanOrEqual(36);
      expect(dashboard.title, file).toMatch(/^meshwork \/ /);
      const datasource = dashboard.templating.list.find((variable) => variable.name === 'datasource');
      expect(datasource, file).toMatchObject({ type: 'datasource', query: 'prometheus' });
      const panels = panelsOf(dashboard);
      expect(new Set(panels.map((panel) => panel.id)).size, file).toBe(panels.length);
      const queried = panels.filter((panel) => panel.type !== 'row');
      expect(queried.length, file).toBeGreaterThanOrEqual(6);
      for (const panel of queried) {
        expect(panel.datasource, `${file}: ${panel.title}`).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(panel.targets?.length, `${file}: ${panel.title}`).toBeGreaterThanOrEqual(1);
        for (const target of panel.targets ?? []) expect(target.expr?.trim(), `${file}: ${panel.title}`).toBeTruthy();
        expect(panel.gridPos!.x + panel.gridPos!.w, `${file}: ${panel.title}`).toBeLessThanOrEqual(24);
      }
    }
  });

  it('query only metric families the services export, and every meshwork family they query is documented', async () => {
    const { families, histograms } = await exported();
    const documented = new Set(documentedMetricFamilies().map((family) => family.name));
    expect(documented.size).toBeGreaterThanOrEqual(40);
    const unknown: string[] = [];
    const queried = new Set<string>();
    for (const { file, dashboard } of dashboards) {
      for (const { where, expr } of expressionsOf(dashboard)) {
        const names = promqlMetricNames(expr);
        expect(names.length, `${file} ${where}: ${expr}`).toBeGreaterThanOrEqual(1);
        for (const name of names) {
          const family = familyOf(name, histograms);
          queried.add(family);
          const known = prometheusMade.has(name) || (families.has(family) && (!family.startsWith('meshwork_') || documented.has(family)));
          if (!known) unknown.push(`${file} ${where}: ${name}`);
        }
      }
    }
    expect(unknown).toEqual([]);
    // Every documented family is on some dashboard.
    expect([...documented].filter((name) => !queried.has(name))).toEqual([]);
  });

  it('the alert rules also name only exported families', async () => {
    const { families, histograms } = await exported();
    const expressions = alertExpressions();
    expect(expressions.length).toBeGreaterThanOrEqual(10);
    const names = expressions.flatMap(({ expr }) => promqlMetricNames(expr));
    expect(names.filter((name) => !prometheusMade.has(name) && !families.has(familyOf(name, histograms)))).toEqual([]);
  });
});
