import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ServiceNames, type MeshConfig } from '../composition/config.js';
import { startMesh, type RunningMesh } from '../composition/launcher.js';
import { testLogger } from './test-logger.js';

const envPrefixes = ['GATEWAY', 'AUTH', 'PROJECT', 'SIMULATION'];

/** DATA_DIR of test meshes that keep nothing else on disk: what they write (emails) lands in the system's temporary directory. */
export const TEST_DATA_DIR = join(tmpdir(), 'meshwork-test-data');

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
    // Emails (no SMTP in tests) are written as .eml files under DATA_DIR/mail: not into the developer's ./data.
    DATA_DIR: TEST_DATA_DIR,
    ...env,
  });

/** Starts every service in this process as `npm start` does, on ephemeral ports. */
export const startTestMesh = (env: Record<string, string> = {}): Promise<RunningMesh> =>
  startMesh({ config: testMeshConfig(env), logger: testLogger('test-mesh'), services: ServiceNames });
