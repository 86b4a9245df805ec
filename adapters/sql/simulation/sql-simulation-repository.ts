import { sql, type Kysely, type Transaction } from 'kysely';
import type { OutboxMessage } from '../../../core/messaging/outbox.js';
import { failure, type DomainFailure } from '../../../core/shared/errors.js';
import { err, ok, type Result } from '../../../core/shared/result.js';
import type { MetricSample } from '../../../core/simulation/model/metric-sample.js';
import { quotaExceeded } from '../../../core/simulation/errors.js';
import type { HistoryPage, HistoryQuery, RunningLimits, SimulationRepository } from '../../../core/simulation/ports.js';
import { retryAfterMs } from '../../../core/simulation/running-limits.js';
import type { Simulation, SimulationResults } from '../../../core/simulation/simulation.js';
import type { SimulationSummary } from '../../../core/simulation/summary.js';
import { SqlOutbox } from '../outbox/sql-outbox.js';
import { isSqlError, SqlState } from '../sql-errors.js';
import { decodeMetricSeries, encodeMetricSeries } from './metric-series-codec.js';
import { fromSimulationRow, toSimulationRow } from './simulation-rows.js';
import type { SimulationTables } from './simulation-tables.js';

/**
 * SimulationRepository on the simulation schema. Updates are optimistic (`WHERE id = ? AND
 * version = ?`); results are one row per simulation (the series as JSONB columns), deleted with it.
 * A create within running limits counts and inserts in one transaction holding an advisory lock on
 * its user and one on its project (docs/adr/0036).
 */
export class SqlSimulationRepository implements SimulationRepository {
  constructor(
    private readonly db: Kysely<SimulationTables>,
    readonly outbox: SqlOutbox = new SqlOutbox(db),
  ) {}

  async create(
    simulation: Simulation,
    limits?: RunningLimits,
    outbox: readonly OutboxMessage[] = [],
  ): Promise<Result<Simulation, DomainFailure>> {
    const created = await this.db.transaction().execute(async (trx): Promise<Result<Simulation, DomainFailure>> => {
      if (limits) {
        // Under READ COMMITTED two transactions would each count without the other's row: the locks
        // queue creates of one user or one project. Always user first, then project: no lock cycle.
        await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`simulation-user:${simulation.userId}`}, 0))`.execute(trx);
        await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`simulation-project:${simulation.projectId}`}, 0))`.execute(trx);
        const user = await runningOf(trx, 'user_id', simulation.userId, simulation.startedAt, limits.graceMs);
        if (user.count >= limits.perUser)
          return err(quotaExceeded('user', limits.perUser, retryAfterMs([user.expectedEnd], simulation.startedAt)));
        const project = await runningOf(trx, 'project_id', simulation.projectId, simulation.startedAt, limits.graceMs);
        if (project.count >= limits.perProject) {
          return err(quotaExceeded('project', limits.perProject, retryAfterMs([project.expectedEnd], simulation.startedAt)));
        }
      }
      const inserted = await this.insert(trx, simulation);
      if (inserted.ok) await this.outbox.record(trx, `simulation:${simulation.id}`, outbox);
      return inserted;
    });
    if (created.ok) this.outbox.recorded(outbox);
    return created;
  }

  private async insert(db: Kysely<SimulationTables>, simulation: Simulation): Promise<Result<Simulation, DomainFailure>> {
    const row = await db
      .insertInto('simulations')
      .values({ ...toSimulationRow(simulation), version: 1 })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .returningAll()
      .executeTakeFirst();
    return row ? ok(fromSimulationRow(row)) : err(failure('conflict', 'simulation_exists', `Simulation ${simulation.id} already exists`));
  }

  async update(
    simulation: Simulation,
    expectedVersion: number,
    outbox: readonly OutboxMessage[] = [],
  ): Promise<Result<Simulation, DomainFailure>> {
    const { id, ...fields } = toSimulationRow(simulation);
    // A plain update (a run's progress) needs no transaction of its own.
    const within = <T>(work: (trx: Kysely<SimulationTables>) => Promise<T>): Promise<T> =>
      outbox.length === 0 ? work(this.db) : this.db.transaction().execute(work);
    const row = await within(async (trx) => {
      const updated = await trx
        .updateTable('simulations')
        .set({ ...fields, version: expectedVersion + 1 })
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .returningAll()
        .executeTakeFirst();
      if (updated) await this.outbox.record(trx, `simulation:${id}`, outbox);
      return updated;
    });
    if (row) {
      this.outbox.recorded(outbox);
      return ok(fromSimulationRow(row));
    }
    const exists = await this.db.selectFrom('simulations').select('id').where('id', '=', id).executeTakeFirst();
    return err(
      exists
        ? failure('conflict', 'simulation_version_conflict', `Simulation ${id} changed meanwhile`)
        : failure('not_found', 'simulation_not_found', `No simulation ${id}`),
    );
  }

  async findById(id: string): Promise<Simulation | undefined> {
    const row = await this.db.selectFrom('simulations').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromSimulationRow(row);
  }

  listByProject(projectId: string, query: HistoryQuery): Promise<HistoryPage> {
    return this.page('project_id', projectId, query);
  }

  listByUser(userId: string, query: HistoryQuery): Promise<HistoryPage> {
    return this.page('user_id', userId, query);
  }

  async saveResults(simulationId: string, samples: readonly MetricSample[], summary: SimulationSummary): Promise<void> {
    const values = {
      simulation_id: simulationId,
      sample_count: samples.length,
      series: JSON.stringify(encodeMetricSeries(samples)),
      summary: JSON.stringify(summary),
    };
    try {
      await this.db
        .insertInto('simulation_results')
        .values(values)
        .onConflict((conflict) =>
          conflict.column('simulation_id').doUpdateSet((eb) => ({
            sample_count: eb.ref('excluded.sample_count'),
            series: eb.ref('excluded.series'),
            summary: eb.ref('excluded.summary'),
          })),
        )
        .execute();
    } catch (error) {
      if (isSqlError(error, SqlState.foreignKeyViolation))
        throw new Error(`No simulation ${simulationId} to save results for`, { cause: error });
      throw error;
    }
  }

  async findResults(simulationId: string): Promise<SimulationResults | undefined> {
    const row = await this.db
      .selectFrom('simulation_results')
      .select(['series', 'summary'])
      .where('simulation_id', '=', simulationId)
      .executeTakeFirst();
    return row && { simulationId, samples: decodeMetricSeries(row.series), summary: row.summary };
  }

  async deleteOlderThan(cutoff: number): Promise<readonly string[]> {
    const rows = await this.db
      .deleteFrom('simulations')
      .where('status', '<>', 'running')
      .where((eb) => eb(eb.fn.coalesce('completed_at', 'started_at'), '<', cutoff))
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  private async page(owner: 'project_id' | 'user_id', ownerId: string, query: HistoryQuery): Promise<HistoryPage> {
    const { after, status } = query;
    const matching = this.db
      .selectFrom('simulations')
      .where(owner, '=', ownerId)
      .$if(status !== undefined, (select) => select.where('status', '=', status!));
    const [rows, counted] = await Promise.all([
      matching
        .selectAll()
        .$if(after !== undefined, (select) =>
          select.where((eb) => eb(eb.refTuple('started_at', 'id'), '<', eb.tuple(after!.startedAt, after!.id))),
        )
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(query.limit + 1)
        .execute(),
      matching.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.slice(0, query.limit).map(fromSimulationRow), total: counted.count, hasMore: rows.length > query.limit };
  }
}

/** The simulations of one user or project that count against the limits at `now`, and the earliest expected end among them. */
const runningOf = async (
  trx: Transaction<SimulationTables>,
  owner: 'user_id' | 'project_id',
  ownerId: string,
  now: number,
  graceMs: number,
): Promise<{ readonly count: number; readonly expectedEnd: number }> => {
  const row = await trx
    .selectFrom('simulations')
    .select([
      sql<number>`count(*)::int`.as('count'),
      sql<number | null>`min(CASE WHEN real_time THEN started_at + duration_seconds * 1000 ELSE started_at END)::float8`.as('expected_end'),
    ])
    .where(owner, '=', ownerId)
    .where('status', '=', 'running')
    .where(sql<boolean>`started_at + duration_seconds * 1000 + ${graceMs}::bigint > ${now}::bigint`)
    .executeTakeFirstOrThrow();
  return { count: row.count, expectedEnd: row.expected_end ?? now };
};
