/** One figure of a scenario: our median beside the baseline measured in the same run. */
export interface BenchRow {
  readonly metric: string;
  readonly unit: string;
  /** Median over the rounds. */
  readonly ours: number;
  /** Each round's value, for the spread. */
  readonly rounds: readonly number[];
  readonly baseline?: { readonly name: string; readonly value: number };
  /** ours / baseline. */
  readonly ratio?: number;
  /** Whether a higher or a lower value is better (for the reader; the target says what is required). */
  readonly better: 'higher' | 'lower';
  /** The requirement, e.g. `< 500 ms` or `>= 0.9x bare`; undefined for figures shown for information. */
  readonly target?: string;
  readonly meetsTarget?: boolean;
}

export interface ScenarioResult {
  readonly rows: readonly BenchRow[];
  /** How the figures were measured, in a sentence or two. */
  readonly method: string;
  /** What the figures say where a target is missed or a finding matters: by how much and why. */
  readonly notes?: readonly string[];
}

/** A file in `bench/scenarios/` exports `scenario`: `bench/run.ts` runs every one. */
export interface BenchScenario {
  readonly name: string;
  readonly title: string;
  /** Runs only when named in `--only` (it takes minutes; `npm run bench` stays under 5). */
  readonly optIn?: boolean;
  /** Runs after the previous scenario: their rounds do not overlap. */
  run(options: { readonly rounds: number }): Promise<ScenarioResult>;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)]!;
};

export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

/** A row whose figure is the median of `rounds`, compared with the median of `baseline` when given. */
export const row = (
  fields: Omit<BenchRow, 'ours' | 'rounds' | 'baseline' | 'ratio' | 'meetsTarget'> & {
    readonly rounds: readonly number[];
    readonly baseline?: { readonly name: string; readonly rounds: readonly number[] };
    readonly meets?: (ours: number, ratio: number | undefined) => boolean;
  },
): BenchRow => {
  const ours = median(fields.rounds);
  const baseline = fields.baseline && { name: fields.baseline.name, value: median(fields.baseline.rounds) };
  const ratio = baseline && baseline.value !== 0 ? ours / baseline.value : undefined;
  return {
    metric: fields.metric,
    unit: fields.unit,
    ours,
    rounds: fields.rounds,
    ...(baseline && { baseline }),
    ...(ratio !== undefined && { ratio }),
    better: fields.better,
    ...(fields.target !== undefined && { target: fields.target }),
    ...(fields.meets && { meetsTarget: fields.meets(ours, ratio) }),
  };
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
