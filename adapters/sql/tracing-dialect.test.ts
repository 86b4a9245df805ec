import { sharedPGlite } from './shared-pglite.js';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { Kysely, sql, type Dialect } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTrace } from '../observability/trace-context.js';
import { runInScope } from '../observability/trace-context-scope.js';
import { PGliteDialect } from './pglite-dialect.js';
import { TracingDialect } from './tracing-dialect.js';

interface Tables {
  items: { id: string; owner: string };
}

describe('TracingDialect', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('test');
  const parent = startTrace();
  const inTrace = <T>(work: () => Promise<T>) => runInScope({ trace: parent, tracer }, work);
  let db: Kysely<Tables>;

  beforeAll(async () => {
    const dialect = new TracingDialect(new PGliteDialect(await sharedPGlite('memory://')), { namespace: 'project' });
    db = new Kysely<Tables>({ dialect });
    await sql`CREATE TABLE items (id text PRIMARY KEY, owner text NOT NULL)`.execute(db);
  }, 60_000);
  afterAll(async () => {
    await db.destroy();
    await provider.shutdown();
  });
  beforeEach(() => exporter.reset());

  it('records a client span per statement of traced work, under its span, with the literals left out', async () => {
    await inTrace(() => db.insertInto('items').values({ id: 'a1', owner: 'ada@example.com' }).execute());
    await inTrace(() => sql`SELECT id FROM items WHERE owner = 'ada@example.com' LIMIT 10`.execute(db));
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(['INSERT items', 'SELECT items']);
    for (const span of spans) {
      expect(span.kind).toBe(2); // CLIENT
      expect(span.spanContext().traceId).toBe(parent.traceId);
      expect(span.parentSpanContext?.spanId).toBe(parent.spanId);
      expect(span.attributes).toMatchObject({ 'db.system.name': 'postgresql', 'db.namespace': 'project' });
    }
    expect(spans[0]!.attributes).toMatchObject({
      'db.operation.name': 'INSERT',
      'db.collection.name': 'items',
      'db.query.text': 'insert into "items" ("id", "owner") values ($1, $2)',
    });
    expect(spans[1]!.attributes['db.query.text']).toBe('SELECT id FROM items WHERE owner = ? LIMIT ?');
  });

  it('records a transaction as its statements, BEGIN and COMMIT on the same trace', async () => {
    await inTrace(() => db.transaction().execute((trx) => trx.insertInto('items').values({ id: 'b1', owner: 'bob' }).execute()));
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['BEGIN', 'INSERT items', 'COMMIT']);
  });

  it('marks a failed statement with its SQLSTATE', async () => {
    await inTrace(() => db.insertInto('items').values({ id: 'c1', owner: 'x' }).execute());
    await expect(inTrace(() => db.insertInto('items').values({ id: 'c1', owner: 'y' }).execute())).rejects.toThrow();
    const failed = exporter.getFinishedSpans().at(-1)!;
    expect(failed.status.code).toBe(2); // ERROR
    expect(failed.attributes).toMatchObject({ 'db.response.status_code': '23505', 'error.type': '23505' });
  });

  it('records nothing for statements outside traced work', async () => {
    await db.selectFrom('items').selectAll().execute();
    await runInScope({ trace: parent }, () => db.selectFrom('items').selectAll().execute());
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('names its own namespace on a connection another traced dialect uses too (services sharing one PGlite)', async () => {
    const inner = new PGliteDialect(await sharedPGlite('memory://'));
    const driver = inner.createDriver();
    const sharing: Dialect = {
      createDriver: () => driver,
      createQueryCompiler: () => inner.createQueryCompiler(),
      createAdapter: () => inner.createAdapter(),
      createIntrospector: (db) => inner.createIntrospector(db),
    };
    const one = new Kysely<Tables>({ dialect: new TracingDialect(sharing, { namespace: 'one' }) });
    const two = new Kysely<Tables>({ dialect: new TracingDialect(sharing, { namespace: 'two' }) });
    for (const db of [one, two, one]) await inTrace(() => sql`SELECT 1`.execute(db));
    expect(exporter.getFinishedSpans().map((span) => span.attributes['db.namespace'])).toEqual(['one', 'two', 'one']);
    await one.destroy();
  });
});
