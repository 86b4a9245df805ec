/**
 * A bare auth gRPC server in a process of its own (ValidateToken answers at once), for benchmarks
 * that must not share the client's event loop or that kill it:
 *   node --import tsx bench/support/auth-backend-main.ts <port>
 * Prints `ready <port>` once it listens.
 */
import { startAuthBackend } from '../../contract-tests/mesh/auth-backend.js';

const port = Number(process.argv[2] ?? 0);
const backend = await startAuthBackend({}, port);
console.log(`ready ${backend.server.port}`);
process.once('SIGTERM', () => {
  backend.server.server.forceShutdown();
  process.exit(0);
});
