import { failure, type DomainFailure, type FieldViolation } from '../shared/errors.js';

/** Every expected failure of the export use cases, by stable code. */
export const ExportFailures = {
  invalidInput: (violations: readonly FieldViolation[]): DomainFailure =>
    failure('invalid', 'invalid_input', 'The request is invalid.', violations),
  /** Also the answer for someone else's export and an expired one, so ids reveal nothing. */
  exportNotFound: (): DomainFailure => failure('not_found', 'export_not_found', 'No such export.'),
  /** A job whose payload is not one this service understands; retrying cannot fix it. */
  malformedJob: (reason: string): DomainFailure => failure('invalid', 'malformed_export_job', `Export job dropped: ${reason}`),
} as const;
