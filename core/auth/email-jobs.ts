import { err, ok, type Result } from '../shared/result.js';
import { failure, type DomainFailure } from '../shared/errors.js';
import type { Job } from '../messaging/work-queue.js';
import {
  EmailJobTypes,
  type ExportReadyEmailPayload,
  type FirstProjectEmailPayload,
  type ProjectInvitationEmailPayload,
  type WelcomeEmailPayload,
} from '../messaging/email-jobs.js';
import type { AuthDeps } from './deps.js';
import { AuthFailures } from './errors.js';
import type { User } from './model.js';
import type { EmailMessage } from './ports.js';
import { textOf } from './validation.js';

const SIGNATURE = ['', 'The meshwork team'];

export const renderWelcomeEmail = (payload: WelcomeEmailPayload): EmailMessage => ({
  to: payload.email,
  subject: 'Welcome to meshwork',
  text: [
    `Hello ${payload.name},`,
    '',
    'Your meshwork account is ready. Sign in with this email address to create projects and run simulations.',
    ...SIGNATURE,
  ].join('\n'),
});

export const renderProjectInvitationEmail = (to: User, sharedBy: string, payload: ProjectInvitationEmailPayload): EmailMessage => ({
  to: to.email,
  subject: `${sharedBy} shared "${payload.project_name}" with you`,
  text: [
    `Hello ${to.name},`,
    '',
    `${sharedBy} shared the project "${payload.project_name}" with you as ${payload.role}.`,
    `Sign in to meshwork to open it; it is listed with your projects (project id ${payload.project_id}).`,
    ...SIGNATURE,
  ].join('\n'),
});

export const renderFirstProjectEmail = (to: User, payload: FirstProjectEmailPayload): EmailMessage => ({
  to: to.email,
  subject: `Your first project, "${payload.project_name}", is ready`,
  text: [
    `Hello ${to.name},`,
    '',
    `You created your first project, "${payload.project_name}" (id ${payload.project_id}).`,
    'Start a simulation of it to watch its cluster under load live, then read the analysis of its bottlenecks.',
    ...SIGNATURE,
  ].join('\n'),
});

export const renderExportReadyEmail = (to: User, payload: ExportReadyEmailPayload): EmailMessage => ({
  to: to.email,
  subject: 'Your meshwork export is ready',
  text: [
    `Hello ${to.name},`,
    '',
    `Your ${payload.kind.replace(/_/g, ' ')} export (${payload.format}) is ready: GET /exports/${payload.export_id} downloads it`,
    `until ${new Date(payload.expires_at).toISOString()}.`,
    ...SIGNATURE,
  ].join('\n'),
});

export type HandleEmailJobDeps = Pick<AuthDeps, 'email' | 'users'>;

/**
 * Handler of `async:email:queue` jobs. A job it cannot handle (unknown type, bad payload, a recipient
 * who is gone or deactivated) is a failure, which the worker logs and acknowledges rather than
 * retries; a send that throws propagates so the queue redelivers it. Delivery is at least once, so
 * an email may repeat.
 */
export const handleEmailJob = async (
  deps: HandleEmailJobDeps,
  job: Pick<Job, 'type' | 'payload'>,
): Promise<Result<EmailMessage, DomainFailure>> => {
  const message = await render(deps, job);
  if (!message.ok) return message;
  await deps.email.send(message.value);
  return message;
};

const render = async (deps: HandleEmailJobDeps, job: Pick<Job, 'type' | 'payload'>): Promise<Result<EmailMessage, DomainFailure>> => {
  const payload = job.payload ?? {};
  switch (job.type) {
    case EmailJobTypes.welcome: {
      const welcome = fields(payload, ['user_id', 'email', 'name']);
      return welcome ? ok(renderWelcomeEmail(welcome as unknown as WelcomeEmailPayload)) : malformed(job.type);
    }
    case EmailJobTypes.projectInvitation: {
      const invitation = fields(payload, ['user_id', 'project_id', 'project_name', 'role', 'shared_by_user_id']);
      if (!invitation) return malformed(job.type);
      const to = await recipient(deps, invitation.user_id!);
      if (!to.ok) return to;
      const sharer = await deps.users.findById(invitation.shared_by_user_id!);
      return ok(renderProjectInvitationEmail(to.value, sharer?.name ?? 'Someone', invitation as unknown as ProjectInvitationEmailPayload));
    }
    case EmailJobTypes.firstProject: {
      const created = fields(payload, ['user_id', 'project_id', 'project_name']);
      if (!created) return malformed(job.type);
      const to = await recipient(deps, created.user_id!);
      return to.ok ? ok(renderFirstProjectEmail(to.value, created as unknown as FirstProjectEmailPayload)) : to;
    }
    case EmailJobTypes.exportReady: {
      const ready = fields(payload, ['user_id', 'export_id', 'kind', 'format']);
      const expiresAt = payload.expires_at;
      if (!ready || typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return malformed(job.type);
      const to = await recipient(deps, ready.user_id!);
      return to.ok ? ok(renderExportReadyEmail(to.value, { ...(ready as unknown as ExportReadyEmailPayload), expires_at: expiresAt })) : to;
    }
    default:
      return err(AuthFailures.unknownJobType(String(job.type)));
  }
};

/** The named text fields of a payload, or undefined when one is missing or empty. */
const fields = (payload: Readonly<Record<string, unknown>>, names: readonly string[]): Record<string, string> | undefined => {
  const found: Record<string, string> = {};
  for (const name of names) {
    const value = textOf(payload[name]);
    if (!value) return undefined;
    found[name] = value;
  }
  return found;
};

const malformed = (type: string): Result<never, DomainFailure> =>
  err(failure('invalid', 'malformed_job', `A ${type} job is missing a field it needs.`));

/** An active user to write to; a deactivated or deleted one gets nothing. */
const recipient = async (deps: HandleEmailJobDeps, userId: string): Promise<Result<User, DomainFailure>> => {
  const user = await deps.users.findById(userId);
  if (!user) return err(failure('not_found', 'recipient_not_found', `No user ${userId} to send the email to.`));
  if (!user.isActive) return err(failure('not_found', 'recipient_inactive', `User ${userId} is deactivated: no email sent.`));
  return ok(user);
};
