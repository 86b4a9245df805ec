import type { Job } from '../messaging/work-queue.js';
import type { ExportDeps } from './deps.js';
import { deleteExpiredExports, getExport } from './get-export.js';
import { requestExport, type ExportRequestInput } from './request-export.js';
import { runExportJob } from './run-export-job.js';

/** The export use cases bound to their dependencies: what the HTTP routes and the job workers call. */
export const createExportService = (deps: ExportDeps) => ({
  requestExport: (input: ExportRequestInput) => requestExport(deps, input),
  runJob: (job: Pick<Job, 'type' | 'payload' | 'attempt'>) => runExportJob(deps, job),
  getExport: (input: { readonly exportId: string; readonly userId: string }) => getExport(deps, input),
  deleteExpired: () => deleteExpiredExports(deps),
});

export type ExportService = ReturnType<typeof createExportService>;
