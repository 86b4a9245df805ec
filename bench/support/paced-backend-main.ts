/**
 * An auth gRPC server in a process of its own whose ValidateToken takes as many milliseconds as
 * the request's token says (`"80"`: 80 ms), so a benchmark sets the service time per call:
 *   node --import tsx bench/support/paced-backend-main.ts <port>
 * Prints `ready <port>` once it listens.
 */
import { startAuthServer } from '../../contract-tests/grpc/auth-test-server.js';
import { unaryHandler } from '../../adapters/grpc/unary-handler.js';

const port = Number(process.argv[2] ?? 0);
const server = await startAuthServer(
  {
    validateToken: unaryHandler(async (request) => {
      const delayMs = Number(request.token);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return {
        valid: true,
        userId: 'user-1',
        email: 'a@example.com',
        isAdmin: false,
        sessionId: 's',
        permissions: [],
        expiresAt: 0,
        reason: '',
      };
    }),
  },
  { port, shutdownGraceMs: 100 },
);
console.log(`ready ${server.port}`);
process.once('SIGTERM', () => {
  server.server.forceShutdown();
  process.exit(0);
});
