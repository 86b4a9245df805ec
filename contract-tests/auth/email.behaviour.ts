import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Queues } from '../../core/messaging/channels.js';
import { exportReadyEmailJob, firstProjectEmailJob, projectInvitationEmailJob } from '../../core/messaging/email-jobs.js';
import { InMemoryStreamStore } from '../../adapters/memory/in-memory-stream-store.js';
import { StreamJobQueue } from '../../adapters/streams/stream-job-queue.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { waitFor } from '../messaging/wait.js';
import type { AuthHarness, AuthHarnessFactory } from './auth-harness.js';
import { testLogger } from '../../test-support/test-logger.js';

/** The welcome email: enqueued at registration, rendered and sent by the email job handler. */
export function describeEmailUseCases(harness: AuthHarnessFactory, closeAll: () => Promise<void>): void {
  describe('email jobs', () => {
    let h: AuthHarness;
    beforeEach(async () => {
      h = await harness();
    });
    afterEach(closeAll);

    it('enqueues a welcome_email job on async:email:queue at registration', async () => {
      const user = await h.registerUser({ name: 'Katherine Johnson' });

      expect(h.jobs.jobs).toEqual([
        expect.objectContaining({
          queue: Queues.email,
          type: 'welcome_email',
          payload: { user_id: user.id, email: user.email, name: 'Katherine Johnson' },
        }),
      ]);
    });

    it('enqueues nothing when registration fails', async () => {
      await h.service.register({ email: 'bad', password: 'x', name: '' });

      expect(h.jobs.jobs).toEqual([]);
    });

    it('sends the welcome email to the new user when the job is handled', async () => {
      const user = await h.registerUser({ name: 'Katherine Johnson' });

      const handled = await h.service.handleEmailJob(h.jobs.jobs[0]!);

      expect(handled.ok).toBe(true);
      expect(h.email.outbox).toEqual([
        { to: user.email, subject: 'Welcome to meshwork', text: expect.stringContaining('Hello Katherine Johnson') },
      ]);
    });

    it('sends the welcome email through a real job queue worker, as the service wires it', async () => {
      const user = await h.registerUser();
      const queue = new StreamJobQueue(new InMemoryStreamStore(), new SystemClock(), testLogger('test'), { blockMs: 50 });
      await queue.enqueue(Queues.email, h.jobs.jobs[0]!);

      const worker = await queue.work(Queues.email, 'auth', async (job) => {
        const handled = await h.service.handleEmailJob(job);
        if (!handled.ok) throw new Error(handled.error.message);
      });
      try {
        await waitFor(() => h.email.outbox.length === 1, 5_000, 'the welcome email');
      } finally {
        await worker.stop();
      }

      expect(h.email.outbox[0]?.to).toBe(user.email);
    });

    it('refuses jobs it cannot handle without sending anything', async () => {
      const unknown = await h.service.handleEmailJob({ type: 'password_reset', payload: {} });
      const malformed = await h.service.handleEmailJob({ type: 'welcome_email', payload: { email: 42 } });

      expect(unknown).toMatchObject({ ok: false, error: { kind: 'invalid', code: 'unknown_job_type' } });
      expect(malformed).toMatchObject({ ok: false, error: { kind: 'invalid', code: 'malformed_job' } });
      expect(h.email.outbox).toEqual([]);
    });

    it('lets a failing email transport propagate, so the queue redelivers the job', async () => {
      await h.registerUser();
      Object.assign(h.email, { send: () => Promise.reject(new Error('smtp down')) });

      await expect(h.service.handleEmailJob(h.jobs.jobs[0]!)).rejects.toThrow('smtp down');
    });

    it('invites the user a project was shared with, by their address and naming who shared it', async () => {
      const owner = await h.registerUser({ name: 'Ada Lovelace' });
      const target = await h.registerUser({ name: 'Charles Babbage' });

      const handled = await h.service.handleEmailJob(
        projectInvitationEmailJob({
          user_id: target.id,
          project_id: 'p-1',
          project_name: 'Engine',
          role: 'editor',
          shared_by_user_id: owner.id,
        }),
      );

      expect(handled.ok).toBe(true);
      expect(h.email.outbox.at(-1)).toEqual({
        to: target.email,
        subject: 'Ada Lovelace shared "Engine" with you',
        text: expect.stringContaining('Ada Lovelace shared the project "Engine" with you as editor.'),
      });
    });

    it('writes to the owner of a first project and to whoever asked for an export, at the address auth knows', async () => {
      const user = await h.registerUser({ name: 'Grace Hopper' });

      await h.service.handleEmailJob(firstProjectEmailJob({ user_id: user.id, project_id: 'p-2', project_name: 'Compiler' }));
      await h.service.handleEmailJob(
        exportReadyEmailJob({ user_id: user.id, export_id: 'e-1', kind: 'simulation_results', format: 'csv', expires_at: 0 }),
      );

      expect(h.email.outbox.slice(-2)).toEqual([
        { to: user.email, subject: 'Your first project, "Compiler", is ready', text: expect.stringContaining('Hello Grace Hopper') },
        {
          to: user.email,
          subject: 'Your meshwork export is ready',
          text: expect.stringContaining('simulation results export (csv) is ready: GET /exports/e-1'),
        },
      ]);
    });

    it('sends nothing to an unknown or deactivated user, and says why', async () => {
      const user = await h.registerUser();
      const stored = await h.repos.users.findById(user.id);
      await h.repos.users.update({ ...stored!, isActive: false });
      const before = h.email.outbox.length;

      const unknown = await h.service.handleEmailJob(firstProjectEmailJob({ user_id: 'nobody', project_id: 'p', project_name: 'P' }));
      const inactive = await h.service.handleEmailJob(firstProjectEmailJob({ user_id: user.id, project_id: 'p', project_name: 'P' }));

      expect(unknown).toMatchObject({ ok: false, error: { code: 'recipient_not_found' } });
      expect(inactive).toMatchObject({ ok: false, error: { code: 'recipient_inactive' } });
      expect(h.email.outbox.length).toBe(before);
    });
  });
}
