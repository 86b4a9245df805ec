import type {
  CollaborationInput,
  CreateProjectInput,
  EditProjectInput,
  ListProjectsInput,
  ListTemplatesInput,
  ProjectScope,
  ProjectStatus,
  ShareProjectInput,
  ShareRole,
  UpdateProjectInput,
} from '../../../core/project/index.js';
import { failure, type DomainFailure, type FieldViolation } from '../../../core/shared/errors.js';
import { err, ok, type Result } from '../../../core/shared/result.js';
import type {
  CreateProjectRequest,
  EditProjectRequest,
  ListProjectsRequest,
  ListTemplatesRequest,
  ShareProjectRequest,
  UpdateProjectRequest,
} from '../generated/project.js';

/**
 * proto → domain for `project.ProjectService`. Proto3 has no "absent" for scalars, so the empty
 * string and 0 mean "not given" here (page_size 0 → the default, status '' → any). Ids the domain
 * needs are checked first, so a request without them is INVALID_ARGUMENT before any other work
 * (the permission check with the auth service included).
 */

/** INVALID_ARGUMENT naming every empty field among `fields` (snake_case, as on the wire). */
export const requireIds = (fields: Readonly<Record<string, string>>): Result<void, DomainFailure> => {
  const violations: FieldViolation[] = Object.entries(fields)
    .filter(([, value]) => value.trim() === '')
    .map(([field]) => ({ field, message: 'is required' }));
  if (violations.length === 0) return ok(undefined);
  const names = violations.map((violation) => violation.field).join(', ');
  return err(failure('invalid', 'missing_field', `${names} ${violations.length === 1 ? 'is' : 'are'} required`, violations));
};

export const createInput = (request: CreateProjectRequest): CreateProjectInput => ({
  userId: request.userId,
  name: request.name,
  description: request.description,
  ...(request.templateId.trim() === '' ? {} : { templateId: request.templateId }),
  configuration: request.configuration,
  isPublic: request.isPublic,
});

/** Optional fields stay absent when unset; an empty configuration map changes nothing; expected_updated_at 0 skips the check. */
export const updateInput = (request: UpdateProjectRequest): UpdateProjectInput => ({
  projectId: request.projectId,
  userId: request.userId,
  ...(request.name === undefined ? {} : { name: request.name }),
  ...(request.description === undefined ? {} : { description: request.description }),
  ...(request.isPublic === undefined ? {} : { isPublic: request.isPublic }),
  // The domain validates the value (checkStatus): an unknown one is INVALID_ARGUMENT there.
  ...(request.status === undefined ? {} : { status: request.status as ProjectStatus }),
  ...(Object.keys(request.configuration).length === 0 ? {} : { configuration: request.configuration }),
  ...(request.removedConfigurationKeys.length === 0 ? {} : { removedConfigurationKeys: request.removedConfigurationKeys }),
  ...(request.expectedUpdatedAt === 0 ? {} : { expectedUpdatedAt: request.expectedUpdatedAt }),
});

/** The caller's own projects always; shared and public ones when asked for. */
export const listInput = (request: ListProjectsRequest): ListProjectsInput => {
  const scopes: ProjectScope[] = ['owned'];
  if (request.includeShared) scopes.push('shared');
  if (request.includePublic) scopes.push('public');
  return {
    userId: request.userId,
    filter: scopes,
    ...(request.status === '' ? {} : { status: request.status as ProjectStatus }),
    ...(request.pageSize === 0 ? {} : { pageSize: request.pageSize }),
    ...(request.pageToken === '' ? {} : { pageToken: request.pageToken }),
  };
};

/** The target by id or by email; neither is INVALID_ARGUMENT on `target`. */
export const shareInput = (request: ShareProjectRequest): Result<ShareProjectInput, DomainFailure> => {
  const target =
    request.targetUserId !== undefined && request.targetUserId.trim() !== ''
      ? { userId: request.targetUserId }
      : request.targetEmail !== undefined && request.targetEmail.trim() !== ''
        ? { email: request.targetEmail }
        : undefined;
  if (!target) {
    return err(
      failure('invalid', 'missing_field', 'target_user_id or target_email is required', [
        { field: 'target', message: 'must name a user by target_user_id or target_email' },
      ]),
    );
  }
  // The domain validates the role (checkShareRole).
  return ok({ projectId: request.projectId, userId: request.userId, target, role: request.role as ShareRole });
};

export const listTemplatesInput = (request: ListTemplatesRequest): ListTemplatesInput => ({
  ...(request.category === '' ? {} : { category: request.category }),
  ...(request.pageSize === 0 ? {} : { pageSize: request.pageSize }),
  ...(request.pageToken === '' ? {} : { pageToken: request.pageToken }),
});

export const collaborationInput = (request: { projectId: string; userId: string; clientId: string }): CollaborationInput => ({
  projectId: request.projectId,
  userId: request.userId,
  ...(request.clientId === '' ? {} : { clientId: request.clientId }),
});

/** The patch as the domain checks it: a missing `value` stays missing, so add and replace without one are refused by field. */
export const editInput = (request: EditProjectRequest): EditProjectInput => ({
  projectId: request.projectId,
  userId: request.userId,
  clientId: request.clientId,
  opId: request.opId,
  baseVersion: request.baseVersion,
  patch: request.patch.map((operation) => ({
    op: operation.op,
    path: operation.path,
    ...(operation.value === undefined ? {} : { value: operation.value }),
  })),
});
