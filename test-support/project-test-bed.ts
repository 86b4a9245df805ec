import { deadAddress, startRealAuth, type RealAuth } from '../contract-tests/project-grpc/real-auth-server.js';
import type { ServiceName, ServiceTargets } from '../composition/config.js';
import { createInMemoryMessaging, type Messaging } from '../composition/messaging.js';
import type { RunningService } from '../composition/service-server.js';
import { standaloneContext } from './standalone-context.js';
import { testMeshConfig } from './test-mesh.js';
import { projectRoot, type ProjectRootOptions } from '../composition/project/project-root.js';
import { testLogger } from './test-logger.js';

/** The project service started by its composition root, with a real auth service, on ephemeral ports. */
export interface ProjectTestBed {
  readonly auth: RealAuth;
  readonly messaging: Messaging;
  readonly project: RunningService;
  /** `http://127.0.0.1:<port>` of the project's client API. */
  readonly url: string;
  /** `127.0.0.1:<port>` of the project's gRPC server. */
  readonly grpcAddress: string;
  stop(): Promise<void>;
}

export interface ProjectTestBedOptions {
  /** A real auth service started by the caller (who stops it); default one started (and stopped) here. */
  readonly auth?: RealAuth;
  /** Where the project service finds auth instead, e.g. an address where nothing listens. */
  readonly authAddress?: string;
  /** Where it finds the simulation service; default an address where nothing listens. */
  readonly simulationAddress?: string;
  readonly root?: ProjectRootOptions;
}

export const startProjectTestBed = async (options: ProjectTestBedOptions = {}): Promise<ProjectTestBed> => {
  const config = testMeshConfig();
  const logger = testLogger('project-test-bed');
  const auth = options.auth ?? (await startRealAuth());
  const releaseAuth = async () => {
    if (!options.auth) await auth.stop();
  };
  const messaging = createInMemoryMessaging(logger);
  const grpcTargets: Partial<Record<ServiceName, string>> = {
    auth: options.authAddress ?? auth.address,
    simulation: options.simulationAddress ?? (await deadAddress()),
  };
  const targetOf = (service: ServiceName): ServiceTargets => ({
    ...config.targets[service],
    ...(grpcTargets[service] ? { grpc: grpcTargets[service] } : {}),
  });
  try {
    const project = await projectRoot(options.root)(standaloneContext({ config, logger, messaging, targetOf }));
    return {
      auth,
      messaging,
      project,
      url: `http://127.0.0.1:${project.http.port}`,
      grpcAddress: `127.0.0.1:${project.grpc.port}`,
      stop: async () => {
        await project.stop();
        await messaging.close();
        await releaseAuth();
      },
    };
  } catch (error) {
    await messaging.close();
    await releaseAuth();
    throw error;
  }
};
