/**
 * Soak: the whole mesh in a child process, as `npm start` runs it (built, embedded storage by
 * default), churned through the client API for a while; fails when its resident memory at the end
 * is more than 10% above the figure after warm-up.
 *
 *   npm run soak [-- --short | --minutes 30] [--storage memory] [--redis redis://127.0.0.1:6379] [--no-build]
 *
 * Each client loop, like a user: logs in (h2c), creates and updates a project, starts two real-time
 * simulations, watches each on /simulation/stream and opens /events (WebSockets), stops them, drops
 * the sockets and logs out. RSS comes from /proc, heap used from the gateway's /metrics; both are
 * sampled every 5 s, and the figures compared are medians of the last 30 s of warm-up and of the run.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Agent } from 'undici';
import WebSocket from 'ws';
import { jsonRequest } from '../contract-tests/support/http2-client.js';
import { findFreePorts } from '../test-support/free-ports.js';
import { recordSoak } from './support/soak-results.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    minutes: { type: 'string' },
    storage: { type: 'string', default: 'sql' },
    redis: { type: 'string' },
    clients: { type: 'string', default: '4' },
    'no-build': { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes ?? (values.short ? 2.5 : 30));
const warmUpMs = Math.min(180_000, Math.max(45_000, minutes * 60_000 * 0.2));
const runMs = minutes * 60_000;
const clients = Number(values.clients);
const LIMIT = 1.1;
const WINDOW_MS = 30_000;
const SAMPLE_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const run = (command: string, args: string[]) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')}: exit ${code}`))));
  });

if (!values['no-build']) await run('npm', ['run', 'build', '--silent']);

const [gatewayHttp, ...others] = await findFreePorts(8);
const dataDir = await mkdtemp(join(tmpdir(), 'meshwork-soak-'));
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  LOG_LEVEL: 'info', // 'mesh ready' is an info line; the soak keeps only the last 20 kB of output
  DATA_DIR: dataDir,
  MESH_STORAGE: values.storage,
  GATEWAY_HTTP_PORT: String(gatewayHttp),
  GATEWAY_GRPC_PORT: String(others[0]),
  AUTH_GRPC_PORT: String(others[1]),
  AUTH_HTTP_PORT: String(others[2]),
  PROJECT_GRPC_PORT: String(others[3]),
  PROJECT_HTTP_PORT: String(others[4]),
  SIMULATION_GRPC_PORT: String(others[5]),
  SIMULATION_HTTP_PORT: String(others[6]),
  // One address and a few users make all the traffic: lift the per-address and per-user limits.
  GATEWAY_RATE_PER_USER: '100000',
  GATEWAY_RATE_BURST_PER_USER: '100000',
  GATEWAY_RATE_PER_ADDRESS: '100000',
  GATEWAY_RATE_BURST_PER_ADDRESS: '100000',
  ...(values.redis ? { REDIS_URL: values.redis } : {}),
};
const mesh = spawn(process.execPath, ['dist/composition/main.js'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
let meshOutput = '';
const keep = (chunk: Buffer) => {
  meshOutput = (meshOutput + chunk.toString()).slice(-20_000);
};
mesh.stdout.on('data', keep);
mesh.stderr.on('data', keep);

const gateway = `http://127.0.0.1:${gatewayHttp}`;
const wsBase = `ws://127.0.0.1:${gatewayHttp}`;
const http2 = new Agent({ allowH2: true, connect: { useH2c: true } as Agent.Options['connect'] });

const rssOf = async (pid: number): Promise<number> => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
};
const heapUsed = async (): Promise<number> => {
  const response = await fetch(`${gateway}/metrics`).catch(() => undefined);
  const text = response?.ok ? await response.text() : '';
  const used = [...text.matchAll(/^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/gm)].map((m) => Number(m[1]));
  return used.length > 0 ? Math.max(...used) : Number.NaN;
};

const waitReady = async () => {
  const until = Date.now() + 300_000; // PGlite opens three databases: slow on a loaded machine
  while (Date.now() < until) {
    if (mesh.exitCode !== null) throw new Error(`the mesh exited:\n${meshOutput}`);
    if (meshOutput.includes('"msg":"mesh ready"')) {
      const health = await call('GET', '/health');
      if (health.status === 200) return;
    }
    await sleep(500);
  }
  throw new Error(`the mesh was not ready in 300 s:\n${meshOutput}`);
};

const counts = { loops: 0, simulations: 0, sockets: 0, logins: 0, writes: 0, failures: 0 };
const failures = new Map<string, number>();
const fail = (what: string) => {
  counts.failures += 1;
  failures.set(what, (failures.get(what) ?? 0) + 1);
};

const call = async (method: 'GET' | 'POST' | 'PATCH', path: string, token?: string, body?: unknown) =>
  jsonRequest(http2, method, `${gateway}${path}`, { ...(token ? { token } : {}), ...(body === undefined ? {} : { body }) }).catch(
    (error: unknown) => ({ status: 0, headers: {}, body: { error: String(error) } }) as const,
  );

const openSocket = (path: string, token: string) =>
  new Promise<WebSocket | undefined>((resolve) => {
    const socket = new WebSocket(`${wsBase}${path}`, ['bearer', token]);
    const timer = setTimeout(() => {
      socket.terminate();
      resolve(undefined);
    }, 10_000);
    socket.once('open', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });

const closeSocket = (socket: WebSocket) =>
  new Promise<void>((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) return resolve();
    const timer = setTimeout(() => {
      socket.terminate();
      resolve();
    }, 5_000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.close();
  });

/** One user's loop until `until`. */
const clientLoop = async (index: number, until: () => boolean) => {
  const account = { email: `soak-${index}-${Date.now()}@example.com`, password: 'correct horse battery staple', name: `Soak ${index}` };
  const registered = await call('POST', '/auth/register', undefined, account);
  if (registered.status !== 201) throw new Error(`register: HTTP ${registered.status} ${JSON.stringify(registered.body)}`);
  while (!until()) {
    counts.loops += 1;
    const login = await call('POST', '/auth/login', undefined, { email: account.email, password: account.password });
    if (login.status !== 200) {
      fail(`login ${login.status}`);
      await sleep(1_000);
      continue;
    }
    counts.logins += 1;
    const token = (login.body as { access_token: string }).access_token;
    const project = await call('POST', '/projects', token, { name: `soak ${counts.loops}`, template_id: 'microservices' });
    const projectId = (project.body as { project_id?: string }).project_id;
    if (project.status !== 201 || !projectId) fail(`create project ${project.status}`);
    else {
      counts.writes += 1;
      const patched = await call('PATCH', `/projects/${projectId}`, token, { description: `loop ${counts.loops}` });
      if (patched.status === 200) counts.writes += 1;
      else fail(`update project ${patched.status}`);
      const ids: string[] = [];
      for (let i = 0; i < 2; i += 1) {
        const started = await call('POST', '/simulations', token, { project_id: projectId, duration_seconds: 600 });
        const id = (started.body as { simulation_id?: string }).simulation_id;
        if (started.status === 201 && id) ids.push(id);
        else fail(`start simulation ${started.status}`);
      }
      counts.simulations += ids.length;
      const sockets = await Promise.all([
        ...ids.map((id) => openSocket(`/simulation/stream?simulation_id=${id}`, token)),
        openSocket('/events', token),
      ]);
      for (const socket of sockets) {
        if (socket) counts.sockets += 1;
        else fail('socket');
      }
      await sleep(1_000 + Math.random() * 1_000);
      for (const id of ids) {
        const stopped = await call('POST', `/simulations/${id}/stop`, token, {});
        if (stopped.status !== 200) fail(`stop simulation ${stopped.status}`);
      }
      await Promise.all(sockets.flatMap((socket) => (socket ? [closeSocket(socket)] : [])));
    }
    const out = await call('POST', '/auth/logout', token);
    if (out.status >= 300) fail(`logout ${out.status}`);
  }
};

interface Sample {
  readonly at: number;
  readonly rss: number;
  readonly heap: number;
}
const samples: Sample[] = [];
let startedAt = Date.now();
let exitCode = 1;
try {
  await waitReady();
  startedAt = Date.now(); // warm-up and run count from the mesh being ready
  let stopping = false;
  const loops = Array.from({ length: clients }, (_, index) => clientLoop(index, () => stopping));
  const sampler = (async () => {
    while (!stopping) {
      samples.push({ at: Date.now() - startedAt, rss: await rssOf(mesh.pid!), heap: await heapUsed() });
      const last = samples.at(-1)!;
      console.log(`${Math.round(last.at / 1000)} s: rss ${mib(last.rss)}, heap ${mib(last.heap)}, ${JSON.stringify(counts)}`);
      await sleep(SAMPLE_MS);
    }
  })();
  await sleep(runMs);
  stopping = true;
  await Promise.all([...loops, sampler]);
  const window = (end: number) => samples.filter((sample) => sample.at > end - WINDOW_MS && sample.at <= end);
  const warm = window(warmUpMs);
  const end = window(runMs);
  const [warmRss, endRss] = [median(warm.map((s) => s.rss)), median(end.map((s) => s.rss))];
  const [warmHeap, endHeap] = [median(warm.map((s) => s.heap)), median(end.map((s) => s.heap))];
  await sleep(10_000);
  const idleRss = await rssOf(mesh.pid!);
  const ratio = endRss / warmRss;
  console.log(
    [
      `soak: ${minutes} min (warm-up ${warmUpMs / 1000} s), storage ${values.storage}, ${values.redis ? 'Redis' : 'in-process messaging'}, ${clients} clients`,
      `machine: ${cpus()[0]?.model ?? '?'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load ${loadavg()[0]!.toFixed(1)}`,
      `work: ${JSON.stringify(counts)}${failures.size > 0 ? ` failures ${JSON.stringify(Object.fromEntries(failures))}` : ''}`,
      `rss after warm-up ${mib(warmRss)}, at the end ${mib(endRss)} (${((ratio - 1) * 100).toFixed(1)}%), idle 10 s later ${mib(idleRss)}`,
      `heap used after warm-up ${mib(warmHeap)}, at the end ${mib(endHeap)}`,
    ].join('\n'),
  );
  const messaging = values.redis ? 'Redis' : 'in-process messaging';
  const machine = `${cpus()[0]?.model.split(' ').slice(0, 2).join(' ') ?? '?'}, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(0)}`;
  const met = ratio <= LIMIT ? 'yes' : '**no**';
  const work = `${counts.simulations} simulations, ${counts.sockets} sockets, ${counts.logins} logins, ${counts.writes} writes, ${counts.failures} failures`;
  const cells = [`${minutes} min, ${values.storage}, ${messaging}`, new Date().toISOString().slice(0, 16).replace('T', ' '), machine, work];
  const figures = [mib(warmRss), mib(endRss), `${((ratio - 1) * 100).toFixed(1)}%`, mib(idleRss), mib(warmHeap), mib(endHeap), met];
  await recordSoak(join(repoRoot, 'bench', 'RESULTS.md'), cells[0]!, `| ${[...cells, ...figures].join(' | ')} |`);
  if (!(ratio <= LIMIT)) console.log(`FAILED: the end RSS is more than ${Math.round((LIMIT - 1) * 100)}% above the figure after warm-up`);
  else if (counts.simulations === 0) console.log('FAILED: no simulation was started');
  else exitCode = 0;
} catch (error) {
  console.error(error);
} finally {
  mesh.kill('SIGTERM');
  await new Promise((resolve) => (mesh.exitCode === null ? mesh.once('exit', resolve) : resolve(undefined)));
  await http2.close();
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
