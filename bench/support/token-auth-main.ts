/**
 * A real auth service (in-memory repositories, stored signing keys) serving gRPC in a process of
 * its own, with `users` users logged in, for the token-validation benchmark:
 *   node --import tsx bench/support/token-auth-main.ts <port> <users>
 * Prints `tokens <json array>` and then `ready <port>` once it listens.
 */
import { InMemoryEventBus } from '../../adapters/memory/in-memory-event-bus.js';
import { startAuthOnGrpc } from '../../contract-tests/auth/token-validation-bed.js';

const port = Number(process.argv[2] ?? 0);
const users = Number(process.argv[3] ?? 100);
const auth = await startAuthOnGrpc(new InMemoryEventBus(), { port });
const tokens: string[] = [];
for (let i = 0; i < users; i += 1) tokens.push((await auth.loggedIn(`bench-${i}@example.test`)).token);
console.log(`tokens ${JSON.stringify(tokens)}`);
console.log(`ready ${auth.server.port}`);
process.once('SIGTERM', () => {
  auth.server.server.forceShutdown();
  process.exit(0);
});
