import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queues } from '../core/messaging/channels.js';
import { redisConfigToEnv } from '../adapters/redis/redis-config.js';
import { deadLetterStream } from '../adapters/streams/stream-job-codec.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { findFreePorts } from '../test-support/free-ports.js';
import { startMeshProcess, type MeshProcess } from '../test-support/mesh-process.js';
import { startRedisNode, type RedisFixture } from '../test-support/redis-fixture.js';
import { openRedisStreamStore } from '../test-support/redis-messaging.js';
import { startSmtpTestServer, type SmtpTestServer } from '../test-support/smtp-test-server.js';

const RETRY_DELAY_MS = 500;
const MAX_ATTEMPTS = 3;

/**
 * Email sent for real (docs/adr/0055): the auth service as its own process on Redis, its email
 * workers on `async:email:queue` talking to a real SMTP server (npm `smtp-server`) over a socket.
 */
describe('email through async:email:queue to a real SMTP server', () => {
  let redis: RedisFixture;
  let smtp: SmtpTestServer;
  let auth: MeshProcess;
  let env: Record<string, string>;
  let authHttp: string;
  const http2 = h2cAgent();
  let registered = 0;

  const startAuth = () => startMeshProcess(['auth'], env);
  const register = async (name: string): Promise<string> => {
    registered += 1;
    const email = `${name.toLowerCase()}-${registered}@example.test`;
    const answer = await jsonRequest(http2, 'POST', `${authHttp}/auth/register`, {
      body: { email, password: 'correct horse battery', name },
    });
    expect(answer.status).toBe(201);
    return email;
  };
  const receivedBy = (email: string) => smtp.received.filter((mail) => mail.envelopeTo.includes(email));

  beforeAll(async () => {
    [redis, smtp] = await Promise.all([startRedisNode(), startSmtpTestServer()]);
    const [grpcPort, httpPort] = await findFreePorts(2);
    authHttp = `http://127.0.0.1:${httpPort}`;
    env = {
      ...redisConfigToEnv(redis.config),
      AUTH_GRPC_PORT: String(grpcPort),
      AUTH_HTTP_PORT: String(httpPort),
      MESH_SMTP_URL: smtp.url,
      MESH_EMAIL_FROM: 'meshwork <no-reply@meshwork.test>',
      QUEUE_RETRY_DELAY_MS: String(RETRY_DELAY_MS),
      QUEUE_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    };
    auth = await startAuth();
  }, 90_000);

  afterAll(async () => {
    await http2.close();
    await auth?.kill();
    await smtp?.close();
    await redis?.stop();
  });

  it('delivers the welcome email: what arrives parses to the sender, the recipient, the subject and the text', async () => {
    const email = await register('Grace');

    await waitFor(() => receivedBy(email).length === 1, 15_000, 'the welcome email at the SMTP server');
    const { parsed, login } = receivedBy(email)[0]!;
    expect(login).toBe('tester');
    expect(parsed.from?.value).toEqual([{ address: 'no-reply@meshwork.test', name: 'meshwork' }]);
    expect(parsed.subject).toBe('Welcome to meshwork');
    expect(parsed.text).toContain('Hello Grace,');
    expect(parsed.text).toContain('Your meshwork account is ready.');
  }, 30_000);

  it('retries an unreachable server through the queue, then moves the job to the dead letters after its attempts', async () => {
    await smtp.close();
    const store = openRedisStreamStore(redis.config, 'email-e2e-reader');
    try {
      const email = await register('Unreachable');

      await waitFor(
        async () =>
          (await store.adapter.range(deadLetterStream(Queues.email), '-', '+')).some((entry) => entry.fields.payload?.includes(email)),
        20_000,
        'the email job among the dead letters',
      );
      const letter = (await store.adapter.range(deadLetterStream(Queues.email), '-', '+')).find((entry) =>
        entry.fields.payload?.includes(email),
      );
      expect(letter?.fields).toMatchObject({ type: 'welcome_email', group: 'auth-email-workers' });
      expect(letter?.fields.reason).toMatch(/ECONNREFUSED/);
      // Every attempt but the last was logged as one to retry, the last as a dead letter.
      const jobId = letter?.fields.jobId;
      const retried = auth
        .output()
        .split('\n')
        .filter((line) => line.includes(`"id":"${jobId}"`) && line.includes('it will be retried'));
      expect(retried).toHaveLength(MAX_ATTEMPTS - 1);
      // Logged after the dead letter is written, and read from the child's stdout a moment later.
      await waitFor(() => auth.output().includes('job moved to dead letters'), 5_000, 'the dead letter in the log');
      expect(receivedBy(email)).toEqual([]);
    } finally {
      await store.close();
      await smtp.reopen();
    }
  }, 40_000);

  it('loses no email when the worker dies with one in hand: the restarted service sends them all', async () => {
    smtp.hold();
    const emails = [await register('Ada'), await register('Bob'), await register('Carol')];
    // The worker takes one job at a time: the first message is at the server, unanswered, the others wait in the queue.
    await waitFor(() => smtp.held === 1, 15_000, 'a message held at the SMTP server');

    await auth.kill();
    // Released only once the server saw the killed sender go: the held message is then never accepted, and
    // only the job's redelivery to the restarted worker can bring it.
    await waitFor(() => smtp.heldFromConnectedSenders === 0, 5_000, 'the SMTP server to see the killed sender gone');
    smtp.release();
    auth = await startAuth();

    await waitFor(() => emails.every((email) => receivedBy(email).length >= 1), 20_000, 'every welcome email after the restart');
    for (const email of emails) expect(receivedBy(email)[0]?.parsed.subject).toBe('Welcome to meshwork');
  }, 60_000);
});
