import { afterEach, describe, expect, it } from 'vitest';
import { startGrpcServer, type GrpcServiceBinding, type RunningGrpcServer } from '../../adapters/grpc/grpc-server.js';
import { AuthServiceService } from '../../adapters/grpc/generated/auth.js';
import { GatewayServiceService } from '../../adapters/grpc/generated/gateway.js';
import { ProjectServiceService } from '../../adapters/grpc/generated/project.js';
import { SimulationServiceService } from '../../adapters/grpc/generated/simulation.js';
import { meshProtoPaths } from '../../test-support/proto-files.js';
import { unimplementedService } from '../../test-support/unimplemented-service.js';
import { testLogger } from '../../test-support/test-logger.js';
import { assertEveryRpcRegistered } from './assert-every-rpc-registered.js';
import { grpcServerContract } from './grpc-server-contract.js';

const DEFINITIONS = [GatewayServiceService, AuthServiceService, ProjectServiceService, SimulationServiceService];
const placeholders = (definitions = DEFINITIONS): GrpcServiceBinding[] =>
  definitions.map((definition) => ({ definition, implementation: unimplementedService(definition) }));

const startMesh = (services: GrpcServiceBinding[]): Promise<RunningGrpcServer> =>
  startGrpcServer({ serviceName: 'contract', host: '127.0.0.1', port: 0, services, logger: testLogger('contract') });

grpcServerContract(
  'the four mesh services as placeholders',
  async () => {
    const server = await startMesh(placeholders());
    return { address: server.address, stop: server.shutdown };
  },
  { protoFiles: meshProtoPaths() },
);

describe('assertEveryRpcRegistered', () => {
  let server: RunningGrpcServer | undefined;
  afterEach(async () => server?.shutdown());

  it("probes all 42 rpcs (the specification's 34, auth's GetSigningKeys and 6 administration rpcs, project's EditProject), each answered by its placeholder", async () => {
    server = await startMesh(placeholders());
    const probes = await assertEveryRpcRegistered(server.address, meshProtoPaths());
    expect(probes).toHaveLength(13 + 7 + 13 + 9);
    for (const probe of probes) expect(probe.details).toContain(`${probe.path} is not available yet`);
  });

  it('fails, naming each rpc, when a service is not registered at all', async () => {
    server = await startMesh(placeholders([GatewayServiceService, AuthServiceService, SimulationServiceService]));
    const check = assertEveryRpcRegistered(server.address, meshProtoPaths());
    await expect(check).rejects.toThrow(/13 of 42 rpcs not served/);
    await expect(check).rejects.toThrow(/\/project\.ProjectService\/ListTemplates: UNIMPLEMENTED The server does not/);
  });

  it('fails when a service is registered without handlers for its methods', async () => {
    const incomplete = { definition: ProjectServiceService, implementation: {} };
    server = await startMesh([...placeholders([GatewayServiceService, AuthServiceService]), incomplete]);
    await expect(assertEveryRpcRegistered(server.address, meshProtoPaths().slice(0, 3))).rejects.toThrow(/13 of 33 rpcs not served/);
  });

  it('fails when nothing answers at the address', async () => {
    server = await startMesh(placeholders());
    const { address } = server;
    await server.shutdown();
    await expect(assertEveryRpcRegistered(address, meshProtoPaths(), { timeoutMs: 1_000 })).rejects.toThrow();
  });
});
