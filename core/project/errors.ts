import { failure, type DomainFailure, type FieldViolation } from '../shared/errors.js';

/** Every expected failure of the project use cases, by stable code. */
export const ProjectFailures = {
  invalidInput: (violations: readonly FieldViolation[]): DomainFailure =>
    failure('invalid', 'invalid_input', 'The request is invalid.', violations),
  /** Also the answer for a project the caller may not read, so that its existence does not leak. */
  projectNotFound: (): DomainFailure => failure('not_found', 'project_not_found', 'No such project.'),
  templateNotFound: (templateId: string): DomainFailure =>
    failure('not_found', 'template_not_found', `No template '${templateId}'.`, [
      { field: 'templateId', message: 'is not a known template' },
    ]),
  /** The authorization service refused a user permission such as `project:create`. */
  permissionDenied: (permission: string, reason: string): DomainFailure =>
    failure('forbidden', 'permission_denied', `Permission '${permission}' denied${reason ? `: ${reason}` : '.'}`),
  /** The caller can read the project, but its access does not allow this action. */
  actionNotAllowed: (action: string, access: string): DomainFailure =>
    failure('forbidden', 'action_not_allowed', `Your access to this project (${access}) does not allow '${action}'.`),
  /** Making a project public or private shares or unshares it with everyone: the owner's decision alone. */
  visibilityOwnerOnly: (access: string): DomainFailure =>
    failure('forbidden', 'action_not_allowed', `Only the owner may make the project public or private (your access: ${access}).`),
  /** A viewer in a collaboration session sent an edit. */
  watchOnly: (access: string): DomainFailure =>
    failure(
      'forbidden',
      'action_not_allowed',
      `Your access to this project (${access}) lets you watch the session, not edit it: ask the owner for the editor role.`,
    ),
  versionConflict: (): DomainFailure =>
    failure('conflict', 'version_conflict', 'The project was changed meanwhile; read it again and retry.'),
  cannotShareWithSelf: (): DomainFailure =>
    failure('invalid', 'cannot_share_with_self', 'You cannot share a project with yourself.', [
      { field: 'target', message: 'is the project owner' },
    ]),
  /** The share target (by id or email) is not a known user. */
  userNotFound: (field: 'targetUserId' | 'targetEmail'): DomainFailure =>
    failure('not_found', 'user_not_found', 'No user matches the share target.', [{ field, message: 'is not a known user' }]),
  invalidPageToken: (): DomainFailure =>
    failure('invalid', 'invalid_page_token', 'The page token is not valid.', [
      { field: 'pageToken', message: 'is not a token this service issued' },
    ]),
} as const;
