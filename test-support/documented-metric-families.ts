import { readFileSync } from 'node:fs';

/** One row of docs/metrics.md's table: `| \`name\` | type | labels | meaning |`. */
export interface DocumentedFamily {
  readonly name: string;
  readonly type: string;
}

/** The metric families docs/metrics.md's table names, with their types, in table order. */
export const documentedMetricFamilies = (): DocumentedFamily[] => {
  const text = readFileSync(new URL('../docs/metrics.md', import.meta.url), 'utf8');
  return [...text.matchAll(/^\| `(meshwork_[a-z_]+)` \| ([a-z]+) \|/gm)].map((match) => ({ name: match[1]!, type: match[2]! }));
};
