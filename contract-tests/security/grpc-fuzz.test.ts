import { Client, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aUser, type TestUser } from '../../test-support/gateway-users.js';
import type { RunningMesh } from '../../composition/launcher.js';
import { startTestMesh } from '../../test-support/test-mesh.js';
import { h2cAgent, jsonRequest } from '../support/http2-client.js';
import { deepGroups, outOfRangeFields, undecodable, unknownFields } from './protobuf-wire.js';
import { generatedRpcs, meshCallerCredentials, type RpcMethod } from './rpc-probe.js';

const STARTUP_TIMEOUT_MS = 120_000;
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const FAULTS = [status.INTERNAL, status.UNKNOWN, status.DEADLINE_EXCEEDED];
/** A client's mistake is never a dependency's outage either (docs/adr/0029). */
const MISTAKE_FAULTS = [...FAULTS, status.UNAVAILABLE];

/** Control characters no field of any message may hold; tab and line breaks stay allowed in free text. */
const controlText = fc
  .tuple(
    fc.string({ maxLength: 6 }),
    fc.integer({ min: 0, max: 0x1f }).filter((code) => ![9, 10, 13].includes(code)),
    fc.string({ maxLength: 6 }),
  )
  .map(([before, code, after]) => `${before}${String.fromCharCode(code)}${after}`);

/** Numbers a generated encoder will write into an int32/int64/double field that no store or clock holds. */
const extremeNumbers = fc.constantFrom(
  2 ** 31 - 1,
  -(2 ** 31),
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  8_640_000_000_000_001,
  1e308,
  -1e308,
  -1,
);

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
    for (const [service, running] of mesh.services)
      clients.set(service, new Client(`127.0.0.1:${running.grpc.port}`, meshCallerCredentials()));
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
    const values: Record<string, unknown> = {
      userId: bob.userId,
      projectId,
      resourceId: projectId,
      targetUserId: bob.userId,
      name: 'fuzz',
    };
    for (const key of Object.keys(request)) if (key in values) request[key] = values[key];
    return method.serialize(request);
  };

  /** The baseline as a generated message object, to change one field of. */
  const decodedBaseline = (method: RpcMethod): Record<string, unknown> => {
    const request: Record<string, unknown> = { ...method.blank };
    const values: Record<string, unknown> = {
      userId: bob.userId,
      projectId,
      resourceId: projectId,
      targetUserId: bob.userId,
      name: 'fuzz',
    };
    for (const key of Object.keys(request)) if (key in values) request[key] = values[key];
    return request;
  };

  it('answers unknown and out-of-range fields with a status, never INTERNAL, and changes nothing of another user', async () => {
    const rpcs = generatedRpcs();
    const before = await adaState();
    const codes = new Map<string, number>();
    let cases = 0;
    let undecodedCount = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...rpcs),
        unknownFields,
        outOfRangeFields,
        fc.boolean(),
        async (method, unknown, outOfRange, keepBaseline) => {
          cases += 1;
          // Later occurrences of a field win in protobuf: out-of-range values after the baseline replace its own.
          const bytes = Buffer.concat([keepBaseline ? baseline(method) : Buffer.alloc(0), unknown, outOfRange]);
          const answer = await sendRaw(clients.get(method.service) as Client, method, bytes);
          codes.set(status[answer.code], (codes.get(status[answer.code]) ?? 0) + 1);
          if (answer.code === status.INVALID_ARGUMENT && answer.details.startsWith(UNDECODABLE_DETAIL)) undecodedCount += 1;
          expect(FAULTS, `${method.path} <${bytes.toString('hex')}> -> ${answer.details}`).not.toContain(answer.code);
        },
      ),
      { numRuns: RUNS * 2 },
    );
    expect(await adaState()).toEqual(before);
    const spread = [...codes].map(([code, count]) => `${code}x${count}`).join(' ');
    console.log(
      `[grpc-fuzz] ${cases} generated messages with unknown and out-of-range fields on ${rpcs.length} rpcs: 0 INTERNAL/UNKNOWN from a handler ` +
        `(${undecodedCount} not decodable: INVALID_ARGUMENT), another user's project unchanged; ${spread}`,
    );
  });

  it('answers control characters, extreme numbers and deep nesting in every rpc without INTERNAL or UNAVAILABLE', async () => {
    const rpcs = generatedRpcs();
    const before = await adaState();
    const codes = new Map<string, number>();
    const byKind = new Map<string, number>();
    let cases = 0;
    let controlRefused = 0;
    let controlCases = 0;
    const mistake = fc.oneof(
      fc.record({ kind: fc.constant('control' as const), text: controlText, pick: fc.nat() }),
      fc.record({ kind: fc.constant('number' as const), value: extremeNumbers, pick: fc.nat() }),
      fc.record({
        kind: fc.constant('depth' as const),
        depth: fc.constantFrom(100, 1_000, 20_000),
        field: fc.integer({ min: 1, max: 12 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...rpcs), mistake, async (method, made) => {
        cases += 1;
        byKind.set(made.kind, (byKind.get(made.kind) ?? 0) + 1);
        let bytes: Buffer;
        let placed: string | undefined;
        if (made.kind === 'depth') {
          bytes = Buffer.concat([baseline(method), deepGroups(made.field, made.depth)]);
        } else {
          const request = decodedBaseline(method);
          const wanted = made.kind === 'control' ? 'string' : 'number';
          const fields = Object.keys(request).filter(
            (key) => typeof request[key] === wanted || (wanted === 'string' && isStringMap(request[key])),
          );
          placed = fields[made.pick % Math.max(fields.length, 1)];
          if (placed !== undefined) {
            if (made.kind === 'control') request[placed] = isStringMap(request[placed]) ? { [made.text]: 'v', key: made.text } : made.text;
            else request[placed] = made.value;
          }
          try {
            bytes = method.serialize(request);
          } catch {
            return; // the generated encoder refuses the value itself: no client can send it through one
          }
        }
        const answer = await sendRaw(clients.get(method.service) as Client, method, bytes);
        codes.set(status[answer.code], (codes.get(status[answer.code]) ?? 0) + 1);
        if (made.kind === 'control' && placed !== undefined) {
          controlCases += 1;
          if (answer.code === status.INVALID_ARGUMENT) controlRefused += 1;
          expect(answer.code, `${method.path} ${placed} with a control character -> ${answer.details}`).toBe(status.INVALID_ARGUMENT);
        }
        expect(
          MISTAKE_FAULTS,
          `${method.path} ${made.kind} in ${placed ?? 'groups'} -> ${status[answer.code]} ${answer.details}`,
        ).not.toContain(answer.code);
      }),
      { numRuns: RUNS * 2 },
    );
    expect(await adaState()).toEqual(before);
    const spread = [...codes].map(([code, count]) => `${code}x${count}`).join(' ');
    const kinds = [...byKind].map(([kind, count]) => `${kind}x${count}`).join(' ');
    console.log(
      `[grpc-fuzz] ${cases} client mistakes (${kinds}) on ${rpcs.length} rpcs: 0 INTERNAL/UNKNOWN/UNAVAILABLE, ` +
        `${controlRefused}/${controlCases} control characters INVALID_ARGUMENT; ${spread}`,
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
    const health = await Promise.all(
      [...mesh.services.values()].map((service) => jsonRequest(http, 'GET', `http://127.0.0.1:${service.http.port}/health`)),
    );
    console.log(
      `[grpc-fuzz] ${cases} undecodable messages: ${invalid} answered INVALID_ARGUMENT before any handler ran, ` +
        `the rest another client-error status, 0 INTERNAL/UNKNOWN; ${health.filter((answer) => answer.status === 200).length}/${health.length} services healthy after`,
    );
    expect(health.map((answer) => answer.status)).toEqual(health.map(() => 200));
  });
});

const isStringMap = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
