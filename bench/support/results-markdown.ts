import type { ScenarioResult } from './bench-types.js';

export interface BenchReport {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly rounds: number;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly memoryGiB: number; readonly freeMemoryGiB: number; readonly os: string };
  readonly versions: { readonly node: string; readonly redis: string };
  readonly scenarios: readonly { readonly name: string; readonly title: string; readonly durationMs: number; readonly result: ScenarioResult }[];
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
  }
  return `${lines.join('\n')}\n`;
};
