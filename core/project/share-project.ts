import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure, FieldViolation } from '../shared/errors.js';
import { EventChannels, Queues, Streams } from '../messaging/channels.js';
import { projectInvitationEmailJob } from '../messaging/email-jobs.js';
import { outboxEvent, outboxJob, outboxStreamEntry } from '../messaging/outbox.js';
import { authorizeAction } from './access.js';
import type { ProjectDeps } from './deps.js';
import { ProjectFailures } from './errors.js';
import { collaborationEditEntry, projectSharedEvent, projectSharedNotification } from './events.js';
import { shareOf, withShare, type Project, type ShareRole } from './model.js';
import { ProjectPermissions, requirePermission } from './permissions.js';
import { checkRequired, checkShareRole } from './validation.js';

/** The user to share with, by id or by email. */
export type ShareTarget = { readonly userId: string } | { readonly email: string };

export interface ShareProjectInput {
  readonly projectId: string;
  /** The user sharing; must own the project. */
  readonly userId: string;
  readonly target: ShareTarget;
  readonly role: ShareRole;
}

export interface ProjectShareOutcome {
  readonly projectId: string;
  /** Resolved from the email when shared by email. */
  readonly targetUserId: string;
  readonly role: ShareRole;
  readonly sharedAt: number;
  /** False when the user already had this role: nothing was stored or announced. */
  readonly changed: boolean;
}

/**
 * Shares a project with a user as viewer or editor; sharing again with another role changes the
 * role. Needs `project:share` from the authorization service and the owner role. Records, with
 * the share (outbox, docs/adr/0038), `project:events:shared`, a `project_shared` notification
 * for the target's `notifications:stream:{user_id}` and an invitation email to them.
 */
export const shareProject = async (
  deps: Pick<ProjectDeps, 'projects' | 'authorization' | 'users' | 'clock'>,
  input: ShareProjectInput,
): Promise<Result<ProjectShareOutcome, DomainFailure>> => {
  const denied = await requirePermission(deps.authorization, input.userId, ProjectPermissions.share);
  if (denied) return err(denied);
  const violations = checkInput(input);
  if (violations.length > 0) return err(ProjectFailures.invalidInput(violations));

  const allowed = authorizeAction(await deps.projects.findById(input.projectId), input.userId, 'share');
  if (!allowed.ok) return allowed;
  const { project } = allowed.value;
  const target = await resolveTarget(deps, project, input.target);
  if (!target.ok) return target;
  const targetUserId = target.value;

  const existing = shareOf(project, targetUserId);
  if (existing?.role === input.role) {
    return ok({ projectId: project.id, targetUserId, role: input.role, sharedAt: existing.sharedAt, changed: false });
  }
  const now = deps.clock.now();
  const notification = projectSharedNotification({
    projectId: project.id,
    projectName: project.name,
    role: input.role,
    fromUserId: input.userId,
    at: now,
  });
  const shared: Project = { ...project, shares: withShare(project.shares, targetUserId, input.role, now), updatedAt: now };
  // Sharing stores a version too: collaborators get its (empty) edit entry, so versions have no gaps (docs/adr/0050).
  const edit = collaborationEditEntry({ version: project.version + 1, userId: input.userId, clientId: '', opId: '', ops: [], at: now });
  const stored = await deps.projects.update(shared, [
    outboxEvent(EventChannels.projectShared, projectSharedEvent(project.id, input.userId, targetUserId, input.role, now)),
    outboxStreamEntry(Streams.notifications(targetUserId), notification),
    outboxStreamEntry(Streams.collaboration(project.id), edit),
    outboxJob(
      Queues.email,
      projectInvitationEmailJob({
        user_id: targetUserId,
        project_id: project.id,
        project_name: project.name,
        role: input.role,
        shared_by_user_id: input.userId,
      }),
    ),
  ]);
  if (!stored.ok) {
    return err(stored.error === 'not_found' ? ProjectFailures.projectNotFound() : ProjectFailures.versionConflict());
  }

  return ok({ projectId: project.id, targetUserId, role: input.role, sharedAt: now, changed: true });
};

const checkInput = (input: ShareProjectInput): FieldViolation[] => [
  ...('userId' in input.target ? checkRequired('targetUserId', input.target.userId) : checkRequired('targetEmail', input.target.email)),
  ...checkShareRole('role', input.role),
];

/** The target's user id; sharing with the owner (the caller) or an unknown user is refused. */
const resolveTarget = async (
  deps: Pick<ProjectDeps, 'users'>,
  project: Project,
  target: ShareTarget,
): Promise<Result<string, DomainFailure>> => {
  if ('userId' in target) {
    if (target.userId === project.ownerId) return err(ProjectFailures.cannotShareWithSelf());
    const exists = await deps.users.userExists(target.userId);
    return exists ? ok(target.userId) : err(ProjectFailures.userNotFound('targetUserId'));
  }
  const userId = await deps.users.findUserIdByEmail(target.email.trim());
  if (userId === undefined) return err(ProjectFailures.userNotFound('targetEmail'));
  return userId === project.ownerId ? err(ProjectFailures.cannotShareWithSelf()) : ok(userId);
};
