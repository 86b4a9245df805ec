import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServiceDatabase, type ServiceDatabase } from '../../adapters/sql/database.js';
import type { ProjectTables } from '../../adapters/sql/project/project-tables.js';
import { SqlProjectRepository } from '../../adapters/sql/project/sql-project-repository.js';
import { ServiceMigrations } from '../../adapters/sql/sql-services.js';
import { createThrowawayDatabase, type PostgresDatabase } from '../../test-support/postgres-fixture.js';
import { aProject } from '../project/builders.js';
import { testLogger } from '../../test-support/test-logger.js';

const writerScript = fileURLToPath(new URL('./concurrent-project-writer.ts', import.meta.url));
const UpdatesPerWriter = 40;

interface Writer {
  readonly process: ChildProcessWithoutNullStreams;
  readonly lines: AsyncIterator<string>;
}

const startWriter = (url: string, projectId: string, name: string): Writer => {
  const child = spawn(process.execPath, ['--import', 'tsx', writerScript, url, projectId, name, String(UpdatesPerWriter)]);
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<IteratorResult<string>> => {
    const line = await lines.next();
    if (line.done) throw new Error(`writer ${name} ended early: ${errors}`);
    return line;
  };
  return { process: child, lines: { next: nextLine } };
};

describe('two processes updating one project on PostgreSQL', () => {
  let server: PostgresDatabase;
  let database: ServiceDatabase<ProjectTables>;
  beforeAll(async () => {
    server = await createThrowawayDatabase('concurrency');
    database = await openServiceDatabase({
      service: 'project',
      url: server.url,
      dataDir: 'unused',
      logger: testLogger('concurrency-test'),
    });
    await database.migrate();
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await server?.drop();
  }, 60_000);

  it('lose no update and no collaborator', { timeout: 120_000 }, async () => {
    const repo = new SqlProjectRepository(database.db);
    const project = aProject({ configuration: { counter: '0' } });
    await repo.create(project);
    const writers = [startWriter(server.url, project.id, 'a'), startWriter(server.url, project.id, 'b')];

    for (const writer of writers) expect((await writer.lines.next()).value).toBe('ready');
    for (const writer of writers) writer.process.stdin.write('go\n');
    const reports = await Promise.all(writers.map(async (writer) => JSON.parse((await writer.lines.next()).value) as { done: number }));

    expect(reports.map((report) => report.done)).toEqual([UpdatesPerWriter, UpdatesPerWriter]);
    const stored = await repo.findById(project.id);
    expect(stored?.configuration.counter).toBe(String(2 * UpdatesPerWriter));
    expect(stored?.version).toBe(1 + 2 * UpdatesPerWriter);
    expect(stored?.collaborators).toHaveLength(2 * UpdatesPerWriter);
  });
});

describe('two instances starting together on one PostgreSQL database', () => {
  let server: PostgresDatabase;
  beforeAll(async () => {
    server = await createThrowawayDatabase('migrate_together');
  }, 60_000);
  afterAll(async () => {
    await server?.drop();
  }, 60_000);

  it('apply each migration once between them', { timeout: 60_000 }, async () => {
    const logger = testLogger('concurrency-test');
    const instances = await Promise.all(
      [1, 2].map(() => openServiceDatabase({ service: 'auth', url: server.url, dataDir: 'unused', logger, poolSize: 2 })),
    );
    try {
      const applied = await Promise.all(instances.map((instance) => instance.migrate()));

      expect(applied.flat().sort()).toEqual(Object.keys(ServiceMigrations.auth).sort());
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
    }
  });
});
