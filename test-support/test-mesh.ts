import { loadConfig, ServiceNames, type MeshConfig } from '../composition/config.js';
import { startMesh, type RunningMesh } from '../composition/launcher.js';
import { testLogger } from './test-logger.js';

const envPrefixes = ['GATEWAY', 'AUTH', 'PROJECT', 'SIMULATION'];

/**
 * The configuration of an in-process test mesh: ephemeral ports, in-memory state, fast password
 * hashing, plaintext gRPC (tests of mTLS pass `MESH_TLS: 'on'`).
 */
export const testMeshConfig = (env: Record<string, string> = {}): MeshConfig =>
  loadConfig({
    ...Object.fromEntries(
      envPrefixes.flatMap((prefix) => [
        [`${prefix}_GRPC_PORT`, '0'],
        [`${prefix}_HTTP_PORT`, '0'],
      ]),
    ),
    AUTH_PASSWORD_HASH_COST: '1024',
    // Tests register many users from loopback and hash cheaply; the bounds are tested in contract-tests/auth.
    AUTH_REGISTRATIONS_PER_ADDRESS: '100000',
    AUTH_PASSWORD_HASH_QUEUE: '10000',
    MESH_STORAGE: 'memory',
    MESH_TLS: 'off',
    ...env,
  });

/** Starts every service in this process as `npm start` does, on ephemeral ports. */
export const startTestMesh = (env: Record<string, string> = {}): Promise<RunningMesh> =>
  startMesh({ config: testMeshConfig(env), logger: testLogger('test-mesh'), services: ServiceNames });
