import { err, ok, type Result } from '../shared/result.js';
import { failure, type DomainFailure } from '../shared/errors.js';
import type { Job } from '../messaging/work-queue.js';
import type { AuthDeps } from './deps.js';
import { AuthFailures } from './errors.js';
import { EmailJobTypes, type WelcomeEmailPayload } from './events.js';
import type { EmailMessage } from './ports.js';
import { textOf } from './validation.js';

export const renderWelcomeEmail = (payload: WelcomeEmailPayload): EmailMessage => ({
  to: payload.email,
  subject: 'Welcome to meshwork',
  text: [
    `Hello ${payload.name},`,
    '',
    'Your meshwork account is ready. Sign in with this email address to create projects and run simulations.',
    '',
    'The meshwork team',
  ].join('\n'),
});

export type HandleEmailJobDeps = Pick<AuthDeps, 'email'>;

/**
 * Handler of `async:email:queue` jobs. A job it cannot handle (unknown type, bad payload) is an
 * `invalid` failure, which the worker should log and acknowledge rather than retry; a send that
 * throws propagates so the queue redelivers. Delivery is at least once, so an email may repeat.
 */
export const handleEmailJob = async (
  deps: HandleEmailJobDeps,
  job: Pick<Job, 'type' | 'payload'>,
): Promise<Result<EmailMessage, DomainFailure>> => {
  if (job.type !== EmailJobTypes.welcome) return err(AuthFailures.unknownJobType(String(job.type)));

  const payload = welcomePayload(job.payload);
  if (!payload) return err(failure('invalid', 'malformed_job', 'A welcome_email job needs user_id, email and name.'));
  const message = renderWelcomeEmail(payload);
  await deps.email.send(message);
  return ok(message);
};

const welcomePayload = (payload: Readonly<Record<string, unknown>> | undefined): WelcomeEmailPayload | undefined => {
  const userId = textOf(payload?.user_id);
  const email = textOf(payload?.email);
  const name = textOf(payload?.name);
  return userId && email && name ? { user_id: userId, email, name } : undefined;
};
