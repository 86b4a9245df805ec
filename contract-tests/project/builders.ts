import { randomUUID } from 'node:crypto';
import type { Project } from '../../core/project/model.js';
import type { DomainFailure } from '../../core/shared/errors.js';
import type { Result } from '../../core/shared/result.js';

/** A fresh id with a readable prefix; lower-case hex, so code-unit and SQL "C" order agree. */
export const anId = (prefix: string): string => `${prefix}-${randomUUID()}`;

const BaseTime = Date.UTC(2026, 0, 1);

/** A fixed instant `minutes` after 2026-01-01T00:00Z, for ordering tests. */
export const atMinute = (minutes: number): number => BaseTime + minutes * 60_000;

/** A valid active, private project with a unique id and owner; override what the test is about. */
export const aProject = (overrides: Partial<Project> = {}): Project => ({
  id: anId('project'),
  ownerId: anId('user'),
  name: 'Checkout load test',
  description: 'What happens to checkout on Black Friday',
  templateId: 'microservices',
  configuration: { nodes: '6', load_profile: 'ramp' },
  isPublic: false,
  status: 'active',
  shares: [],
  collaborators: [],
  createdAt: BaseTime,
  updatedAt: BaseTime,
  version: 1,
  revisions: {},
  revisionsPrunedThrough: 0,
  ...overrides,
});

/** The value of a successful result; a failure fails the test with its code. */
export const valueOf = <T>(result: Result<T, DomainFailure>): T => {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.value;
};

/** The failure of a failed result; a success fails the test. */
export const failureOf = <T>(result: Result<T, DomainFailure>): DomainFailure => {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
};
