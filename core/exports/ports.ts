import type { OutboxMessage } from '../messaging/outbox.js';
import type { DomainFailure } from '../shared/errors.js';
import type { Result } from '../shared/result.js';
import type { MetricSample } from '../simulation/model/metric-sample.js';
import type { ExportRecord } from './model.js';

export interface ExportRepository {
  /**
   * Stores a new export. Idempotent on `id`: when an export with this id exists, nothing changes and
   * false is returned (a redelivered job finds the one its first delivery stored). `outbox` is
   * recorded in the same transaction, only when the export is stored, under the aggregate
   * `export:<id>` (docs/adr/0038, 0046); so with `update`.
   */
  create(record: ExportRecord, outbox?: readonly OutboxMessage[]): Promise<boolean>;
  /** The export with this id, expired or not, or undefined. Returns a copy. */
  findById(id: string): Promise<ExportRecord | undefined>;
  /** Replaces the stored export with `record.id` (last write wins); false, storing nothing (nor `outbox`), when there is none. */
  update(record: ExportRecord, outbox?: readonly OutboxMessage[]): Promise<boolean>;
  /** Deletes every export whose `expiresAt` is at or before `now`; returns how many. */
  deleteExpired(now: number): Promise<number>;
}

/** A simulation's results as an export needs them. */
export interface SimulationResultsData {
  readonly simulationId: string;
  readonly projectId: string;
  readonly status: string;
  readonly startedAt: number;
  /** Null while running. */
  readonly completedAt: number | null;
  readonly durationSeconds: number;
  /** Aggregates by name, e.g. `peak_cpu_total`. */
  readonly summary: Readonly<Record<string, number>>;
  /** Every recorded sample, oldest first. */
  readonly samples: readonly MetricSample[];
}

/** One simulation of a project's history. */
export interface SimulationHistoryItem {
  readonly simulationId: string;
  readonly userId: string;
  readonly status: string;
  readonly startedAt: number;
  /** Null while running. */
  readonly completedAt: number | null;
  readonly durationSeconds: number;
  readonly components: readonly string[];
}

export interface SimulationHistoryPage {
  /** Newest first. */
  readonly items: readonly SimulationHistoryItem[];
  /** Simulations of the project in all (more than `items` when the history is longer than asked). */
  readonly totalCount: number;
}

/** The Simulation Service, read on behalf of a user (its GetSimulationResults / GetSimulationHistory). */
export interface SimulationReader {
  /** Ok when the user may read the simulation (a cheap status read). Failures as `results`. */
  canRead(simulationId: string, userId: string): Promise<Result<void, DomainFailure>>;
  /**
   * The simulation's results with all its samples. Failures: `not_found`, `forbidden`; throws
   * `DependencyUnavailableError` when the service cannot answer (docs/adr/0027).
   */
  results(simulationId: string, userId: string): Promise<Result<SimulationResultsData, DomainFailure>>;
  /** The newest `limit` (1..100) simulations of a project the user may read. Failures as `results`. */
  history(projectId: string, userId: string, limit: number): Promise<Result<SimulationHistoryPage, DomainFailure>>;
}
