import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Agent } from 'undici';
import { jsonRequest } from '../../contract-tests/support/http2-client.js';
import { median, row, type BenchRow } from './bench-types.js';
import { summarise } from './latency.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The shape benchmarks run the mesh as `npm start` does, from the build in dist/ (tsx's transform
 * and source maps held about 100-150 MiB more per process): brought up to date first (tsc is incremental).
 */
export const buildMesh = async (): Promise<void> => {
  await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: repoRoot });
};

/** What the load generator (bench/support/http-load-main.ts) sends. */
export interface LoadRequest {
  readonly origin: string;
  /** When given, the calls go to these in turn instead of to `origin` (a client spread over several gateways). */
  readonly origins?: readonly string[];
  readonly method: 'GET' | 'POST';
  readonly paths: readonly string[];
  readonly body?: unknown;
  /** When given, used in turn instead of `body` (e.g. several accounts logging in). */
  readonly bodies?: readonly unknown[];
  readonly token?: string;
  readonly status: number;
}

interface LoadAnswer {
  readonly latencies: number[];
  readonly failed: number;
  readonly failures: Record<string, number>;
  readonly elapsedMs: number;
}

/** The load generator in a child process, one command at a time. */
export const startLoadGenerator = () => {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', 'bench/support/http-load-main.ts'], {
    cwd: repoRoot,
  });
  let buffer = '';
  let waiting: ((line: string) => void) | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const end = buffer.indexOf('\n');
    if (end >= 0 && waiting) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      const resolve = waiting;
      waiting = undefined;
      resolve(line);
    }
  });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const send = (command: object): Promise<LoadAnswer> =>
    new Promise((resolve, reject) => {
      const onExit = () => reject(new Error(`load generator exited: ${errors}`));
      child.once('exit', onExit);
      waiting = (line) => {
        child.off('exit', onExit);
        resolve(JSON.parse(line) as LoadAnswer);
      };
      child.stdin.write(`${JSON.stringify(command)}\n`);
    });
  return {
    pid: child.pid!,
    closed: (request: LoadRequest, concurrency: number, durationMs: number) => send({ mode: 'closed', request, concurrency, durationMs }),
    open: (request: LoadRequest, perSecond: number, durationMs: number) => send({ mode: 'open', request, perSecond, durationMs }),
    stop: () => child.kill('SIGKILL'),
  };
};
export type LoadGenerator = ReturnType<typeof startLoadGenerator>;

/** CPU time (user + system) a process used so far, ms (from /proc/<pid>/stat, in clock ticks of 10 ms). */
export const cpuMsOf = async (pid: number): Promise<number> => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

/** Resident set size of a process, MiB. */
export const rssMibOf = async (pid: number): Promise<number> => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
};

/** One system under test: where its client API is and which processes serve it. */
export interface Target {
  readonly name: string;
  readonly origin: string;
  readonly processes: readonly { readonly label: string; readonly pid: number }[];
  /** The operations' requests against this target (seeded ids and a token). */
  readonly requests: ReadonlyMap<string, LoadRequest>;
  /** Each hop's p99 (ms) over the last moments, read right after an open-loop phase (`hopP99s`). */
  readonly readHops?: () => Promise<ReadonlyMap<string, number>>;
}

export const Operations = [
  'POST /projects',
  'GET /projects/:id',
  'GET /projects',
  'POST /auth/login',
  'POST /simulations',
  'GET /simulations/:id',
] as const;
export type Operation = (typeof Operations)[number];

export interface ShapeFigures {
  p50: number[];
  p99: number[];
  c16: number[];
  c64: number[];
  openP99: number[];
  /** The rate offered in each round (req/s). */
  offered: number[];
  openFailed: number[];
  failed: number[];
  /** CPU ms per request per process label, at 16 callers. */
  cpu: Map<string, number[]>;
  /** p99 ms of each hop (`caller -> service`) at the end of the open-loop phase, per round. */
  hops: Map<string, number[]>;
}

const emptyFigures = (): ShapeFigures => ({
  p50: [],
  p99: [],
  c16: [],
  c64: [],
  openP99: [],
  offered: [],
  openFailed: [],
  failed: [],
  cpu: new Map(),
  hops: new Map(),
});

export interface ShapeTiming {
  readonly sequentialMs: number;
  readonly closedMs: number;
  readonly openMs: number;
  readonly perSecond: number;
}

/** Runs every operation on every target, alternating targets within a round. */
export const measureShapes = async (
  load: LoadGenerator,
  targets: readonly Target[],
  operations: readonly Operation[],
  rounds: number,
  timing: ShapeTiming,
): Promise<Map<string, Map<Operation, ShapeFigures>>> => {
  const results = new Map(targets.map((target) => [target.name, new Map(operations.map((op) => [op, emptyFigures()]))]));
  for (const operation of operations) {
    for (const target of targets) await load.closed(target.requests.get(operation)!, 4, 300); // warm-up
    for (let round = 0; round < rounds; round += 1) {
      for (const target of targets) {
        const request = target.requests.get(operation)!;
        console.log(`   ${operation} on ${target.name}, round ${round + 1}`);
        const figures = results.get(target.name)!.get(operation)!;
        const one = await load.closed(request, 1, timing.sequentialMs);
        const single = summarise(one.latencies);
        figures.p50.push(single.p50);
        figures.p99.push(single.p99);
        const before = await Promise.all(target.processes.map((process) => cpuMsOf(process.pid)));
        const c16 = await load.closed(request, 16, timing.closedMs);
        const after = await Promise.all(target.processes.map((process) => cpuMsOf(process.pid)));
        figures.c16.push((c16.latencies.length * 1000) / c16.elapsedMs);
        target.processes.forEach((process, index) => {
          const perRequest = (after[index]! - before[index]!) / Math.max(1, c16.latencies.length);
          figures.cpu.set(process.label, [...(figures.cpu.get(process.label) ?? []), perRequest]);
        });
        const c64 = await load.closed(request, 64, timing.closedMs);
        figures.c64.push((c64.latencies.length * 1000) / c64.elapsedMs);
        figures.failed.push(one.failed + c16.failed + c64.failed);
        const failures = [one, c16, c64].filter((answer) => answer.failed > 0).map((answer) => JSON.stringify(answer.failures));
        if (failures.length > 0) console.log(`   ${operation} on ${target.name}: failed calls ${failures.join(' ')}`);
      }
      // Offered: the fixed rate, or 80% of the slowest target's capacity in this round when that is less (the same for all):
      // past its capacity an open loop measures only the queue.
      const capacity = Math.min(...targets.map((target) => results.get(target.name)!.get(operation)!.c16.at(-1)!));
      const perSecond = Math.max(10, Math.min(timing.perSecond, Math.floor(capacity * 0.8)));
      for (const target of targets) {
        const figures = results.get(target.name)!.get(operation)!;
        const open = await load.open(target.requests.get(operation)!, perSecond, timing.openMs);
        for (const [hop, p99] of (await target.readHops?.()) ?? []) figures.hops.set(hop, [...(figures.hops.get(hop) ?? []), p99]);
        figures.offered.push(perSecond);
        figures.openP99.push(summarise(open.latencies).p99);
        figures.openFailed.push(open.failed);
        if (open.failed > 0)
          console.log(`   ${operation} on ${target.name} at ${perSecond} req/s: failed calls ${JSON.stringify(open.failures)}`);
      }
    }
  }
  return results;
};

/** Rows of one operation: the system against its floor. */
export const shapeRows = (
  operation: Operation,
  ours: ShapeFigures,
  floor: ShapeFigures,
  floorName: string,
  targets: {
    readonly throughputRatio?: { readonly at: number; readonly operations: readonly Operation[] };
    readonly p50Ratio?: number;
    readonly p50Ms?: number;
    readonly openP99Ms?: number;
    readonly perSecond: number;
    /** The specification's per-call limit (ms) of a hop, by its name (`api-gateway -> auth`), if any. */
    readonly hopP99Ms?: (hop: string) => number | undefined;
  },
): BenchRow[] => {
  const baseline = (rounds: readonly number[]) => ({ name: floorName, rounds });
  const throughputTarget =
    targets.throughputRatio && targets.throughputRatio.operations.includes(operation)
      ? {
          target: `>= ${targets.throughputRatio.at}x floor`,
          meets: (_: number, ratio: number | undefined) => (ratio ?? 0) >= targets.throughputRatio!.at,
        }
      : {};
  const rows: BenchRow[] = [
    row({
      metric: `${operation}, 1 caller (p50)`,
      unit: 'ms',
      rounds: ours.p50,
      baseline: baseline(floor.p50),
      better: 'lower',
      ...(targets.p50Ratio !== undefined && {
        target: `<= ${targets.p50Ratio}x floor`,
        meets: (_: number, ratio: number | undefined) => (ratio ?? Infinity) <= targets.p50Ratio!,
      }),
      ...(targets.p50Ms !== undefined && { target: `< ${targets.p50Ms} ms`, meets: (value: number) => value < targets.p50Ms! }),
    }),
    row({ metric: `${operation}, 1 caller (p99)`, unit: 'ms', rounds: ours.p99, baseline: baseline(floor.p99), better: 'lower' }),
    row({
      metric: `${operation}, 16 callers`,
      unit: 'req/s',
      rounds: ours.c16,
      baseline: baseline(floor.c16),
      better: 'higher',
      ...throughputTarget,
    }),
    row({
      metric: `${operation}, 64 callers`,
      unit: 'req/s',
      rounds: ours.c64,
      baseline: baseline(floor.c64),
      better: 'higher',
      ...throughputTarget,
    }),
    row({
      metric: `${operation}, open loop at ${median(ours.offered).toLocaleString('en-US')} req/s offered (p99; target rate ${targets.perSecond.toLocaleString('en-US')})`,
      unit: 'ms',
      rounds: ours.openP99,
      baseline: baseline(floor.openP99),
      better: 'lower',
      // Met only at the target rate itself: a lower rate was offered because the floor or the mesh could not carry it.
      ...(targets.openP99Ms !== undefined && {
        target: `< ${targets.openP99Ms} ms at ${targets.perSecond.toLocaleString('en-US')} req/s`,
        meets: (value: number) => value < targets.openP99Ms! && median(ours.offered) >= targets.perSecond,
      }),
    }),
  ];
  for (const [label, values] of ours.cpu) {
    rows.push(row({ metric: `${operation}, CPU per request at 16 callers: ${label}`, unit: 'ms', rounds: values, better: 'lower' }));
  }
  for (const [hop, values] of ours.hops) {
    const limit = targets.hopP99Ms?.(hop);
    rows.push(
      row({
        metric: `${operation}, hop ${hop} at ${median(ours.offered).toLocaleString('en-US')} req/s offered (p99 over its caller's last second)`,
        unit: 'ms',
        rounds: values,
        better: 'lower',
        // As the open loop's: met only at the target rate itself.
        ...(limit !== undefined && {
          target: `< ${limit} ms at ${targets.perSecond.toLocaleString('en-US')} req/s (spec)`,
          meets: (value: number) => value < limit && median(ours.offered) >= targets.perSecond,
        }),
      }),
    );
  }
  for (const [label, values] of floor.cpu) {
    rows.push(row({ metric: `${operation}, CPU per request at 16 callers: floor ${label}`, unit: 'ms', rounds: values, better: 'lower' }));
  }
  const failed = median(ours.failed) + median(ours.openFailed);
  if (failed > 0)
    rows.push(
      row({ metric: `${operation}, answers not as expected (median per round)`, unit: 'requests', rounds: [failed], better: 'lower' }),
    );
  return rows;
};

/**
 * Each hop's p99 (ms) as its caller's connection pool saw it over its last metrics window (1 s by
 * default): `meshwork_mesh_pool_latency_ms{quantile="0.99"}` of every process, as `caller -> service`,
 * the largest over the service's instances; a pool with no call in the window (0) is left out.
 */
export const hopP99s = async (
  processes: readonly { readonly label: string; readonly httpOrigin: string }[],
): Promise<Map<string, number>> => {
  const http2 = new Agent({ allowH2: true, connect: { useH2c: true } as Agent.Options['connect'] });
  const hops = new Map<string, number>();
  try {
    await Promise.all(
      processes.map(async ({ label, httpOrigin }) => {
        const answer = await http2.request({ origin: httpOrigin, path: '/metrics', method: 'GET' });
        const text = await answer.body.text();
        for (const [, labels = '', value] of text.matchAll(/^meshwork_mesh_pool_latency_ms\{([^}]*)\} (\S+)$/gm)) {
          const service = /service="([^"]*)"/.exec(labels)?.[1];
          const p99 = Number(value);
          if (!labels.includes('quantile="0.99"') || service === undefined || !(p99 > 0)) continue;
          const hop = `${label} -> ${service}`;
          hops.set(hop, Math.max(hops.get(hop) ?? 0, p99));
        }
      }),
    );
  } finally {
    await http2.close();
  }
  return hops;
};

/** The specification's per-call limits (ms) by the service called: auth < 5, project < 10, simulation < 15. */
export const SPEC_HOP_P99_MS: Readonly<Record<string, number>> = { auth: 5, project: 10, simulation: 15 };

/** Registers and logs in a user through a client API; returns the token and the seeded ids and requests. */
export const seedMesh = async (origin: string, label: string): Promise<Map<Operation, LoadRequest>> => {
  const http2 = new Agent({ allowH2: true, connect: { useH2c: true } as Agent.Options['connect'] });
  try {
    const account = { email: `${label}-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Bench' };
    const registered = await jsonRequest(http2, 'POST', `${origin}/auth/register`, { body: account });
    if (registered.status !== 201) throw new Error(`register: HTTP ${registered.status} ${JSON.stringify(registered.body)}`);
    const credentials = { email: account.email, password: account.password };
    const login = await jsonRequest(http2, 'POST', `${origin}/auth/login`, { body: credentials });
    if (login.status !== 200) throw new Error(`login: HTTP ${login.status} ${JSON.stringify(login.body)}`);
    return await seedRequests(http2, origin, login.body.access_token as string, credentials);
  } finally {
    await http2.close();
  }
};

/** The floor's requests: it checks no token and has one user. */
export const seedFloor = async (origin: string): Promise<Map<Operation, LoadRequest>> => {
  const http2 = new Agent({ allowH2: true, connect: { useH2c: true } as Agent.Options['connect'] });
  try {
    return await seedRequests(http2, origin, 'floor', { email: 'bench@example.com', password: 'correct horse battery' });
  } finally {
    await http2.close();
  }
};

const seedRequests = async (
  http2: Agent,
  origin: string,
  token: string,
  credentials: { email: string; password: string },
): Promise<Map<Operation, LoadRequest>> => {
  const projectBody = { name: 'Shop {n}', template_id: 'microservices' };
  const projectIds: string[] = [];
  let created = 0;
  for (let i = 0; i < 20; i += 1) {
    const answer = await jsonRequest(http2, 'POST', `${origin}/projects`, { token, body: { ...projectBody, name: `Seed ${i}` } });
    if (answer.status !== 201) throw new Error(`POST /projects: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    created = answer.status;
    projectIds.push(answer.body.project_id as string);
  }
  const simulationBody = { project_id: projectIds[0], duration_seconds: 1 };
  const simulation = await jsonRequest(http2, 'POST', `${origin}/simulations`, { token, body: simulationBody });
  if (simulation.status >= 300) throw new Error(`POST /simulations: HTTP ${simulation.status} ${JSON.stringify(simulation.body)}`);
  const simulationId = simulation.body.simulation_id as string;
  const read = await jsonRequest(http2, 'GET', `${origin}/simulations/${simulationId}`, { token });
  if (read.status !== 200) throw new Error(`GET /simulations/:id: HTTP ${read.status} ${JSON.stringify(read.body)}`);
  const base = { origin, token };
  return new Map<Operation, LoadRequest>([
    ['POST /projects', { ...base, method: 'POST', paths: ['/projects'], body: projectBody, status: created }],
    ['GET /projects/:id', { ...base, method: 'GET', paths: projectIds.map((id) => `/projects/${id}`), status: 200 }],
    ['GET /projects', { ...base, method: 'GET', paths: ['/projects'], status: 200 }],
    ['POST /auth/login', { origin, method: 'POST', paths: ['/auth/login'], body: credentials, status: 200 }],
    ['POST /simulations', { ...base, method: 'POST', paths: ['/simulations'], body: simulationBody, status: simulation.status }],
    ['GET /simulations/:id', { ...base, method: 'GET', paths: [`/simulations/${simulationId}`], status: 200 }],
  ]);
};

/** The floor (bench/support/sql-floor-main.ts) in a child process on a free port. */
export const startFloor = async (kind: 'postgres' | 'pglite', where: string, port: number) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/sql-floor-main.ts', String(port), kind, where], {
    cwd: repoRoot,
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`floor not ready:\n${output}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`ready ${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`floor exited with ${code}:\n${output}`)));
  });
  return {
    pid: child.pid!,
    origin: `http://127.0.0.1:${port}`,
    stop: () => {
      child.kill('SIGKILL');
    },
  };
};

/** Environment of a mesh process for the shape benchmarks: client limits out of the way, services on the given ports. */
export const benchMeshEnv = (ports: Readonly<Record<'auth' | 'project' | 'simulation' | 'gateway', readonly [number, number]>>) => {
  const env: Record<string, string> = {
    GATEWAY_RATE_PER_ADDRESS: '1000000',
    GATEWAY_RATE_BURST_PER_ADDRESS: '1000000',
    GATEWAY_RATE_PER_USER: '1000000',
    GATEWAY_RATE_BURST_PER_USER: '1000000',
    SIMULATION_MAX_RUNNING_PER_USER: '10000',
    SIMULATION_MAX_RUNNING_PER_PROJECT: '10000',
  };
  for (const [service, [grpc, http]] of Object.entries(ports)) {
    const prefix = service.toUpperCase();
    env[`${prefix}_GRPC_PORT`] = String(grpc);
    env[`${prefix}_HTTP_PORT`] = String(http);
  }
  return env;
};
