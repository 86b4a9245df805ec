import type { ScenarioResult } from './bench-types.js';

export interface BenchReport {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly rounds: number;
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly memoryGiB: number;
    readonly freeMemoryGiB: number;
    readonly os: string;
    /** 1-minute load average at the start and at the end: how shared the machine was. */
    readonly loadAverage?: readonly [number, number];
  };
  readonly versions: { readonly node: string; readonly redis: string };
  readonly scenarios: readonly {
    readonly name: string;
    readonly title: string;
    readonly durationMs: number;
    readonly result: ScenarioResult;
  }[];
}

const figure = (value: number): string => {
  if (!Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 1_000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
};

/** `bench/RESULTS.md`: one table per scenario, with how it was measured. */
export const formatResults = (report: BenchReport): string => {
  const lines = [
    '# Benchmark results',
    '',
    `Produced by \`npm run bench\` on ${report.startedAt} in ${Math.round(report.durationMs / 1000)} s; do not edit by hand.`,
    '',
    `- Machine: ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.memoryGiB} GiB (${report.machine.freeMemoryGiB} GiB free at the start), ${report.machine.os}`,
    ...(report.machine.loadAverage
      ? [
          `- Load average (1 min) ${report.machine.loadAverage[0].toFixed(1)} at the start, ${report.machine.loadAverage[1].toFixed(1)} at the end: other work shared the ${report.machine.cores} cores`,
        ]
      : []),
    `- Node ${report.versions.node}, Redis ${report.versions.redis}`,
    `- Figures are medians over ${report.rounds} rounds (the spread is the range over rounds); ratios are ours / baseline, both measured in this run.`,
    '',
  ];
  for (const { name, title, durationMs, result } of report.scenarios) {
    lines.push(`## ${title}`, '', `\`${name}\`, ${Math.round(durationMs / 1000)} s. ${result.method}`, '');
    lines.push('| metric | ours | range | baseline | ratio | target | met |', '| --- | ---: | --- | --- | ---: | --- | --- |');
    for (const row of result.rows) {
      const range = row.rounds.length > 1 ? `${figure(Math.min(...row.rounds))}-${figure(Math.max(...row.rounds))}` : '';
      const baseline = row.baseline ? `${row.baseline.name}: ${figure(row.baseline.value)} ${row.unit}` : '';
      const met = row.meetsTarget === undefined ? '' : row.meetsTarget ? 'yes' : '**no**';
      lines.push(
        `| ${row.metric} (${row.better} is better) | ${figure(row.ours)} ${row.unit} | ${range} | ${baseline} | ${row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}x`} | ${row.target ?? ''} | ${met} |`,
      );
    }
    lines.push('');
    for (const note of result.notes ?? []) lines.push(`- ${note}`);
    if (result.notes?.length) lines.push('');
  }
  return `${lines.join('\n')}\n`;
};

/** The console's summary: one aligned line per figure with a baseline or a target, ratio and verdict. */
export const formatSummary = (report: BenchReport): string => {
  const lines = [['scenario', 'figure', 'ours', 'baseline', 'ratio', 'target']];
  for (const { name, result } of report.scenarios) {
    if (result.rows.length === 0) lines.push([name, result.method, '', '', '', 'FAILED']);
    for (const row of result.rows) {
      if (!row.baseline && row.target === undefined) continue;
      lines.push([
        name,
        row.metric.length > 60 ? `${row.metric.slice(0, 59)}…` : row.metric,
        `${figure(row.ours)} ${row.unit}`,
        row.baseline ? figure(row.baseline.value) : '',
        row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}x`,
        row.target === undefined ? '' : row.meetsTarget ? 'met' : 'MISSED',
      ]);
    }
  }
  const widths = lines[0]!.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)));
  return lines
    .map((line) =>
      line
        .map((cell, column) => (column >= 2 && column <= 4 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};
