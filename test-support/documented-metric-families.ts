import { existsSync, readFileSync } from 'node:fs';

/** The page with the metrics table: docs/metrics.md where the manual lives in docs/, else the README. */
const metricsPage = (): URL => {
  const page = new URL('../docs/metrics.md', import.meta.url);
  return existsSync(page) ? page : new URL('../README.md', import.meta.url);
};

/** One row of the metrics table: `| \`name\` | type | labels | meaning |`. */
export interface DocumentedFamily {
  readonly name: string;
  readonly type: string;
}

/** The metric families the documentation's table names, with their types, in table order. */
export const documentedMetricFamilies = (): DocumentedFamily[] => {
  const text = readFileSync(metricsPage(), 'utf8');
  return [...text.matchAll(/^\| `(meshwork_[a-z_]+)` \| ([a-z]+) \|/gm)].map((match) => ({ name: match[1]!, type: match[2]! }));
};
