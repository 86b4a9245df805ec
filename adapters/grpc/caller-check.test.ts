import { credentials, Metadata, status, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkHealth } from '../../contract-tests/grpc/health-probe.js';
import { createLogger } from '../observability/logger.js';
import { issueCertificateAuthority, issueLeafCertificate, type KeyAndCertificate } from '../pki/certificate-issuer.js';
import type { TlsIdentity } from '../pki/tls-identity.js';
import { checkCallerIdentity, checkCallingService } from './caller-check.js';
import { MESH_CALLER_ALLOW_LIST } from './caller-allow-list.js';
import { AuthServiceClient, AuthServiceService, ValidateTokenRequest } from './generated/auth.js';
import { GatewayServiceClient, GatewayServiceService, RouteMessageRequest } from './generated/gateway.js';
import { ProjectServiceService } from './generated/project.js';
import { SimulationServiceService } from './generated/simulation.js';
import { startGrpcServer, type RunningGrpcServer } from './grpc-server.js';
import { meshChannelCredentials } from './mesh-tls-credentials.js';
import { unimplementedService } from '../../test-support/unimplemented-service.js';

const identityOf = async (ca: KeyAndCertificate, ...services: string[]): Promise<TlsIdentity> => ({
  services,
  caPem: ca.certPem,
  ...(await issueLeafCertificate(ca, { identities: services, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], validDays: 1 })),
});

const outcome = (call: (done: (error: ServiceError | null) => void) => void): Promise<{ code: status; details: string }> =>
  new Promise((resolve) =>
    call((error) => resolve(error ? { code: error.code, details: error.details } : { code: status.OK, details: '' })),
  );

const deadline = () => ({ deadline: Date.now() + 10_000 });

const validateToken = (server: RunningGrpcServer, channel: ChannelCredentials, callingService: string) => {
  const client = new AuthServiceClient(server.address, channel);
  return outcome((done) =>
    client.validateToken(ValidateTokenRequest.fromPartial({ token: 't', callingService }), new Metadata(), deadline(), done),
  ).finally(() => client.close());
};

const routeMessage = (server: RunningGrpcServer, channel: ChannelCredentials) => {
  const client = new GatewayServiceClient(server.address, channel);
  return outcome((done) =>
    client.routeMessage(RouteMessageRequest.fromPartial({ targetUserId: 'u', messageType: 'hello' }), new Metadata(), deadline(), done),
  ).finally(() => client.close());
};

describe('mutual TLS and caller checks on a gRPC server', () => {
  let server: RunningGrpcServer;
  let ca: KeyAndCertificate;
  const mesh: Record<string, TlsIdentity> = {};
  let stranger: TlsIdentity;

  beforeAll(async () => {
    ca = await issueCertificateAuthority(1);
    const otherCa = await issueCertificateAuthority(1);
    for (const service of ['auth', 'api-gateway', 'project', 'simulation']) mesh[service] = await identityOf(ca, service);
    // A certificate naming a mesh service, signed by a CA the mesh does not trust.
    stranger = await identityOf(otherCa, 'api-gateway');
    server = await startGrpcServer({
      serviceName: 'auth',
      host: '127.0.0.1',
      port: 0,
      logger: createLogger('caller-check-test', 'silent'),
      services: [
        { definition: AuthServiceService, implementation: unimplementedService(AuthServiceService) },
        { definition: GatewayServiceService, implementation: unimplementedService(GatewayServiceService) },
      ],
      tls: { identity: mesh.auth! },
    });
  }, 60_000);
  afterAll(() => server?.shutdown());

  it('refuses a plaintext client and a TLS client without a certificate at the handshake', async () => {
    await expect(checkHealth(server.address, '', 5_000)).rejects.toMatchObject({ code: status.UNAVAILABLE });
    const noCertificate = credentials.createSsl(Buffer.from(ca.certPem));
    await expect(checkHealth(server.address, '', 5_000, noCertificate)).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });

  it('refuses a client whose certificate another CA signed', async () => {
    const foreign = meshChannelCredentials({ ...stranger, caPem: ca.certPem }, 'auth');
    await expect(checkHealth(server.address, '', 5_000, foreign)).rejects.toMatchObject({ code: status.UNAVAILABLE });
    expect(await validateToken(server, foreign, 'api-gateway')).toMatchObject({ code: status.UNAVAILABLE });
  });

  it('answers health to any mesh certificate', async () => {
    expect(await checkHealth(server.address, '', 5_000, meshChannelCredentials(mesh.simulation!, 'auth'))).toBe('SERVING');
  });

  it('lets through a caller on the allow-list whose calling_service is its own name', async () => {
    // UNIMPLEMENTED comes from the handler: the call got past the check.
    expect(await validateToken(server, meshChannelCredentials(mesh['api-gateway']!, 'auth'), 'api-gateway')).toMatchObject({
      code: status.UNIMPLEMENTED,
    });
    expect(await validateToken(server, meshChannelCredentials(mesh.project!, 'auth'), '')).toMatchObject({ code: status.UNIMPLEMENTED });
    expect(await routeMessage(server, meshChannelCredentials(mesh['api-gateway']!, 'auth'))).toMatchObject({ code: status.UNIMPLEMENTED });
  });

  it('refuses RouteMessage to a simulation certificate: only the gateway, auth and project may call it', async () => {
    expect(await routeMessage(server, meshChannelCredentials(mesh.simulation!, 'auth'))).toEqual({
      code: status.PERMISSION_DENIED,
      details: 'simulation may not call /gateway.GatewayService/RouteMessage',
    });
    for (const caller of ['auth', 'project'] as const) {
      expect(await routeMessage(server, meshChannelCredentials(mesh[caller]!, 'auth'))).toMatchObject({ code: status.UNIMPLEMENTED });
    }
  });

  it('refuses a calling_service that is not the certificate identity', async () => {
    expect(await validateToken(server, meshChannelCredentials(mesh.project!, 'auth'), 'api-gateway')).toEqual({
      code: status.PERMISSION_DENIED,
      details: "calling_service 'api-gateway' is not the caller's certificate identity (project)",
    });
  });

  it('lets the certificate of a process running several services speak for each of them, and no other', async () => {
    const gatewayAndProject = meshChannelCredentials(await identityOf(ca, 'api-gateway', 'project'), 'auth');
    expect(await validateToken(server, gatewayAndProject, 'project')).toMatchObject({ code: status.UNIMPLEMENTED });
    expect(await routeMessage(server, gatewayAndProject)).toMatchObject({ code: status.UNIMPLEMENTED });
    expect(await validateToken(server, gatewayAndProject, 'simulation')).toMatchObject({ code: status.PERMISSION_DENIED });
  });

  it('reads the peer certificate once per connection, and each connection keeps its own identity', async () => {
    const gateway = new GatewayServiceClient(server.address, meshChannelCredentials(mesh['api-gateway']!, 'auth'));
    const simulation = new GatewayServiceClient(server.address, meshChannelCredentials(mesh.simulation!, 'auth'));
    const route = (client: GatewayServiceClient) =>
      outcome((done) =>
        client.routeMessage(RouteMessageRequest.fromPartial({ targetUserId: 'u', messageType: 'hello' }), new Metadata(), deadline(), done),
      );
    try {
      // The first call of each client opens its connection (handshakes read certificates too).
      expect((await route(gateway)).code).toBe(status.UNIMPLEMENTED);
      expect((await route(simulation)).code).toBe(status.PERMISSION_DENIED);
      const reads = vi.spyOn(TLSSocket.prototype, 'getPeerCertificate');
      try {
        for (let i = 0; i < 10; i += 1) {
          // Interleaved on two live connections: a remembered identity never answers for the other one.
          const [allowed, refused] = await Promise.all([route(gateway), route(simulation)]);
          expect(allowed.code).toBe(status.UNIMPLEMENTED);
          expect(refused).toEqual({
            code: status.PERMISSION_DENIED,
            details: 'simulation may not call /gateway.GatewayService/RouteMessage',
          });
        }
        expect(reads).not.toHaveBeenCalled();
      } finally {
        reads.mockRestore();
      }
    } finally {
      gateway.close();
      simulation.close();
    }
  });

  it('does not talk to a server that is not the service the client meant', async () => {
    const expectingProject = meshChannelCredentials(mesh['api-gateway']!, 'project');
    await expect(checkHealth(server.address, '', 5_000, expectingProject)).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });
});

describe('the caller rules', () => {
  it('name the callers of every rpc of the four services (a new rpc needs its line)', () => {
    const paths = [AuthServiceService, ProjectServiceService, SimulationServiceService, GatewayServiceService].flatMap((service) =>
      Object.values(service).map((method) => method.path),
    );
    expect(paths.filter((path) => MESH_CALLER_ALLOW_LIST[path] === undefined)).toEqual([]);
    expect(Object.keys(MESH_CALLER_ALLOW_LIST).filter((path) => !paths.includes(path))).toEqual([]);
  });

  it('leaves health and reflection open, refuses a method no table entry names, and wants an identity', () => {
    expect(checkCallerIdentity('/grpc.health.v1.Health/Check', [], MESH_CALLER_ALLOW_LIST).allowed).toBe(true);
    expect(
      checkCallerIdentity('/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', ['project'], MESH_CALLER_ALLOW_LIST).allowed,
    ).toBe(true);
    expect(checkCallerIdentity('/auth.AuthService/Unknown', ['api-gateway'], MESH_CALLER_ALLOW_LIST)).toMatchObject({
      allowed: false,
      code: status.PERMISSION_DENIED,
    });
    expect(checkCallerIdentity('/auth.AuthService/ValidateToken', [], MESH_CALLER_ALLOW_LIST)).toMatchObject({
      allowed: false,
      code: status.UNAUTHENTICATED,
    });
  });

  it('lets project read simulation results but not start simulations', () => {
    expect(checkCallerIdentity('/simulation.SimulationService/GetSimulationResults', ['project'], MESH_CALLER_ALLOW_LIST).allowed).toBe(
      true,
    );
    expect(checkCallerIdentity('/simulation.SimulationService/StartSimulation', ['project'], MESH_CALLER_ALLOW_LIST).allowed).toBe(false);
  });

  it('treats an empty calling_service as unstated and any other as a claim to check', () => {
    expect(checkCallingService(['auth'], { callingService: '' }).allowed).toBe(true);
    expect(checkCallingService(['auth'], { token: 'x' }).allowed).toBe(true);
    expect(checkCallingService(['auth'], { callingService: 'project' }).allowed).toBe(false);
    expect(checkCallingService(['api-gateway', 'project'], { callingService: 'project' }).allowed).toBe(true);
  });
});
