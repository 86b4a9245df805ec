import type { ColumnType, Selectable } from 'kysely';
import type { SimulationConfig } from '../../../core/simulation/configuration.js';
import type { MetricSample } from '../../../core/simulation/model/metric-sample.js';
import type { SimulationSummary } from '../../../core/simulation/summary.js';
import type { IdempotencyTables } from '../idempotency/idempotency-table.js';
import type { OutboxTables } from '../outbox/outbox-table.js';
import type { MetricSeries } from './metric-series-codec.js';

/** The simulation service's tables (schema `simulation`), as kysely sees them. Times are epoch ms (BIGINT). */
export interface SimulationTables extends OutboxTables, IdempotencyTables {
  simulations: SimulationsTable;
  simulation_results: SimulationResultsTable;
}

/** A JSONB column: read as the parsed value, written as JSON text. */
type JsonColumn<T> = ColumnType<T, string, string>;
type NullableJsonColumn<T> = ColumnType<T | null, string | null, string | null>;

export interface SimulationsTable {
  id: string;
  project_id: string;
  user_id: string;
  status: string;
  config: JsonColumn<SimulationConfig>;
  components: string[];
  duration_seconds: number;
  real_time: boolean;
  updates_per_second: number;
  total_steps: number;
  steps_completed: number;
  started_at: number;
  completed_at: number | null;
  stopped_by: string | null;
  stop_reason: string | null;
  final_sample: NullableJsonColumn<MetricSample>;
  version: number;
}

export interface SimulationResultsTable {
  simulation_id: string;
  sample_count: number;
  /** One array per metric field (columnar), oldest sample first. */
  series: JsonColumn<MetricSeries>;
  summary: JsonColumn<SimulationSummary>;
}

export type SimulationRow = Selectable<SimulationsTable>;
