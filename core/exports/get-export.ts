import type { DomainFailure } from '../shared/errors.js';
import { err, ok, type Result } from '../shared/result.js';
import type { ExportDeps } from './deps.js';
import { ExportFailures } from './errors.js';
import type { ExportRecord } from './model.js';

/** The export, with its file once ready, for the user who asked for it; `export_not_found` for anyone else and once expired. */
export const getExport = async (
  deps: Pick<ExportDeps, 'exports' | 'clock'>,
  input: { readonly exportId: string; readonly userId: string },
): Promise<Result<ExportRecord, DomainFailure>> => {
  const record = input.exportId ? await deps.exports.findById(input.exportId) : undefined;
  if (!record || record.userId !== input.userId || record.expiresAt <= deps.clock.now()) {
    return err(ExportFailures.exportNotFound());
  }
  return ok(record);
};

/** Deletes the exports past their expiry; returns how many. For a periodic cleanup. */
export const deleteExpiredExports = (deps: Pick<ExportDeps, 'exports' | 'clock'>): Promise<number> =>
  deps.exports.deleteExpired(deps.clock.now());
