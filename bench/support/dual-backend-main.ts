/**
 * ValidateToken served twice by one process, as a service serves both its layers: over gRPC (our
 * grpc server, protobuf) and over HTTP/JSON (our fastify app, h2c and HTTP/1.1 on one port), both
 * answering the same fixed response at once:
 *   node --import tsx bench/support/dual-backend-main.ts <grpcPort> <httpPort>
 * Prints `ready <grpcPort> <httpPort>` once both listen.
 */
import { createLogger } from '../../adapters/observability/logger.js';
import { createHttpApp } from '../../adapters/http/fastify-app.js';
import { listenHttp } from '../../adapters/http/listen.js';
import { startAuthBackend } from '../../contract-tests/mesh/auth-backend.js';

const [grpcPort, httpPort] = process.argv.slice(2).map(Number);
const backend = await startAuthBackend({}, grpcPort);
const app = createHttpApp({ logger: createLogger('bench-http', 'silent') });
const schema = {
  body: {
    type: 'object',
    required: ['token'],
    additionalProperties: false,
    properties: { token: { type: 'string', maxLength: 4096 }, calling_service: { type: 'string', maxLength: 64 } },
  },
};
app.post('/auth/validate-token', { schema }, async () => ({
  valid: true,
  user_id: 'user-1',
  email: 'a@example.com',
  is_admin: false,
  session_id: 'session-1',
  permissions: [],
  expires_at: 0,
}));
const bound = await listenHttp(app, { host: '127.0.0.1', port: httpPort! });
console.log(`ready ${backend.server.port} ${bound.port}`);
process.once('SIGTERM', () => {
  backend.server.server.forceShutdown();
  void app.close().then(() => process.exit(0));
});
