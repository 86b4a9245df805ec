import { readFileSync } from 'node:fs';

/** The `expr` of every rule in deploy/prometheus/rules/meshwork-alerts.yml, by alert name. */
export const alertExpressions = (): { alert: string; expr: string }[] => {
  const rules = readFileSync(new URL('../deploy/prometheus/rules/meshwork-alerts.yml', import.meta.url), 'utf8');
  return [...rules.matchAll(/- alert: (\w+)\n(?: {8}#.*\n)*\s+expr: (?:\|\n((?: {10}.*\n)+)|(.+)\n)/g)].map((match) => ({
    alert: match[1]!,
    expr: (match[2] ?? match[3])!.trim(),
  }));
};

/** A Grafana query with its variables filled in as a dashboard would on a meshwork job: every value, 1 m windows. */
export const withGrafanaVariables = (expression: string): string =>
  expression
    .replace(/\$__rate_interval|\$__interval|\$__range/g, '1m')
    .replace(/\$job\b/g, 'meshwork')
    .replace(/\$\{?[a-z_]+\}?/g, '.*');
