import type { Attributes } from '@opentelemetry/api';
import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import {
  DB_COLLECTION_NAME,
  DB_NAMESPACE,
  DB_OPERATION_NAME,
  DB_QUERY_TEXT,
  DB_RESPONSE_STATUS_CODE,
  DB_SYSTEM_NAME,
} from '../observability/tracing/semantic-attributes.js';
import { failSpan, recordingScope, SpanKind, startSpan, type Span } from '../observability/tracing/spans.js';
import { describeQuery, type QueryDescription } from './query-text.js';

/** Where the queries go, as every span of them says. */
export interface DatabaseTarget {
  /** `db.namespace`: `database|schema` for PostgreSQL, the schema for PGlite. */
  readonly namespace: string;
  /** `server.address` and `server.port`; absent for embedded PGlite. */
  readonly server?: { readonly address: string; readonly port: number };
}

/**
 * The dialect with a client span per statement (docs/adr/0048), recorded when the statement runs
 * in work that records spans (a served call, a request, a consumed message): `db.system.name`
 * postgresql (PGlite is PostgreSQL), the statement's text with its literals replaced by `?`, its
 * operation and table. Installed only when traces are exported; otherwise the dialect is used as is.
 */
export class TracingDialect implements Dialect {
  private readonly base: Attributes;

  constructor(
    private readonly inner: Dialect,
    target: DatabaseTarget,
  ) {
    this.base = {
      [DB_SYSTEM_NAME]: 'postgresql',
      [DB_NAMESPACE]: target.namespace,
      ...(target.server && { 'server.address': target.server.address, 'server.port': target.server.port }),
    };
  }

  createDriver(): Driver {
    return new TracingDriver(this.inner.createDriver(), this.base);
  }

  createQueryCompiler(): QueryCompiler {
    return this.inner.createQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return this.inner.createAdapter();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return this.inner.createIntrospector(db);
  }
}

/** A statement's attributes on one database, made once per description (they repeat with kysely's statements); each span copies them. */
const templates = new WeakMap<Attributes, WeakMap<QueryDescription, Attributes>>();

const attributesOf = (base: Attributes, query: QueryDescription): Attributes => {
  let ofBase = templates.get(base);
  if (!ofBase) templates.set(base, (ofBase = new WeakMap()));
  let template = ofBase.get(query);
  if (!template) {
    template = { ...base, [DB_OPERATION_NAME]: query.operation, [DB_QUERY_TEXT]: query.text };
    if (query.collection !== undefined) template[DB_COLLECTION_NAME] = query.collection;
    ofBase.set(query, template);
  }
  return template;
};

/** Runs `run` inside a span for `sql` when the current work records spans. */
const traced = <T>(base: Attributes, sql: string, run: () => Promise<T>): Promise<T> => {
  const scope = recordingScope();
  if (!scope) return run();
  const query = describeQuery(sql);
  const span = startSpan(scope.tracer, query.summary, SpanKind.CLIENT, scope.trace, { ...attributesOf(base, query) });
  return run().then(
    (result) => {
      span.end();
      return result;
    },
    (error: unknown) => failed(span, error),
  );
};

const failed = (span: Span, error: unknown): never => {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') span.setAttribute(DB_RESPONSE_STATUS_CODE, code);
  failSpan(span, error);
  span.end();
  throw error;
};

/** The driver handing out connections that trace their statements; the inner driver always sees its own connections. */
class TracingDriver implements Driver {
  /**
   * A connection's wrapper rides on it under this driver's own symbol: a property read, not a
   * WeakMap lookup per statement; own per driver, since the services of a process may share one
   * PGlite connection (docs/adr/0071), each with its own `db.namespace`.
   */
  private readonly wrapper = Symbol('meshwork.tracingConnection');

  constructor(
    private readonly inner: Driver,
    private readonly base: Attributes,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = (await this.inner.acquireConnection()) as DatabaseConnection & Record<symbol, TracingConnection | undefined>;
    return (connection[this.wrapper] ??= new TracingConnection(connection, this.base));
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return traced(this.base, 'BEGIN', () => this.inner.beginTransaction(innerOf(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return traced(this.base, 'COMMIT', () => this.inner.commitTransaction(innerOf(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return traced(this.base, 'ROLLBACK', () => this.inner.rollbackTransaction(innerOf(connection)));
  }

  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    if (!this.inner.savepoint) throw new Error('The `savepoint` method is not supported by this driver');
    return this.inner.savepoint(innerOf(connection), name, compile);
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    if (!this.inner.rollbackToSavepoint) throw new Error('The `rollbackToSavepoint` method is not supported by this driver');
    return this.inner.rollbackToSavepoint(innerOf(connection), name, compile);
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    if (!this.inner.releaseSavepoint) throw new Error('The `releaseSavepoint` method is not supported by this driver');
    return this.inner.releaseSavepoint(innerOf(connection), name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(innerOf(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

const innerOf = (connection: DatabaseConnection): DatabaseConnection =>
  connection instanceof TracingConnection ? connection.inner : connection;

class TracingConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly base: Attributes,
  ) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return traced(this.base, compiledQuery.sql, () => this.inner.executeQuery<R>(compiledQuery));
  }

  streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(compiledQuery, chunkSize);
  }
}
