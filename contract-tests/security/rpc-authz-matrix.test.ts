import { Client, status } from '@grpc/grpc-js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h2cAgent } from '../support/http2-client.js';
import { startMeshWithVictim, type MeshWithVictim } from './mesh-with-victim.js';
import { callRpc, generatedRpcs, grants, meshCallerCredentials, type RpcMethod } from './rpc-probe.js';
import { DeniedTokenKinds, type DeniedTokenKind } from './token-kinds.js';

/** Fields naming the victim's resources; a request that has one must be refused to anybody else. */
const RESOURCE_FIELDS = ['projectId', 'simulationId', 'resourceId'];

/** Rpcs that write: refused to nobody and to a malformed user even where no resource of the victim is named. */
const WRITES = /^(Create|Update|Delete|Share|Start|Stop|Join|Leave|Register|Unregister)/;

/** Fields a valid request of these rpcs needs besides identities and resources (so that the victim's control call can succeed). */
const EXTRA_FIELDS: Readonly<Record<string, Record<string, unknown>>> = {
  CheckPermission: { permission: 'project:update' },
  CreateProject: { name: 'authz matrix' },
  RegisterClient: { connectionType: 'http' },
  RouteMessage: { messageType: 'notification', payload: Buffer.from('{}'), sourceService: 'project' },
  BroadcastMessage: { channel: 'system:announcements', messageType: 'announcement', payload: Buffer.from('{}'), sourceService: 'project' },
  ShareProject: { role: 'viewer' },
  EditProject: {
    clientId: 'authz-matrix',
    opId: 'authz-1',
    baseVersion: 1,
    patch: [{ op: 'add', path: '/configuration/authz', value: 'x' }],
  },
  // Administration (docs/adr/0054): as the administrator, each leaves the victim as she is.
  AssignRoles: { roles: ['user'] },
  SetUserActive: { active: true },
  PublishAnnouncement: { kind: 'info', message: 'authz matrix' },
};

/** Rpcs that change or end the victim's things: refused to the others above, not run as the victim (the mesh stays as it is). */
const DESTRUCTIVE = /^(Delete|Stop|Leave|Unregister)/;

/**
 * Identity fields as each denied kind fills them (absent: the victim's own value). Inside the mesh
 * a user is named by `user_id` (the gateway checked the token); `token` and `session_id` are what
 * auth validates.
 */
type Identity = { readonly userId?: string; readonly token?: string; readonly sessionId?: string; readonly actorId?: string };

/** The identity fields a denied kind fills; `actorId` names the administrator of an administration rpc. */
const IDENTITY_FIELDS = ['userId', 'token', 'sessionId', 'actorId'] as const;

/**
 * Granted where the matrix would refuse, on purpose: a gateway relays client registrations for the
 * user it authenticated and the receiving gateway trusts it (it has no user directory to check);
 * a session id, when given, must match on UnregisterClient, and without one the client id (a
 * UUID) alone ends it. Only gateways may call GatewayService (the mesh caller allow-list, docs/adr/0021).
 */
const ACCEPTED_BY_DESIGN = new Set([
  '/gateway.GatewayService/RegisterClient as malformed',
  '/gateway.GatewayService/UnregisterClient as none',
]);

const STARTUP_TIMEOUT_MS = 120_000;

describe('the authorisation matrix over gRPC: every rpc of the generated service definitions', () => {
  const http = h2cAgent();
  let bed: MeshWithVictim;
  const clients = new Map<string, Client>();

  beforeAll(async () => {
    bed = await startMeshWithVictim(http);
    for (const [service, running] of bed.mesh.services) {
      clients.set(service, new Client(`127.0.0.1:${running.grpc.port}`, meshCallerCredentials()));
    }
  }, STARTUP_TIMEOUT_MS);

  afterAll(async () => {
    for (const client of clients.values()) client.close();
    await http.close();
    await bed?.mesh.stop();
  }, STARTUP_TIMEOUT_MS);

  const tokenOf = async (kind: DeniedTokenKind | 'valid') => (await bed.authorization(kind))?.replace(/^Bearer /, '') ?? '';

  const identities = async (): Promise<Record<DeniedTokenKind | 'valid', Identity>> => {
    const valid = await tokenOf('valid');
    const revoked = await tokenOf('revoked');
    return {
      valid: { userId: bed.ada.userId, token: valid, sessionId: String(decodeJwt(valid).sid), actorId: bed.admin.userId },
      none: { userId: '', token: '', sessionId: '', actorId: '' },
      malformed: { userId: 'no-such-user', token: 'not.a.token', sessionId: 'no-such-session', actorId: 'no-such-user' },
      bad_signature: { token: await tokenOf('bad_signature') },
      expired: { token: await tokenOf('expired') },
      revoked: { token: revoked, sessionId: String(decodeJwt(revoked).sid) },
      // Another user as the actor of an administration rpc: Bob is no administrator.
      other_user: { userId: bed.bob.userId, actorId: bed.bob.userId },
    };
  };

  const requestFor = (method: RpcMethod, identity: Identity, victim: Identity): Record<string, unknown> => {
    const { projectId, simulationId, templateId } = bed.resources;
    const values: Record<string, unknown> = {
      projectId,
      simulationId,
      templateId,
      resourceId: projectId,
      targetUserId: victim.userId,
      callingService: 'api-gateway',
      clientId: 'authz-matrix',
    };
    const request: Record<string, unknown> = { ...method.blank };
    for (const key of Object.keys(request)) if (key in values) request[key] = values[key];
    for (const key of IDENTITY_FIELDS) {
      if (key in request) request[key] = identity[key] ?? victim[key];
    }
    if (method.name === 'ShareProject') request.targetUserId = bed.bob.userId;
    return { ...request, ...EXTRA_FIELDS[method.name] };
  };

  /**
   * Whether `method` must refuse `kind`: it fills one of its identity fields, and the call names the
   * victim's resources, a token or session to validate, or writes. (Reads of public things, such as
   * templates, or of nobody's, such as an unknown user's empty project list, are not refusals.)
   */
  const mustRefuse = (method: RpcMethod, kind: DeniedTokenKind, identity: Identity): boolean => {
    const filled = IDENTITY_FIELDS.filter((key) => key in method.blank && identity[key] !== undefined);
    if (filled.length === 0) return false;
    const namesVictim = RESOURCE_FIELDS.some((field) => field in method.blank);
    const validates = filled.some((key) => key !== 'userId');
    if (kind === 'other_user') return namesVictim || validates;
    return namesVictim || validates || WRITES.test(method.name);
  };

  it('grants no rpc to a caller who is nobody, malformed, forged, expired, revoked or another user', async () => {
    const rpcs = generatedRpcs();
    expect(new Set(rpcs.map((rpc) => rpc.service))).toEqual(new Set(['auth', 'api-gateway', 'project', 'simulation']));
    const byKind = await identities();
    const outcomes: { rpc: string; kind: DeniedTokenKind; code: status; granted: boolean }[] = [];
    for (const rpc of rpcs) {
      const client = clients.get(rpc.service);
      if (!client) throw new Error(`no ${rpc.service} in the test mesh`);
      for (const kind of DeniedTokenKinds) {
        if (!mustRefuse(rpc, kind, byKind[kind])) continue;
        const answer = await callRpc(client, rpc, requestFor(rpc, byKind[kind], byKind.valid));
        outcomes.push({ rpc: rpc.path, kind, code: answer.code, granted: grants(answer) });
      }
    }
    const byDesign = outcomes.filter((outcome) => ACCEPTED_BY_DESIGN.has(`${outcome.rpc} as ${outcome.kind}`));
    const granted = outcomes.filter((outcome) => outcome.granted && !byDesign.includes(outcome));
    const failed = outcomes.filter((outcome) => [status.INTERNAL, status.UNKNOWN, status.DEADLINE_EXCEEDED].includes(outcome.code));
    console.log(
      `[authz-matrix] ${outcomes.length} rpc combinations (${rpcs.length} rpcs on 4 services, insecure channel as the test mesh serves), ` +
        `${granted.length} allowed where denied, ${failed.length} failed with INTERNAL/UNKNOWN/DEADLINE_EXCEEDED, ` +
        `${byDesign.length} granted by design (${[...ACCEPTED_BY_DESIGN].join('; ')})`,
    );
    for (const outcome of [...granted, ...failed])
      console.log(`[authz-matrix] ${outcome.rpc} as ${outcome.kind}: ${status[outcome.code]}${outcome.granted ? ' (granted)' : ''}`);
    expect(granted).toEqual([]);
    expect(failed).toEqual([]);
  });

  it('grants the same rpcs to the victim herself, so the refusals were decided by the identity', async () => {
    const byKind = await identities();
    const outcomes: { rpc: string; code: status; granted: boolean }[] = [];
    for (const rpc of generatedRpcs().filter((method) => !DESTRUCTIVE.test(method.name))) {
      const answer = await callRpc(clients.get(rpc.service) as Client, rpc, requestFor(rpc, byKind.valid, byKind.valid));
      outcomes.push({ rpc: rpc.path, code: answer.code, granted: grants(answer) });
    }
    const refused = outcomes.filter((outcome) => !outcome.granted);
    console.log(`[authz-matrix] ${outcomes.length} rpc control calls as the victim, ${refused.length} refused`);
    for (const outcome of refused) console.log(`[authz-matrix] control ${outcome.rpc}: ${status[outcome.code]}`);
    expect(refused).toEqual([]);
  });

  it('refuses every administration rpc to the victim herself, who is no administrator, with PERMISSION_DENIED', async () => {
    const byKind = await identities();
    const administration = generatedRpcs().filter((rpc) => 'actorId' in rpc.blank);
    expect(administration.map((rpc) => rpc.name).sort()).toEqual([
      'AssignRoles',
      'ListAuditLog',
      'ListUsers',
      'PublishAnnouncement',
      'SetUserActive',
    ]);
    const codes: string[] = [];
    for (const rpc of administration) {
      const request = { ...requestFor(rpc, byKind.valid, byKind.valid), actorId: bed.ada.userId };
      codes.push(`${rpc.name} ${status[(await callRpc(clients.get(rpc.service) as Client, rpc, request)).code]}`);
    }
    expect(codes).toEqual(administration.map((rpc) => `${rpc.name} PERMISSION_DENIED`));
  });
});
