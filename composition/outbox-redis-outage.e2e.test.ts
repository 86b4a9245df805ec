import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventChannels, Queues } from '../core/messaging/channels.js';
import type { DomainEvent } from '../core/messaging/events.js';
import { DeduplicatingEventBus } from '../adapters/messaging/deduplicating-event-bus.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { h2cAgent, jsonRequest } from '../contract-tests/support/http2-client.js';
import { findFreePorts } from '../test-support/free-ports.js';
import { startGatedTcpProxy, type GatedTcpProxy } from '../test-support/gated-tcp-proxy.js';
import { startMeshProcess, type MeshProcess } from '../test-support/mesh-process.js';
import { startRedisNode, type RedisFixture } from '../test-support/redis-fixture.js';
import { openRedisEventBus, openRedisStreamStore, type OpenedAdapter } from '../test-support/redis-messaging.js';
import type { RedisEventBus } from '../adapters/redis/redis-event-bus.js';

const CREATES = 240;
const REGISTRATIONS = 24;
const CONCURRENCY = 8;
const PASSWORD = 'correct horse battery';

interface Outcome {
  readonly status: number;
  readonly during: boolean;
  readonly id?: string;
}

/**
 * docs/adr/0038: Redis is SIGKILLed during a burst of project creates and registrations on real
 * processes (auth and project on PGlite), and restarted. The mesh reaches Redis through a proxy
 * the test shuts with the kill and opens once the test's own subscriber is back, so what the test
 * counts as delivered does not depend on which client reconnects first.
 */
describe('a Redis outage during a burst of writes', () => {
  let redis: RedisFixture;
  let proxy: GatedTcpProxy;
  let mesh: MeshProcess;
  let dataDir: string;
  let projectUrl: string;
  let authUrl: string;
  let raw: OpenedAdapter<RedisEventBus>;
  const http = h2cAgent();
  const received: DomainEvent[] = [];
  const deduplicated: DomainEvent[] = [];

  beforeAll(async () => {
    redis = await startRedisNode({ persistent: true });
    const port = Number(new URL(redis.config.kind === 'node' ? redis.config.url : '').port);
    proxy = await startGatedTcpProxy(port);
    dataDir = await mkdtemp(join(tmpdir(), 'meshwork-outbox-'));
    const [authGrpc, authHttp, projectGrpc, projectHttp] = await findFreePorts(4);
    authUrl = `http://127.0.0.1:${authHttp}`;
    projectUrl = `http://127.0.0.1:${projectHttp}`;
    mesh = await startMeshProcess(['auth', 'project'], {
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      MESH_STORAGE: 'sql',
      DATA_DIR: dataDir,
      AUTH_GRPC_PORT: String(authGrpc),
      AUTH_HTTP_PORT: String(authHttp),
      PROJECT_GRPC_PORT: String(projectGrpc),
      PROJECT_HTTP_PORT: String(projectHttp),
      OUTBOX_RETRY_MAX_MS: '1000',
      // The burst registers from one address: the per-address registration limit is not under test.
      AUTH_REGISTRATIONS_PER_ADDRESS: '100000',
      ...(process.env.OUTBOX_E2E_LOG ? { LOG_LEVEL: 'debug' } : {}),
    });
    raw = openRedisEventBus(redis.config, 'outbox-e2e');
    await raw.adapter.subscribe(EventChannels.projectCreated, (event) => void received.push(event));
    await new DeduplicatingEventBus(raw.adapter).subscribe(EventChannels.projectCreated, (event) => void deduplicated.push(event));
  }, 120_000);

  afterAll(async () => {
    await http.close();
    await raw?.close();
    await mesh?.kill();
    await proxy?.close();
    await redis?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers every write, and delivers every created event and welcome-email job once Redis is back', async () => {
    const owner = { email: 'owner@example.test', password: PASSWORD, name: 'Owner' };
    expect((await jsonRequest(http, 'POST', `${authUrl}/auth/register`, { body: owner })).status).toBe(201);
    const login = await jsonRequest(http, 'POST', `${authUrl}/auth/login`, { body: { email: owner.email, password: PASSWORD } });
    expect(login.status).toBe(200);
    const token = login.body.access_token as string;

    let down = false;
    const creates: Outcome[] = [];
    const registrations: (Outcome & { readonly email: string })[] = [];
    let next = 0;
    const work = async () => {
      for (let i = next++; i < CREATES + REGISTRATIONS; i = next++) {
        const during = down;
        if (i % 10 === 9 && i / 10 < REGISTRATIONS) {
          const email = `burst-${i}@example.test`;
          const answer = await jsonRequest(http, 'POST', `${authUrl}/auth/register`, {
            body: { email, password: PASSWORD, name: `B ${i}` },
          });
          registrations.push({ status: answer.status, during, email, id: answer.body?.id });
        } else {
          const answer = await jsonRequest(http, 'POST', `${projectUrl}/projects`, { token, body: { name: `burst ${i}` } });
          creates.push({ status: answer.status, during, id: answer.body?.project_id });
        }
      }
    };
    const burst = Promise.all(Array.from({ length: CONCURRENCY }, work));

    await waitFor(() => creates.length >= CREATES / 4, 60_000, 'a quarter of the burst before the kill');
    proxy.shut();
    down = true;
    const outageStarted = Date.now();
    const restarting = redis.restart({ downMs: 3_000 });
    await burst;
    await restarting;
    // The test's subscriber is back (it gets a probe) before the mesh may reach Redis again.
    await waitFor(
      async () => {
        await raw.adapter.publish(EventChannels.projectCreated, { type: 'probe', timestamp: Date.now() });
        return received.some((event) => event.type === 'probe');
      },
      20_000,
      'the test subscriber to resubscribe',
    );
    proxy.open();
    const outageMs = Date.now() - outageStarted;
    down = false;

    const acknowledged = creates.filter((outcome) => outcome.status === 201).map((outcome) => outcome.id!);
    const created = () => new Set(received.filter((event) => event.type === 'created').map((event) => event.project_id as string));
    const store = openRedisStreamStore(redis.config, 'outbox-e2e-reader');
    const jobEmailsNow = async () =>
      (await store.adapter.range(Queues.email, '-', '+')).map((entry) => JSON.parse(entry.fields.payload ?? '{}').email as string);
    let jobEmails: string[] = [];
    try {
      await waitFor(
        async () => {
          jobEmails = await jobEmailsNow();
          const announcedAll = acknowledged.every((id) => created().has(id));
          return announcedAll && registrations.every((outcome) => jobEmails.includes(outcome.email));
        },
        30_000,
        'every created event and welcome-email job',
      ).catch(() => undefined);
    } finally {
      await store.close();
    }
    const announced = created();
    const createdEvents = received.filter((event) => event.type === 'created');
    const deduplicatedCreated = deduplicated.filter((event) => event.type === 'created');

    console.log(
      `[fault:outbox] Redis SIGKILLed for ${outageMs} ms during ${CREATES} project creates and ${REGISTRATIONS} registrations ` +
        `(${CONCURRENCY} at a time; ${creates.filter((o) => o.during).length} creates and ` +
        `${registrations.filter((o) => o.during).length} registrations sent during the outage): ` +
        `creates answered 201 ${acknowledged.length}/${creates.length}, registrations 201 ` +
        `${registrations.filter((o) => o.status === 201).length}/${registrations.length}; project:events:created ` +
        `${acknowledged.filter((id) => announced.has(id)).length}/${acknowledged.length} acknowledged projects delivered ` +
        `(${createdEvents.length} copies received, ${deduplicatedCreated.length} after dedupe by event_id); welcome-email jobs ` +
        `${registrations.filter((o) => jobEmails.includes(o.email)).length}/${registrations.length}; statuses other than 201: ` +
        JSON.stringify([...creates, ...registrations].filter((o) => o.status !== 201).map((o) => o.status)),
    );

    if (process.env.OUTBOX_E2E_LOG)
      console.log(
        mesh
          .output()
          .split('\n')
          .filter((line) => /"level":(40|50)|restored/.test(line))
          .join('\n'),
      );
    expect(creates.filter((outcome) => outcome.status !== 201)).toEqual([]);
    expect(registrations.filter((outcome) => outcome.status !== 201)).toEqual([]);
    expect(creates.some((outcome) => outcome.during)).toBe(true);
    expect(registrations.some((outcome) => outcome.during)).toBe(true);
    expect(acknowledged.filter((id) => !announced.has(id))).toEqual([]);
    expect(deduplicatedCreated.map((event) => event.project_id).sort()).toEqual([...acknowledged].sort());
    expect(registrations.filter((outcome) => !jobEmails.includes(outcome.email)).map((outcome) => outcome.email)).toEqual([]);
    expect(createdEvents.every((event) => typeof event.event_id === 'string')).toBe(true);
  }, 180_000);

  it('answers logouts, logins and report requests while Redis is away, and delivers their events and jobs once it is back', async () => {
    const auth: DomainEvent[] = [];
    await raw.adapter.subscribe(EventChannels.authLogout, (event) => void auth.push(event));
    await raw.adapter.subscribe(EventChannels.authLogin, (event) => void auth.push(event));
    const sessions: { readonly email: string; readonly token: string; readonly sessionId: string }[] = [];
    for (let i = 0; i < 6; i += 1) {
      const email = `session-${i}@example.test`;
      expect(
        (await jsonRequest(http, 'POST', `${authUrl}/auth/register`, { body: { email, password: PASSWORD, name: `S ${i}` } })).status,
      ).toBe(201);
      const login = await jsonRequest(http, 'POST', `${authUrl}/auth/login`, { body: { email, password: PASSWORD } });
      sessions.push({ email, token: login.body.access_token as string, sessionId: login.body.session_id as string });
    }
    const owner = sessions[0]!;
    const project = await jsonRequest(http, 'POST', `${projectUrl}/projects`, { token: owner.token, body: { name: 'reported' } });
    expect(project.status).toBe(201);

    proxy.shut();
    const restarting = redis.restart({ downMs: 3_000 });
    const reports = await Promise.all(
      [1, 2].map(() =>
        jsonRequest(http, 'POST', `${projectUrl}/projects/${project.body.project_id}/reports`, { token: owner.token, body: {} }),
      ),
    );
    const logouts = await Promise.all(sessions.map(({ token }) => jsonRequest(http, 'POST', `${authUrl}/auth/logout`, { token })));
    const again = await jsonRequest(http, 'POST', `${authUrl}/auth/login`, { body: { email: owner.email, password: PASSWORD } });
    await restarting;
    await waitFor(
      async () => {
        await raw.adapter.publish(EventChannels.authLogout, { type: 'probe', timestamp: Date.now() });
        return auth.some((event) => event.type === 'probe');
      },
      20_000,
      'the test subscriber to resubscribe',
    );
    proxy.open();

    // Answered while Redis was away, with what Redis would have carried recorded beside the change.
    expect(reports.map((answer) => answer.status)).toEqual([202, 202]);
    expect(logouts.map((answer) => answer.status)).toEqual(sessions.map(() => 204));
    expect(again.status).toBe(200);
    const loggedOut = () => new Set(auth.filter((event) => event.type === 'logout').map((event) => event.session_id));
    const ready = async () =>
      (
        await Promise.all(
          reports.map(
            async (answer) =>
              (
                await jsonRequest(http, 'GET', `${projectUrl}${String(answer.headers.location)}`, {
                  token: again.body.access_token as string,
                })
              ).status,
          ),
        )
      ).every((status) => status === 200);
    await waitFor(
      async () =>
        sessions.every(({ sessionId }) => loggedOut().has(sessionId)) &&
        auth.some((event) => event.type === 'login' && event.session_id === again.body.session_id) &&
        (await ready()),
      30_000,
      'every logout and login event, and both reports',
    ).catch(() => undefined);
    console.log(
      `[fault:outbox] Redis SIGKILLed during ${sessions.length} logouts, a login and 2 report requests: answered ` +
        `${[...logouts, again, ...reports].map((answer) => answer.status).join('/')}; logout events delivered for ` +
        `${sessions.filter(({ sessionId }) => loggedOut().has(sessionId)).length}/${sessions.length} sessions; login event ` +
        `${auth.some((event) => event.type === 'login' && event.session_id === again.body.session_id) ? 'delivered' : 'missing'}; reports ready: ${await ready()}`,
    );
    expect(sessions.filter(({ sessionId }) => !loggedOut().has(sessionId))).toEqual([]);
    expect(auth.some((event) => event.type === 'login' && event.session_id === again.body.session_id)).toBe(true);
    expect(auth.filter((event) => event.type === 'logout').every((event) => typeof event.event_id === 'string')).toBe(true);
    expect(await ready()).toBe(true);
  }, 180_000);
});
