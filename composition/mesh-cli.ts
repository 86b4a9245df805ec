/**
 * `npm run mesh -- <command>`: an operator's look at a running mesh.
 *   status   instances, health, pools and breakers, from the gateway's GET /mesh/status
 *   tail     events on a Redis channel or pattern, until Ctrl-C
 * A main of its own: the configuration is read here once, as in composition/main.ts, for its defaults
 * (the gateway's port, REDIS_URL).
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type MeshConfig } from './config.js';
import { renderTailedEvent, tailEvents } from './operator/event-tail.js';
import { fetchMeshStatus, logIn, OperatorError, renderMeshStatus } from './operator/mesh-status-report.js';

const usage = `Usage: npm run mesh -- <command> [options]
  status                   instances of every service with their health, pools and breakers, as the gateway sees them
    --url <url>            the gateway's HTTP address (default http://MESH_ADVERTISE_HOST:GATEWAY_HTTP_PORT)
    --token <token>        a signed-in user's access token (POST /auth/login), or:
    --email <email>        log in as this user; the password is read from the first line of stdin
    --json                 the GET /mesh/status document as JSON
  tail <channel|pattern>   print every event published on a Redis channel, or a pattern (PSUBSCRIBE) such as
                           'project:events:*', until Ctrl-C; needs Redis (REDIS_URL or REDIS_CLUSTER_NODES)
    --redis <url>          Redis to watch instead of REDIS_URL
    --json                 one JSON object a line: {time, channel, payload}
  --help                   show this text
Exit codes: 0 done, 1 the mesh or Redis cannot be reached or refused, 2 wrong usage or settings.
For a script: npm run --silent mesh -- status --json (without --silent, npm prints its own header first).`;

const fail = (message: string, code: 1 | 2): never => {
  console.error(message);
  process.exit(code);
};

const readConfig = (redisUrl: string | undefined): MeshConfig => {
  try {
    return loadConfig(redisUrl === undefined ? process.env : { ...process.env, REDIS_URL: redisUrl, REDIS_CLUSTER_NODES: undefined });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return fail(error.message, 2);
  }
};

const readLine = async (): Promise<string> => {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split('\n')[0]!.replace(/\r$/, '');
};

const status = async (config: MeshConfig, values: { url?: string; token?: string; email?: string; json?: boolean }): Promise<void> => {
  const url = (values.url ?? `http://${config.advertiseHost}:${config.ports['api-gateway'].httpPort}`).replace(/\/+$/, '');
  if (values.token === undefined && values.email === undefined) {
    fail(
      'mesh status reads GET /mesh/status, which needs a signed-in user: pass --token <access token> or --email <email> (password on stdin)',
      2,
    );
  }
  const token = values.token ?? (await logIn(url, values.email!, await readLine()));
  const report = await fetchMeshStatus({ url, token });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderMeshStatus(report));
};

const tail = async (config: MeshConfig, channel: string | undefined, json: boolean): Promise<void> => {
  if (channel === undefined) return fail(`tail needs a channel or a pattern, e.g. 'project:events:*'\n\n${usage}`, 2);
  if (config.redis === undefined) {
    return fail(
      'mesh tail needs Redis: set REDIS_URL (or REDIS_CLUSTER_NODES) as the mesh has it, or pass --redis <url>. ' +
        "An in-memory mesh's events never leave its process, and the gateway's /events WebSocket carries only a signed-in user's own events.",
      1,
    );
  }
  const watching = await tailEvents(
    config.redis,
    channel,
    (event) =>
      process.stdout.write(`${json ? JSON.stringify({ ...event, time: new Date(event.time).toISOString() }) : renderTailedEvent(event)}\n`),
    { onConnectionLost: (detail) => console.error(`Redis connection lost (${detail}); reconnecting`) },
  );
  console.error(`watching ${channel} (Ctrl-C to stop)`);
  const stop = () => void watching.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

const main = async (): Promise<void> => {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        email: { type: 'string' },
        redis: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      allowPositionals: true,
    });
  } catch (error) {
    return fail(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`, 2);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (command === undefined) return fail(usage, 2);
  const config = readConfig(values.redis);
  try {
    if (command === 'status' && rest.length === 0) return await status(config, values);
    if (command === 'tail' && rest.length <= 1) return await tail(config, rest[0], values.json === true);
    fail(`unknown command '${positionals.join(' ')}'\n\n${usage}`, 2);
  } catch (error) {
    if (error instanceof OperatorError) fail(error.message, 1);
    throw error;
  }
};

await main();
