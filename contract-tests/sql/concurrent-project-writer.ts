/**
 * One of the writers of the concurrency test, run as its own process: on `go` (a line on stdin) it
 * makes `updates` read-modify-write increments of the project's `counter` (re-reading after a
 * stale_version) and joins `updates` collaborators, then prints what it did as one JSON line.
 * Usage: node --import tsx concurrent-project-writer.ts <database-url> <project-id> <writer> <updates>
 */
import { once } from 'node:events';
import { createLogger } from '../../adapters/observability/logger.js';
import { openServiceDatabase } from '../../adapters/sql/database.js';
import { SqlProjectRepository } from '../../adapters/sql/project/sql-project-repository.js';

const [url, projectId, writer, updatesText] = process.argv.slice(2);
if (!url || !projectId || !writer || !updatesText) throw new Error('usage: <database-url> <project-id> <writer> <updates>');
const updates = Number(updatesText);

const database = await openServiceDatabase({
  service: 'project',
  url,
  dataDir: 'unused',
  logger: createLogger(writer, 'silent'),
  poolSize: 2,
});
const repo = new SqlProjectRepository(database.db);
await repo.findById(projectId); // connected before the start signal
process.stdout.write('ready\n');
await once(process.stdin, 'data');

let done = 0;
let staleReads = 0;
while (done < updates) {
  const project = await repo.findById(projectId);
  if (!project) throw new Error(`project ${projectId} is gone`);
  const counter = Number(project.configuration.counter ?? '0');
  const updated = await repo.update({ ...project, configuration: { ...project.configuration, counter: String(counter + 1) } });
  if (updated.ok) {
    done += 1;
    await repo.addCollaborator(projectId, `${writer}-${done}`);
  } else if (updated.error === 'stale_version') {
    staleReads += 1;
  } else {
    throw new Error(`update failed: ${updated.error}`);
  }
}
await database.close();
process.stdout.write(`${JSON.stringify({ done, staleReads })}\n`);
process.stdin.destroy();
