import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../contract-tests/messaging/wait.js';
import { h2cAgent, jsonRequest } from '../../contract-tests/support/http2-client.js';
import { redisConfigToEnv } from '../../adapters/redis/redis-config.js';
import { findFreePorts } from '../../test-support/free-ports.js';
import { startMeshProcess, type MeshProcess } from '../../test-support/mesh-process.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../test-support/otlp-receiver.js';
import { createThrowawayDatabase, type PostgresDatabase } from '../../test-support/postgres-fixture.js';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { startTestMesh } from '../../test-support/test-mesh.js';
import type { RunningMesh } from '../launcher.js';

const CLIENT_SPAN = 'b7ad6b7169203331';
const password = 'correct horse battery';

/** A trace id of our own per request, so that each test picks its trace out of everything exported. */
const newTraceId = (): string => [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');

/** Registers and logs in through the gateway; then `POST /projects` with the client's `traceparent` of `traceId`. */
const createProjectInTrace = async (http2: Agent, gateway: string, traceId: string, flags = '01'): Promise<string> => {
  const email = `otel-${traceId.slice(0, 8)}@example.com`;
  const registered = await jsonRequest(http2, 'POST', `${gateway}/auth/register`, { body: { email, password, name: 'Otto Tel' } });
  expect(registered.status).toBe(201);
  const login = await jsonRequest(http2, 'POST', `${gateway}/auth/login`, { body: { email, password } });
  expect(login.status).toBe(200);
  const response = await request(`${gateway}/projects`, {
    method: 'POST',
    dispatcher: http2,
    headers: {
      authorization: `Bearer ${login.body.access_token}`,
      'content-type': 'application/json',
      traceparent: `00-${traceId}-${CLIENT_SPAN}-${flags}`,
    },
    body: JSON.stringify({ name: 'Traced shop', template_id: 'microservices' }),
  });
  const body = (await response.body.json()) as { project_id: string };
  expect(response.statusCode).toBe(201);
  // The response names the gateway's server span, in the client's trace, sampled as the client asked.
  expect(response.headers['traceparent']).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-${flags}$`));
  return body.project_id;
};

const one = (spans: readonly ReceivedSpan[], description: string, match: (span: ReceivedSpan) => boolean): ReceivedSpan => {
  const found = spans.filter(match);
  expect(
    found,
    `${description}: ${found.length} found among ${spans.map((s) => `${s.service} ${s.kind} ${s.name}`).join('; ')}`,
  ).toHaveLength(1);
  return found[0]!;
};

const childrenOf = (spans: readonly ReceivedSpan[], parent: ReceivedSpan) => spans.filter((span) => span.parentSpanId === parent.spanId);

/**
 * Whether the trace has arrived whole: each service exports its own batches, so the consumers'
 * spans (auth's grant with its SQL, the gateway's fan-out) may arrive before the project's, and
 * every parent must be there.
 */
const traceArrived = (spans: readonly ReceivedSpan[]) => {
  const grant = spans.find((s) => s.kind === 'consumer' && s.name === 'process project:events:created');
  return (
    grant !== undefined &&
    spans.some((s) => s.parentSpanId === grant.spanId && s.name === 'INSERT resource_grants') &&
    spans.some((s) => s.kind === 'consumer' && s.name === 'process project:events:*') &&
    spans.some((s) => s.kind === 'producer' && s.name === 'publish project:events:created') &&
    spans.some((s) => s.kind === 'server' && s.service === 'project') &&
    spans.some((s) => s.service === 'project' && s.name === 'INSERT projects') &&
    spans.some((s) => s.kind === 'server' && s.service === 'api-gateway') &&
    // A parent ends after its children: its batch may come later.
    spans.every((s) => s.parentSpanId === CLIENT_SPAN || spans.some((parent) => parent.spanId === s.parentSpanId))
  );
};

/**
 * One trace from a client's `POST /projects`: gateway HTTP server -> gRPC client -> project gRPC
 * server -> CheckPermission on auth -> SQL -> publish of project:events:created -> its consumers
 * in auth (the grant, with its SQL) and in the gateway, each parent link pointing at the span
 * that caused it and each span carrying its service's name.
 */
const expectTheProjectCreationTrace = (all: readonly ReceivedSpan[], traceId: string, projectId: string): void => {
  const spans = all.filter((span) => span.traceId === traceId);

  const gateway = one(spans, 'the gateway server span', (s) => s.kind === 'server' && s.service === 'api-gateway');
  expect(gateway).toMatchObject({ name: 'POST /projects', parentSpanId: CLIENT_SPAN });
  expect(gateway.attributes).toMatchObject({
    'http.request.method': 'POST',
    'http.route': '/projects',
    'http.response.status_code': 201,
    'url.path': '/projects',
    'url.scheme': 'http',
    'network.protocol.version': '2',
  });

  const createClient = one(
    spans,
    'CreateProject client span',
    (s) => s.kind === 'client' && s.service === 'api-gateway' && s.name === 'project.ProjectService/CreateProject',
  );
  expect(createClient.parentSpanId).toBe(gateway.spanId);
  expect(createClient.attributes).toMatchObject({
    'rpc.system': 'grpc',
    'rpc.service': 'project.ProjectService',
    'rpc.method': 'CreateProject',
    'rpc.grpc.status_code': 0,
    'server.address': '127.0.0.1',
  });
  expect(createClient.attributes['server.port']).toEqual(expect.any(Number));

  const createServer = one(spans, 'CreateProject server span', (s) => s.kind === 'server' && s.service === 'project');
  expect(createServer).toMatchObject({ name: 'project.ProjectService/CreateProject', parentSpanId: createClient.spanId });
  expect(createServer.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.method': 'CreateProject', 'rpc.grpc.status_code': 0 });

  const checkClient = one(
    spans,
    'CheckPermission client span',
    (s) => s.kind === 'client' && s.service === 'project' && s.name === 'auth.AuthService/CheckPermission',
  );
  expect(checkClient.parentSpanId).toBe(createServer.spanId);
  const checkServer = one(
    spans,
    'CheckPermission server span',
    (s) => s.kind === 'server' && s.service === 'auth' && s.name === 'auth.AuthService/CheckPermission',
  );
  expect(checkServer.parentSpanId).toBe(checkClient.spanId);

  const projectSql = childrenOf(spans, createServer).filter((s) => s.attributes['db.system.name'] === 'postgresql');
  expect(projectSql.map((s) => s.name)).toEqual(expect.arrayContaining(['INSERT projects']));
  for (const span of projectSql) {
    expect(span).toMatchObject({ kind: 'client', service: 'project' });
    expect(span.attributes['db.namespace']).toMatch(/\|project$/);
    expect(span.attributes).toMatchObject({ 'server.address': '127.0.0.1', 'server.port': 5432 });
  }
  const insert = projectSql.find((s) => s.name === 'INSERT projects')!;
  expect(insert.attributes).toMatchObject({ 'db.operation.name': 'INSERT', 'db.collection.name': 'projects' });
  // The write, its outbox entry and its idempotency key are one statement (docs/adr/0076).
  const write = String(insert.attributes['db.query.text']);
  expect(write).toMatch(/^WITH changed AS \(insert into "projects" .* values \(\$1, /);
  expect(write).toContain('INSERT INTO outbox');
  expect(write).toContain('INSERT INTO idempotency_keys');

  const publish = one(
    spans,
    'the publish of project:events:created',
    (s) => s.kind === 'producer' && s.service === 'project' && s.name === 'publish project:events:created',
  );
  expect(publish).toMatchObject({ name: 'publish project:events:created', parentSpanId: createServer.spanId });
  expect(publish.attributes).toMatchObject({
    'messaging.system': 'redis',
    'messaging.destination.name': 'project:events:created',
    'messaging.operation.type': 'send',
    'messaging.operation.name': 'publish',
  });
  expect(publish.attributes['messaging.message.id']).toEqual(expect.any(String));

  const consumers = childrenOf(spans, publish);
  expect(consumers.map((s) => `${s.service} ${s.kind} ${s.name}`).sort()).toEqual([
    'api-gateway consumer process project:events:*',
    'auth consumer process project:events:created',
  ]);
  const authConsumer = consumers.find((s) => s.service === 'auth')!;
  expect(authConsumer.attributes).toMatchObject({
    'messaging.system': 'redis',
    'messaging.destination.name': 'project:events:created',
    'messaging.operation.type': 'process',
    'messaging.message.id': publish.attributes['messaging.message.id'],
  });
  // The grant it stores, in auth's schema.
  const grantSql = childrenOf(spans, authConsumer).filter((s) => s.attributes['db.system.name'] === 'postgresql');
  expect(grantSql.map((s) => s.attributes['db.collection.name'])).toContain('resource_grants');
  expect(grantSql.every((s) => s.service === 'auth' && String(s.attributes['db.namespace']).endsWith('|auth'))).toBe(true);

  const gatewayConsumer = consumers.find((s) => s.service === 'api-gateway')!;
  expect(gatewayConsumer.attributes).toMatchObject({
    'messaging.destination.name': 'project:events:created',
    'messaging.destination.template': 'project:events:*',
  });

  // Every parent is a span of the trace (the gateway's is the client's own span), and no span
  // outlives nothing: the links form one tree rooted at the client.
  const ids = new Set(spans.map((s) => s.spanId));
  expect(spans.filter((s) => s.parentSpanId !== CLIENT_SPAN && !ids.has(s.parentSpanId ?? ''))).toEqual([]);
  expect(ids.size).toBe(spans.length);
  // No value of the request reaches a statement's text.
  const texts = spans.map((s) => s.attributes['db.query.text']).filter((text) => text !== undefined);
  expect(texts.length).toBeGreaterThan(0);
  expect(texts.join('\n')).not.toMatch(/Traced shop|otel-|@example\.com/);
  expect(spans.some((s) => JSON.stringify(s.attributes).includes(projectId))).toBe(false);
};

describe('OpenTelemetry traces over OTLP/HTTP', () => {
  let redis: RedisFixture;
  let database: PostgresDatabase;
  let dataDir: string;
  const http2 = h2cAgent();

  beforeAll(async () => {
    [redis, database, dataDir] = await Promise.all([
      startRedisNode(),
      createThrowawayDatabase('otel'),
      mkdtemp(join(tmpdir(), 'meshwork-otel-')),
    ]);
  }, 60_000);

  afterAll(async () => {
    await http2.close();
    await redis?.stop();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** Its own Redis and database; one key sealing auth's signing keys for both shapes, which share the database. */
  const storageEnv = () => ({
    ...redisConfigToEnv(redis.config),
    MESH_STORAGE: 'sql',
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    AUTH_KEY_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  });

  describe('the four services in one process', () => {
    let receiver: OtlpReceiver;
    let mesh: RunningMesh;

    beforeAll(async () => {
      receiver = await startOtlpReceiver();
      mesh = await startTestMesh({ ...storageEnv(), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '50' });
    }, 60_000);

    afterAll(async () => {
      await mesh?.stop();
      await receiver?.close();
    });

    it('exports one trace from the gateway to the consumers of project:events:created, in protobuf', { timeout: 60_000 }, async () => {
      const traceId = newTraceId();
      const gateway = `http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`;
      const projectId = await createProjectInTrace(http2, gateway, traceId);
      const inTrace = () => receiver.spans().filter((span) => span.traceId === traceId);
      await waitFor(() => traceArrived(inTrace()), 20_000, 'the consumer spans of project:events:created');
      expectTheProjectCreationTrace(receiver.spans(), traceId, projectId);
      expect(new Set(receiver.requests().map((r) => `${r.path} ${r.contentType}`))).toEqual(new Set(['/v1/traces application/x-protobuf']));
      // Resources name the services and the SDK.
      const resource = inTrace().find((span) => span.service === 'project')!.resource;
      expect(resource).toMatchObject({ 'service.namespace': 'meshwork', 'telemetry.sdk.language': 'nodejs', 'process.pid': process.pid });
    });

    it('records nothing of a trace the client did not sample (parent-based sampling)', { timeout: 60_000 }, async () => {
      const gateway = `http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`;
      const [unsampled, sampled] = [newTraceId(), newTraceId()];
      await createProjectInTrace(http2, gateway, unsampled, '00');
      await createProjectInTrace(http2, gateway, sampled);
      // Once the sampled trace, which came later, has its consumers, the other one would have shown too.
      await waitFor(() => traceArrived(receiver.spans().filter((span) => span.traceId === sampled)), 20_000, 'the sampled trace');
      expect(receiver.spans().filter((span) => span.traceId === unsampled)).toEqual([]);
    });

    it("keeps a message's trace when others are created at once (the outbox carries it)", { timeout: 60_000 }, async () => {
      const gateway = `http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`;
      const traces = [newTraceId(), newTraceId(), newTraceId(), newTraceId()];
      await Promise.all(traces.map((traceId) => createProjectInTrace(http2, gateway, traceId)));
      await waitFor(
        () => traces.every((traceId) => traceArrived(receiver.spans().filter((span) => span.traceId === traceId))),
        20_000,
        'the consumers of every trace',
      );
      for (const traceId of traces) {
        const spans = receiver.spans().filter((span) => span.traceId === traceId);
        const server = one(spans, 'CreateProject server span', (s) => s.kind === 'server' && s.service === 'project');
        const publish = one(spans, 'publish', (s) => s.kind === 'producer' && s.name === 'publish project:events:created');
        expect(publish.parentSpanId).toBe(server.spanId);
      }
    });
  });

  describe('one process per service, in JSON', () => {
    let receiver: OtlpReceiver;
    let processes: MeshProcess[] = [];
    let gateway: string;

    beforeAll(async () => {
      receiver = await startOtlpReceiver();
      const [authG, authH, projG, projH, simG, simH, gwG, gwH] = (await findFreePorts(8)).map(String) as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      const env = {
        ...storageEnv(),
        AUTH_GRPC_PORT: authG,
        AUTH_HTTP_PORT: authH,
        PROJECT_GRPC_PORT: projG,
        PROJECT_HTTP_PORT: projH,
        SIMULATION_GRPC_PORT: simG,
        SIMULATION_HTTP_PORT: simH,
        GATEWAY_GRPC_PORT: gwG,
        GATEWAY_HTTP_PORT: gwH,
        AUTH_GRPC_TARGET: `127.0.0.1:${authG}`,
        AUTH_HTTP_TARGET: `127.0.0.1:${authH}`,
        PROJECT_GRPC_TARGET: `127.0.0.1:${projG}`,
        PROJECT_HTTP_TARGET: `127.0.0.1:${projH}`,
        SIMULATION_GRPC_TARGET: `127.0.0.1:${simG}`,
        SIMULATION_HTTP_TARGET: `127.0.0.1:${simH}`,
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.endpoint}/v1/traces`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '50',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e',
      };
      processes = await Promise.all([
        startMeshProcess(['auth'], env),
        startMeshProcess(['project'], env),
        startMeshProcess(['api-gateway'], env),
      ]);
      gateway = `http://127.0.0.1:${gwH}`;
    }, 120_000);

    afterAll(async () => {
      await Promise.all(processes.map((process) => process.stop()));
      await receiver?.close();
    });

    it('exports the same trace, each process under its own service.name', { timeout: 60_000 }, async () => {
      const traceId = newTraceId();
      const projectId = await createProjectInTrace(http2, gateway, traceId);
      const inTrace = () => receiver.spans().filter((span) => span.traceId === traceId);
      await waitFor(() => traceArrived(inTrace()), 20_000, 'the consumer spans of project:events:created');
      expectTheProjectCreationTrace(receiver.spans(), traceId, projectId);
      expect(new Set(receiver.requests().map((r) => `${r.path} ${r.contentType}`))).toEqual(new Set(['/v1/traces application/json']));
      const pidOf = (service: string) =>
        new Set(
          inTrace()
            .filter((s) => s.service === service)
            .map((s) => s.resource['process.pid']),
        );
      const pids = ['api-gateway', 'project', 'auth'].map(pidOf);
      expect(pids.map((set) => set.size)).toEqual([1, 1, 1]);
      expect(new Set(pids.map((set) => [...set][0])).size).toBe(3);
      expect(inTrace().every((span) => span.resource['deployment.environment.name'] === 'e2e')).toBe(true);
    });
  });
});
