import type { Kysely, Migration } from 'kysely';
import { executeStatements } from '../../run-migrations.js';

/**
 * Simulation runs and the results of finished ones (deleted with the run). The metric series is
 * JSONB, one array per field (at most 10,000 samples after downsampling), so results outlive the
 * trimmed Redis stream. The indexes serve the history order (started_at, id) descending.
 */
export const createSimulationTables: Migration = {
  up: async (db: Kysely<unknown>) =>
    executeStatements(db, [
      `CREATE TABLE simulations (
        id text COLLATE "C" PRIMARY KEY,
        project_id text COLLATE "C" NOT NULL,
        user_id text COLLATE "C" NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'completed', 'stopped', 'failed')),
        config jsonb NOT NULL,
        components text[] NOT NULL,
        duration_seconds integer NOT NULL,
        real_time boolean NOT NULL,
        updates_per_second integer NOT NULL,
        total_steps integer NOT NULL,
        steps_completed integer NOT NULL,
        started_at bigint NOT NULL,
        completed_at bigint,
        stopped_by text,
        stop_reason text,
        final_sample jsonb,
        version integer NOT NULL CHECK (version >= 1)
      )`,
      'CREATE INDEX simulations_by_project ON simulations (project_id, started_at DESC, id DESC)',
      'CREATE INDEX simulations_by_user ON simulations (user_id, started_at DESC, id DESC)',
      `CREATE TABLE simulation_results (
        simulation_id text COLLATE "C" PRIMARY KEY REFERENCES simulations (id) ON DELETE CASCADE,
        sample_count integer NOT NULL,
        series jsonb NOT NULL,
        summary jsonb NOT NULL
      )`,
    ]),
};
