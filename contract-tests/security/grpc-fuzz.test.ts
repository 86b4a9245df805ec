import { Client, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aUser, type TestUser } from '../../test-support/gateway-users.js';
import type { RunningMesh } from '../../composition/launcher.js';
import { startTestMesh } from '../../test-support/test-mesh.js';
import { h2cAgent, jsonRequest } from '../support/http2-client.js';
import { outOfRangeFields, undecodable, unknownFields } from './protobuf-wire.js';
import { generatedRpcs, meshCallerCredentials, type RpcMethod } from './rpc-probe.js';

const STARTUP_TIMEOUT_MS = 120_000;
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const FAULTS = [status.INTERNAL, status.UNKNOWN, status.DEADLINE_EXCEEDED];

/** Our servers answer bytes that decode to no message of the rpc's type with INVALID_ARGUMENT and this prefix. */
const UNDECODABLE_DETAIL = 'request is not a valid protobuf message';

const sendRaw = (client: Client, method: RpcMethod, bytes: Buffer): Promise<{ code: status; details: string }> =>
  new Promise((resolve) => {
    client.makeUnaryRequest(
      method.path,
      (value: Buffer) => value,
      method.deserialize,
      bytes,
      new Metadata(),
      { deadline: Date.now() + 10_000 },
      (error: ServiceError | null) => resolve(error ? { code: error.code, details: error.details } : { code: status.OK, details: '' }),
    );
  });

describe('generated protobuf messages thrown at every gRPC server', () => {
  const http = h2cAgent();
  let mesh: RunningMesh;
  let base: string;
  let ada: TestUser;
  let bob: TestUser;
  let projectId: string;
  const clients = new Map<string, Client>();

  beforeAll(async () => {
    mesh = await startTestMesh();
    base = `http://127.0.0.1:${mesh.services.get('api-gateway')?.http.port}`;
    ada = await aUser(http, base, 'ada');
    bob = await aUser(http, base, 'bob');
    projectId = (await jsonRequest(http, 'POST', `${base}/projects`, { token: ada.token, body: { name: 'Untouched' } })).body.project_id;
    for (const [service, running] of mesh.services) clients.set(service, new Client(`127.0.0.1:${running.grpc.port}`, meshCallerCredentials()));
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    for (const client of clients.values()) client.close();
    await http.close();
    await mesh?.stop();
  }, STARTUP_TIMEOUT_MS);

  const adaState = async () => {
    const project = await jsonRequest(http, 'GET', `${base}/projects/${projectId}`, { token: ada.token });
    const permissions = await jsonRequest(http, 'GET', `${base}/projects/${projectId}/permissions`, { token: ada.token });
    return { project: project.body, permissions: permissions.body };
  };

  /** A valid request of `method` made by bob about ada's project, encoded by the generated code. */
  const baseline = (method: RpcMethod): Buffer => {
    const request: Record<string, unknown> = { ...method.blank };
    const values: Record<string, unknown> = { userId: bob.userId, projectId, resourceId: projectId, targetUserId: bob.userId, name: 'fuzz' };
    for (const key of Object.keys(request)) if (key in values) request[key] = values[key];
    return method.serialize(request);
  };

  it('answers unknown and out-of-range fields with a status, never INTERNAL, and changes nothing of another user', async () => {
    const rpcs = generatedRpcs();
    const before = await adaState();
    const codes = new Map<string, number>();
    let cases = 0;
    let undecodedCount = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...rpcs), unknownFields, outOfRangeFields, fc.boolean(), async (method, unknown, outOfRange, keepBaseline) => {
        cases += 1;
        // Later occurrences of a field win in protobuf: out-of-range values after the baseline replace its own.
        const bytes = Buffer.concat([keepBaseline ? baseline(method) : Buffer.alloc(0), unknown, outOfRange]);
        const answer = await sendRaw(clients.get(method.service) as Client, method, bytes);
        codes.set(status[answer.code], (codes.get(status[answer.code]) ?? 0) + 1);
        if (answer.code === status.INVALID_ARGUMENT && answer.details.startsWith(UNDECODABLE_DETAIL)) undecodedCount += 1;
        expect(FAULTS, `${method.path} <${bytes.toString('hex')}> -> ${answer.details}`).not.toContain(answer.code);
      }),
      { numRuns: RUNS * 2 },
    );
    expect(await adaState()).toEqual(before);
    const spread = [...codes].map(([code, count]) => `${code}x${count}`).join(' ');
    console.log(
      `[grpc-fuzz] ${cases} generated messages with unknown and out-of-range fields on ${rpcs.length} rpcs: 0 INTERNAL/UNKNOWN from a handler ` +
        `(${undecodedCount} not decodable: INVALID_ARGUMENT), another user's project unchanged; ${spread}`,
    );
  });

  it('refuses bytes that are no protobuf message without harm: every server still serves', async () => {
    const rpcs = generatedRpcs();
    let cases = 0;
    let invalid = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...rpcs), undecodable, async (method, bytes) => {
        cases += 1;
        const answer = await sendRaw(clients.get(method.service) as Client, method, bytes);
        if (answer.code === status.INVALID_ARGUMENT && answer.details.startsWith(UNDECODABLE_DETAIL)) invalid += 1;
        expect(FAULTS, `${method.path} <${bytes.toString('hex')}> -> ${answer.details}`).not.toContain(answer.code);
      }),
      { numRuns: RUNS },
    );
    const health = await Promise.all([...mesh.services.values()].map((service) => jsonRequest(http, 'GET', `http://127.0.0.1:${service.http.port}/health`)));
    console.log(
      `[grpc-fuzz] ${cases} undecodable messages: ${invalid} answered INVALID_ARGUMENT before any handler ran, ` +
        `the rest another client-error status, 0 INTERNAL/UNKNOWN; ${health.filter((answer) => answer.status === 200).length}/${health.length} services healthy after`,
    );
    expect(health.map((answer) => answer.status)).toEqual(health.map(() => 200));
  });
});
