/**
 * Runs every scenario in `bench/scenarios/` one after the other and writes `bench/results.json`
 * and `bench/RESULTS.md` (machine, Node and Redis versions, medians over rounds, ratios to the
 * baseline measured in the same run).
 *
 *   npm run bench [-- --only mesh-overhead,mesh-failover] [--rounds 5]
 * Scenarios marked `optIn` (the shape benchmarks, minutes each) run only when named in `--only`.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import type { BenchScenario, ScenarioResult } from './support/bench-types.js';
import { formatResults, formatSummary, type BenchReport } from './support/results-markdown.js';
import { soakSection } from './support/soak-results.js';

const here = dirname(fileURLToPath(import.meta.url));
// Servers started in this process log at info by default: keep the run's output to the figures.
process.env.LOG_LEVEL ??= 'warn';

const loadScenarios = async (): Promise<BenchScenario[]> => {
  const files = (await readdir(join(here, 'scenarios'))).filter((file) => file.endsWith('.ts')).sort();
  const modules = await Promise.all(
    files.map((file) => import(pathToFileURL(join(here, 'scenarios', file)).href) as Promise<{ scenario: BenchScenario }>),
  );
  return modules.map((module) => module.scenario);
};

const redisVersion = async (): Promise<string> => {
  const { stdout } = await promisify(execFile)('redis-server', ['--version']).catch(() => ({ stdout: 'not found' }));
  return /v=(\S+)/.exec(stdout)?.[1] ?? stdout.trim();
};

const main = async (): Promise<void> => {
  const { values } = parseArgs({ options: { only: { type: 'string' }, rounds: { type: 'string' } } });
  const rounds = Number(values.rounds ?? 3);
  const only = values.only?.split(',');
  const scenarios = (await loadScenarios()).filter((scenario) => (only ? only.includes(scenario.name) : !scenario.optIn));
  const startedAt = new Date();
  const loadAtStart = loadavg()[0]!;
  const results: { name: string; title: string; durationMs: number; result: ScenarioResult }[] = [];
  for (const scenario of scenarios) {
    const began = Date.now();
    console.log(`== ${scenario.name}: ${scenario.title}`);
    // A scenario that throws is reported as failed; the others still run.
    const result = await scenario.run({ rounds }).catch((error: unknown): ScenarioResult => {
      console.error(`   FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return { rows: [], method: `FAILED: ${error instanceof Error ? error.message : String(error)}` };
    });
    results.push({ name: scenario.name, title: scenario.title, durationMs: Date.now() - began, result });
    for (const row of result.rows) {
      const baseline = row.baseline ? ` | ${row.baseline.name} ${row.baseline.value.toFixed(2)} | ratio ${row.ratio?.toFixed(2)}` : '';
      console.log(
        `   ${row.metric}: ${row.ours.toFixed(2)} ${row.unit}${baseline}${row.target ? ` | ${row.target}: ${row.meetsTarget ? 'ok' : 'MISSED'}` : ''}`,
      );
    }
  }
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    rounds,
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
      os: `${platform()} ${release()}`,
      loadAverage: [loadAtStart, loadavg()[0]!],
    },
    versions: { node: process.version, redis: await redisVersion() },
    scenarios: results,
  };
  const partial = only !== undefined;
  const base = partial ? 'results.partial' : 'results';
  await writeFile(join(here, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
  // The soak's figures come from `npm run soak`, not from here: keep them.
  const soak = soakSection(await readFile(join(here, 'RESULTS.md'), 'utf8').catch(() => ''));
  const markdown = formatResults(report);
  await writeFile(
    join(here, partial ? 'RESULTS.partial.md' : 'RESULTS.md'),
    partial || soak === '' ? markdown : `${markdown.trimEnd()}\n\n${soak}\n`,
  );
  console.log(`\n${formatSummary(report)}`);
  console.log(
    `\nwrote bench/${base}.json and bench/${partial ? 'RESULTS.partial.md' : 'RESULTS.md'} in ${Math.round(report.durationMs / 1000)} s`,
  );
};

await main();
