const keywords = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);
const aggregations = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
]);

/**
 * The metric names a PromQL expression selects, Grafana variables allowed (`$job`, `[$__rate_interval]`).
 * Not a full parser: strings, label matchers, ranges and grouping label lists are cut out first, then
 * every identifier left that is not a function call, an aggregation or a keyword is a metric name.
 */
export const promqlMetricNames = (expression: string): string[] => {
  const stripped = expression
    .replace(/\$\{?__[a-z_]+\}?/g, '5m')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' $1 ')
    .replace(/\boffset\s+-?\d+[smhdwy]/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.$])[a-zA-Z_:][\w:]*/g)) {
    const name = match[0];
    const after = stripped.slice(match.index + name.length).trimStart();
    if (keywords.has(name) || aggregations.has(name) || after.startsWith('(')) continue;
    names.add(name);
  }
  return [...names];
};

/** The family a sample name belongs to: a histogram's `_bucket`, `_sum` and `_count` series name their family. */
export const familyOf = (name: string, histograms: ReadonlySet<string>): string => {
  const family = name.replace(/_(bucket|sum|count)$/, '');
  return family !== name && histograms.has(family) ? family : name;
};
