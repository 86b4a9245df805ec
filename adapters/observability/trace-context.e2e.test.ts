import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h2cAgent, jsonRequest } from '../../contract-tests/support/http2-client.js';
import { findFreePorts } from '../../test-support/free-ports.js';
import { startMeshProcess, type MeshProcess } from '../../test-support/mesh-process.js';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { redisConfigToEnv } from '../redis/redis-config.js';

type LogLine = Record<string, unknown>;

/** The JSON log lines a process wrote (stdout and stderr), in order. */
const logLines = (process: MeshProcess): LogLine[] =>
  process
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

const CLIENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN = 'b7ad6b7169203331';

/**
 * One client request followed across the mesh by its trace id, in the log lines of three separate
 * processes on a real Redis: gateway (HTTP/2) -> auth ValidateToken -> project CreateProject ->
 * auth CheckPermission -> project:events:created, delivered back to the gateway and auth.
 */
describe('one trace across the gateway, gRPC and Redis', () => {
  let redis: RedisFixture;
  let auth: MeshProcess;
  let project: MeshProcess;
  let gateway: MeshProcess;
  const http2 = h2cAgent();
  let gatewayUrl: string;

  beforeAll(async () => {
    redis = await startRedisNode();
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
      ...redisConfigToEnv(redis.config),
      LOG_LEVEL: 'debug',
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
    };
    [auth, project, gateway] = await Promise.all([
      startMeshProcess(['auth'], env),
      startMeshProcess(['project'], env),
      startMeshProcess(['api-gateway'], { ...env, GATEWAY_INSTANCE_ID: 'trace-gw' }),
    ]);
    gatewayUrl = `http://127.0.0.1:${gwH}`;
  }, 120_000);

  afterAll(async () => {
    await http2.close();
    await Promise.all([auth, project, gateway].filter(Boolean).map((process) => process.kill()));
    await redis?.stop();
  });

  it(
    "keeps the client's trace id on the gateway request, every gRPC call it causes and the delivered event",
    { timeout: 60_000 },
    async () => {
      const credentials = { email: 'tracer@example.com', password: 'correct horse battery' };
      expect((await jsonRequest(http2, 'POST', `${gatewayUrl}/auth/register`, { body: { ...credentials, name: 'Tracer' } })).status).toBe(
        201,
      );
      const login = await jsonRequest(http2, 'POST', `${gatewayUrl}/auth/login`, { body: credentials });
      expect(login.status).toBe(200);

      const response = await request(`${gatewayUrl}/projects`, {
        method: 'POST',
        dispatcher: http2,
        headers: {
          authorization: `Bearer ${login.body.access_token}`,
          'content-type': 'application/json',
          traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`,
        },
        body: JSON.stringify({ name: 'Traced shop', template_id: 'microservices' }),
      });
      const created = (await response.body.json()) as { project_id: string };
      expect(response.statusCode).toBe(201);
      expect(created.project_id).toEqual(expect.any(String));
      expect(response.headers['traceparent']).toMatch(new RegExp(`^00-${CLIENT_TRACE}-[0-9a-f]{16}-01$`));
      expect(response.headers['x-request-id']).toBe(CLIENT_TRACE);

      const traced = (process: MeshProcess) => logLines(process).filter((line) => line['trace_id'] === CLIENT_TRACE);
      const summary = (lines: LogLine[]) => lines.map((line) => line['path'] ?? line['channel'] ?? line['url'] ?? line['msg']);
      // Log lines arrive through pipes, the event through Redis: wait for each process's lines.
      const eventually = (process: MeshProcess, expected: string[]) =>
        expect.poll(() => summary(traced(process)), { timeout: 20_000 }).toEqual(expect.arrayContaining(expected));
      await eventually(gateway, ['/projects', 'project:events:created']);
      await eventually(auth, ['/auth.AuthService/ValidateToken', '/auth.AuthService/CheckPermission', 'project:events:created']);
      await eventually(project, ['/project.ProjectService/CreateProject']);
      expect(traced(gateway)).toContainEqual(
        expect.objectContaining({ msg: 'request completed', method: 'POST', url: '/projects', statusCode: 201, requestId: CLIENT_TRACE }),
      );
      // Each served call has a span of its own in the one trace.
      const spans = [...traced(auth), ...traced(project)].filter((line) => line['msg'] === 'rpc served').map((line) => line['span_id']);
      expect(spans.length).toBeGreaterThanOrEqual(3);
      expect(new Set(spans).size).toBe(spans.length);
    },
  );
});
