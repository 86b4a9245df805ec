/**
 * Rotates the auth service's token signing key in its database (docs/adr/0022): a new key signs
 * from now on; the old ones keep verifying until the longest access token they signed expired, so
 * nobody is logged out. Running auth instances pick the new key up within a minute.
 *
 *   AUTH_DATABASE_URL=postgres://... node dist/composition/auth/rotate-token-key.js
 *   (or `node --import tsx composition/auth/rotate-token-key.ts`; with PGlite, while auth is stopped)
 */
import { Container } from 'inversify';
import type { StoredSigningKeys } from '../../adapters/crypto/stored-signing-keys.js';
import { createLogger } from '../../adapters/observability/logger.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { ConfigError, loadConfig, type MeshConfig } from '../config.js';
import { Platform } from '../platform-module.js';
import { openServiceStorage } from '../storage.js';
import { AuthTokens, authModule } from './auth-module.js';

// A main of its own: the configuration is read here once, as in composition/main.ts.
const readConfig = (): MeshConfig => {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
};
const config = readConfig();
const logger = createLogger('rotate-token-key', config.logLevel);
if (config.storage.kind === 'memory') {
  console.error('MESH_STORAGE=memory keeps no keys to rotate: keys live as long as the process.');
  process.exit(2);
}
const storage = await openServiceStorage('auth', config, logger);
try {
  const container = new Container();
  container.load(authModule);
  if (storage.module) container.load(storage.module);
  container.bind(Platform.config).toConstantValue(config);
  container.bind(Platform.clock).toConstantValue(new SystemClock());
  const keys = await container.getAsync<StoredSigningKeys>(AuthTokens.keys);
  const before = (await keys.published()).map((key) => key.kid);
  const kid = await keys.rotate();
  console.log(`token signing key rotated: ${kid} signs now; still verifying: ${before.join(', ') || 'none'}`);
} finally {
  await storage.close();
}
