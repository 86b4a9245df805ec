import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScryptPasswordHasher } from '../../adapters/crypto/scrypt-password-hasher.js';
import { redisConfigToEnv } from '../../adapters/redis/redis-config.js';
import { findFreePorts } from '../../test-support/free-ports.js';
import { h2cAgent, jsonRequest } from '../../contract-tests/support/http2-client.js';
import { callsPerInstance, readMeshReport } from '../../test-support/mesh-admin.js';
import { startMeshProcess, type MeshProcess } from '../../test-support/mesh-process.js';
import { createThrowawayDatabase } from '../../test-support/postgres-fixture.js';
import { startRedisNode } from '../../test-support/redis-fixture.js';
import { median, row, sleep, type BenchRow, type BenchScenario } from '../support/bench-types.js';
import {
  benchMeshEnv,
  buildMesh,
  cpuMsOf,
  seedMesh,
  startLoadGenerator,
  type LoadGenerator,
  type LoadRequest,
  type Operation,
} from '../support/shape-bench.js';

const Services = ['api-gateway', 'auth', 'project', 'simulation'] as const;
type Service = (typeof Services)[number];

/** How many processes of each service a mesh runs. */
interface Layout {
  readonly name: string;
  readonly counts: Readonly<Record<Service, number>>;
}
const OneOfEach: Layout = { name: 'one of each', counts: { 'api-gateway': 1, auth: 1, project: 1, simulation: 1 } };
/** The specification's topology (docs/specification.md). */
const Topology: Layout = {
  name: '3 gateways + 2 auth + 1 project + 1 simulation',
  counts: { 'api-gateway': 3, auth: 2, project: 1, simulation: 1 },
};

const MeasuredOperations = ['POST /projects', 'GET /projects/:id', 'POST /auth/login'] as const satisfies readonly Operation[];
type MeasuredOperation = (typeof MeasuredOperations)[number];
const Callers = [16, 64] as const;
const PHASE_MS = 2_500;
const IDLE_MS = 3_000;
/** Accounts logging in in turn: the login throttle refuses an account's 11th attempt in flight (docs/adr/0035). */
const ACCOUNTS = 16;
const WARM_UP_MS = 1_000;
/** Longest wait for both meshes to return to their CPU with no load before the next phase. */
const SETTLE_MAX_MS = 15_000;
const STARTUP_TIMEOUT_MS = 180_000;

interface Instance {
  readonly service: Service;
  /** `auth 2`, `api-gateway 1`. */
  readonly label: string;
  readonly pid: number;
  readonly grpcAddress: string;
}

interface RunningMesh {
  readonly layout: Layout;
  readonly instances: readonly Instance[];
  /** The gateways' client API origins: the load goes to them in turn. */
  readonly origins: readonly string[];
  /** The gateways' admin ports (GET /mesh: calls each sent to every instance of a service). */
  readonly adminPorts: readonly number[];
  readonly requests: ReadonlyMap<Operation, LoadRequest>;
  /** Its redis-server's and its database's PostgreSQL backends' pids, looked up now (backends come and go). */
  supportPids(): Promise<ReadonlyMap<Support, readonly number[]>>;
  stop(): Promise<void>;
}

const Supports = ['redis', 'postgresql'] as const;
type Support = (typeof Supports)[number];

/** Pids whose command line (as the process sets its title) contains `text`. */
const pidsWith = async (text: string): Promise<number[]> => {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const lines = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')));
  return pids.filter((_, index) => lines[index]!.replaceAll('\0', ' ').includes(text)).map(Number);
};

/** CPU ms the pids still there used between two readings of `cpuOfPids` (a pid new in `after` counts from then). */
const usedSince = (before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number => {
  let used = 0;
  for (const [pid, ms] of after) used += ms - (before.get(pid) ?? ms);
  return used;
};

/** CPU ms so far of each pid still there. */
const cpuOfPids = async (pids: readonly number[]): Promise<Map<number, number>> => {
  const used = await Promise.all(pids.map((pid) => cpuMsOf(pid).catch(() => undefined)));
  return new Map(pids.flatMap((pid, index) => (used[index] === undefined ? [] : [[pid, used[index]] as const])));
};

/**
 * One mesh, every instance a process of its own, on its own spawned redis-server, its own
 * throwaway PostgreSQL database and its own DATA_DIR (the development CA and the signing-key
 * encryption key, which the instances of a service share).
 */
const startMesh = async (layout: Layout, label: string): Promise<RunningMesh> => {
  const [redis, database, dataDir] = await Promise.all([
    startRedisNode(),
    createThrowawayDatabase(label),
    mkdtemp(join(tmpdir(), `meshwork-${label}-`)),
  ]);
  const processes: MeshProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map((process) => process.kill()));
    await Promise.all([redis.stop(), database.drop(), rm(dataDir, { recursive: true, force: true })]);
  };
  try {
    const gateways = layout.counts['api-gateway'];
    const total = Services.reduce((sum, service) => sum + layout.counts[service], 0);
    const free = await findFreePorts(total * 2 + gateways);
    let next = 0;
    const portsOf = new Map(
      Services.map((service) => [service, Array.from({ length: layout.counts[service] }, () => [free[next++]!, free[next++]!] as const)]),
    );
    const adminPorts = Array.from({ length: gateways }, () => free[next++]!);
    const first = (service: Service) => portsOf.get(service)![0]!;
    const base = {
      ...redisConfigToEnv(redis.config),
      ...benchMeshEnv({ auth: first('auth'), project: first('project'), simulation: first('simulation'), gateway: first('api-gateway') }),
      MESH_STORAGE: 'sql',
      DATABASE_URL: database.url,
      MESH_TLS: 'on',
      DATA_DIR: dataDir,
    };
    const instances: Instance[] = [];
    const start = async (service: Service, index: number) => {
      const [grpc, http] = portsOf.get(service)![index]!;
      const prefix = service === 'api-gateway' ? 'GATEWAY' : service.toUpperCase();
      const process = await startMeshProcess(
        [service],
        {
          ...base,
          [`${prefix}_GRPC_PORT`]: String(grpc),
          [`${prefix}_HTTP_PORT`]: String(http),
          ...(service === 'api-gateway' && {
            GATEWAY_INSTANCE_ID: `${label}-gateway-${index + 1}`,
            MESH_ADMIN_PORT: String(adminPorts[index]),
          }),
        },
        STARTUP_TIMEOUT_MS,
        [],
        [],
        'build',
      );
      processes.push(process);
      instances.push({ service, label: `${service} ${index + 1}`, pid: process.pid, grpcAddress: `127.0.0.1:${grpc}` });
    };
    // One at a time up to the first gateway: the first auth makes the development CA, the signing-key
    // encryption key and its schema, which the second auth then finds; each service migrates its own schema.
    for (const service of ['auth', 'project', 'simulation'] as const) {
      for (let index = 0; index < layout.counts[service]; index += 1) await start(service, index);
    }
    await start('api-gateway', 0);
    await Promise.all(Array.from({ length: gateways - 1 }, (_, index) => start('api-gateway', index + 1)));
    instances.sort((a, b) => Services.indexOf(a.service) - Services.indexOf(b.service) || a.label.localeCompare(b.label));
    const origins = portsOf.get('api-gateway')!.map(([, http]) => `http://127.0.0.1:${http}`);
    const seeded = await seedMesh(origins[0]!, label);
    // Every call goes to the gateways in turn; a token made through one is good at every other (auth checks it).
    const accounts = await registerAccounts(origins[0]!, label);
    const requests = new Map(
      [...seeded].map(([operation, request]) => [
        operation,
        { ...request, origins, ...(operation === 'POST /auth/login' && { bodies: accounts }) },
      ]),
    );
    // A spawned redis-server names itself by its address; in a container it is not ours to count.
    const redisPort = redis.config.kind === 'node' ? new URL(redis.config.url).port : '';
    const supportPids = async () =>
      new Map<Support, number[]>([
        ['redis', redisPort === '' ? [] : await pidsWith(`redis-server 127.0.0.1:${redisPort}`)],
        ['postgresql', await pidsWith(` ${database.name} `)],
      ]);
    return { layout, instances, origins, adminPorts, requests, supportPids, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};

/** Registers the accounts that log in in turn; their credentials. */
const registerAccounts = async (origin: string, label: string) => {
  const http2 = h2cAgent();
  try {
    return await Promise.all(
      Array.from({ length: ACCOUNTS }, async (_, index) => {
        const account = { email: `${label}-${index}-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Bench' };
        const registered = await jsonRequest(http2, 'POST', `${origin}/auth/register`, { body: account });
        if (registered.status !== 201) throw new Error(`register: HTTP ${registered.status} ${JSON.stringify(registered.body)}`);
        return { email: account.email, password: account.password };
      }),
    );
  } finally {
    await http2.close();
  }
};

/** Busy and total CPU time of the whole machine so far, ms summed over its cores (/proc/stat, 10 ms ticks). */
const machineCpuMs = async (): Promise<{ busy: number; total: number }> => {
  const [, ...fields] = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/);
  const ticks = fields.slice(0, 8).map(Number); // user nice system idle iowait irq softirq steal
  const total = ticks.reduce((sum, value) => sum + value, 0);
  return { busy: (total - ticks[3]! - ticks[4]!) * 10, total: total * 10 };
};

/** Context switches of a process so far: voluntary (it waited for work) and involuntary (the scheduler took the core away). */
const switchesOf = async (pid: number): Promise<{ voluntary: number; involuntary: number }> => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return {
    voluntary: Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN),
    involuntary: Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN),
  };
};
const sumSwitches = async (pids: readonly number[]) =>
  (await Promise.all(pids.map(switchesOf))).reduce(
    (sum, one) => ({ voluntary: sum.voluntary + one.voluntary, involuntary: sum.involuntary + one.involuntary }),
    { voluntary: 0, involuntary: 0 },
  );

/** Calls the mesh's gateways sent to each auth instance so far, by address, summed over the gateways. */
const authCalls = async (mesh: RunningMesh): Promise<Map<string, number>> => {
  const calls = new Map<string, number>();
  for (const port of mesh.adminPorts) {
    for (const instance of callsPerInstance(await readMeshReport(port), 'auth'))
      calls.set(instance.address, (calls.get(instance.address) ?? 0) + instance.calls);
  }
  return calls;
};

interface Figures {
  /** req/s per round, by callers. */
  readonly throughput: Map<number, number[]>;
  readonly failed: number[];
  /** CPU ms per request at 16 callers, per service summed over its instances, per round. */
  readonly cpu: Map<Service, number[]>;
  /** CPU ms per request at 16 callers of the mesh's redis-server and of its database's PostgreSQL backends, per round. */
  readonly support: Map<Support, number[]>;
  /** Context switches per request at 16 callers, summed over the mesh processes, per round. */
  readonly wakeups: number[];
  readonly preempted: number[];
  /** CPU ms per request at 16 callers of the load generator, per round. */
  readonly loadGenerator: number[];
  /** CPU ms per request at 16 callers of the whole machine (every process on it), per round. */
  readonly machine: number[];
  /** Share of the machine's cores busy, per round, by callers. */
  readonly busy: Map<number, number[]>;
  /** CPU ms of each instance over every phase, by label. */
  readonly instanceCpu: Map<string, number>;
  /** Calls the gateways sent to each auth instance over every phase, by address. */
  readonly authCalls: Map<string, number>;
  /** Requests answered over every phase. */
  answered: number;
  /** How long the meshes took to return to idle CPU after each round of this mesh, s. */
  readonly settleS: number[];
}

const emptyFigures = (): Figures => ({
  throughput: new Map(Callers.map((callers) => [callers, []])),
  failed: [],
  cpu: new Map(Services.map((service) => [service, []])),
  support: new Map(Supports.map((support) => [support, []])),
  wakeups: [],
  preempted: [],
  loadGenerator: [],
  machine: [],
  busy: new Map(Callers.map((callers) => [callers, []])),
  instanceCpu: new Map(),
  authCalls: new Map(),
  answered: 0,
  settleS: [],
});

const add = <K>(map: Map<K, number>, key: K, value: number) => map.set(key, (map.get(key) ?? 0) + value);

/** One round of one operation on one mesh: 16 then 64 closed-loop callers. */
const measureRound = async (load: LoadGenerator, mesh: RunningMesh, request: LoadRequest, figures: Figures) => {
  const callsBefore = await authCalls(mesh);
  let failed = 0;
  for (const callers of Callers) {
    const pids = mesh.instances.map((instance) => instance.pid);
    const supportPids = await mesh.supportPids();
    const snapshot = () =>
      Promise.all([
        sumSwitches(pids),
        Promise.all(pids.map(cpuMsOf)),
        Promise.all(Supports.map((support) => cpuOfPids(supportPids.get(support)!))),
        cpuMsOf(load.pid),
        machineCpuMs(),
      ]);
    const [switchesBefore, before, supportBefore, loadBefore, machineBefore] = await snapshot();
    const answer = await load.closed(request, callers, PHASE_MS);
    const [switchesAfter, after, supportAfter, loadAfter, machineAfter] = await snapshot();
    const requests = Math.max(1, answer.latencies.length);
    figures.throughput.get(callers)!.push((answer.latencies.length * 1000) / answer.elapsedMs);
    figures.busy.get(callers)!.push((machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total));
    failed += answer.failed;
    figures.answered += answer.latencies.length;
    if (answer.failed > 0) console.log(`   ${mesh.layout.name}, ${callers} callers: failed calls ${JSON.stringify(answer.failures)}`);
    const perService = new Map<Service, number>();
    mesh.instances.forEach((instance, index) => {
      const used = after[index]! - before[index]!;
      add(figures.instanceCpu, instance.label, used);
      add(perService, instance.service, used);
    });
    if (callers === 16) {
      for (const service of Services) figures.cpu.get(service)!.push((perService.get(service) ?? 0) / requests);
      Supports.forEach((support, index) =>
        figures.support.get(support)!.push(usedSince(supportBefore[index]!, supportAfter[index]!) / requests),
      );
      figures.wakeups.push((switchesAfter.voluntary - switchesBefore.voluntary) / requests);
      figures.preempted.push((switchesAfter.involuntary - switchesBefore.involuntary) / requests);
      figures.loadGenerator.push((loadAfter - loadBefore) / requests);
      figures.machine.push((machineAfter.busy - machineBefore.busy) / requests);
    }
  }
  figures.failed.push(failed);
  for (const [address, calls] of await authCalls(mesh)) add(figures.authCalls, address, calls - (callsBefore.get(address) ?? 0));
};

/** CPU ms per second of each service (summed over its instances) and of Redis and PostgreSQL, with no load. */
const idleCpu = async (mesh: RunningMesh): Promise<Map<Service | Support, number>> => {
  const supportPids = await mesh.supportPids();
  const sample = async () => ({
    instances: await Promise.all(mesh.instances.map((instance) => cpuMsOf(instance.pid))),
    support: await Promise.all(Supports.map((support) => cpuOfPids(supportPids.get(support)!))),
  });
  const started = performance.now();
  const before = await sample();
  await sleep(IDLE_MS);
  const after = await sample();
  const seconds = (performance.now() - started) / 1000;
  const idle = new Map<Service | Support, number>();
  mesh.instances.forEach((instance, index) => add(idle, instance.service, (after.instances[index]! - before.instances[index]!) / seconds));
  Supports.forEach((support, index) => idle.set(support, usedSince(before.support[index]!, after.support[index]!) / seconds));
  return idle;
};

/**
 * Waits until the processes of both meshes (and their Redis and PostgreSQL) are back to about their
 * CPU with no load, at most SETTLE_MAX_MS: after a burst of writes, outboxes relay its events and
 * their consumers take them, on the same two cores as the next phase. How long it took, ms.
 */
const settle = async (meshes: readonly RunningMesh[], idleMsPerSecond: number): Promise<number> => {
  const started = performance.now();
  const supports = await Promise.all(meshes.map((mesh) => mesh.supportPids()));
  const pids = [
    ...meshes.flatMap((mesh) => mesh.instances.map((instance) => instance.pid)),
    ...supports.flatMap((support) => [...support.values()].flat()),
  ];
  const threshold = Math.max(100, idleMsPerSecond * 1.5 + 50);
  let last = await cpuOfPids(pids);
  let lastAt = performance.now();
  while (performance.now() - started < SETTLE_MAX_MS) {
    await sleep(500);
    const now = await cpuOfPids(pids);
    const at = performance.now();
    if (usedSince(last, now) / ((at - lastAt) / 1000) <= threshold) break;
    [last, lastAt] = [now, at];
  }
  return performance.now() - started;
};

const format = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const percent = (value: number) => `${Math.round(value * 100)}%`;
const SupportNames: Readonly<Record<Support, string>> = {
  redis: 'Redis (its redis-server)',
  postgresql: "PostgreSQL (its database's backends)",
};
/** Each round's CPU per request of every mesh process together. */
const meshRounds = (figures: Figures) =>
  figures.machine.map((_, round) => Services.reduce((sum, service) => sum + figures.cpu.get(service)![round]!, 0));
const meshMedian = (figures: Figures) => Services.reduce((sum, service) => sum + median(figures.cpu.get(service)!), 0);

/** CPU per login of the password check alone, at the bench's cost (2^10) and at the default (2^15), ms. */
const hashCpuMs = async (): Promise<{ bench: number; production: number }> => {
  const measure = async (N: number, times: number) => {
    const hasher = new ScryptPasswordHasher({ N });
    const hash = await hasher.hash('correct horse battery');
    const before = process.cpuUsage();
    for (let i = 0; i < times; i += 1) await hasher.verify('correct horse battery', hash);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / times;
  };
  return { bench: await measure(2 ** 10, 50), production: await measure(2 ** 15, 5) };
};

/**
 * The specification's topology as separate processes against one process of each service, both
 * on Redis, PostgreSQL and mutual TLS, the client load spread over every gateway: whether the
 * topology loses throughput on this machine, and CPU per request per service to size a cluster.
 * Long: run with `--only shape-topology`.
 */
export const scenario: BenchScenario = {
  name: 'shape-topology',
  title:
    'Topology: 3 gateways + 2 auth + 1 project + 1 simulation as processes, against one of each, and CPU per request to size a cluster',
  optIn: true,
  run: async ({ rounds }) => {
    await buildMesh();
    const startedAt = Date.now();
    const hashing = await hashCpuMs();
    const meshes: RunningMesh[] = [];
    const load = startLoadGenerator();
    try {
      // Both at once (each starts its processes one after the other); idle, the other mesh costs little.
      const started = await Promise.allSettled([startMesh(OneOfEach, 'topology-single'), startMesh(Topology, 'topology-spec')]);
      for (const result of started) if (result.status === 'fulfilled') meshes.push(result.value);
      const refused = started.find((result) => result.status === 'rejected');
      if (refused) throw refused.reason;
      console.log(`   both meshes up in ${Math.round((Date.now() - startedAt) / 1000)} s`);
      const [single, topology] = meshes as [RunningMesh, RunningMesh];
      const idle = new Map<RunningMesh, Map<Service | Support, number>>();
      for (const mesh of meshes) idle.set(mesh, await idleCpu(mesh));
      const idleTotal = meshes.reduce((sum, mesh) => sum + [...idle.get(mesh)!.values()].reduce((a, b) => a + b, 0), 0);
      const results = new Map(meshes.map((mesh) => [mesh, new Map(MeasuredOperations.map((operation) => [operation, emptyFigures()]))]));
      const figuresOf = (mesh: RunningMesh, operation: MeasuredOperation) => results.get(mesh)!.get(operation)!;
      for (const operation of MeasuredOperations) {
        for (const mesh of meshes) await load.closed(mesh.requests.get(operation)!, 16, WARM_UP_MS);
        await settle(meshes, idleTotal);
        for (let round = 0; round < rounds; round += 1) {
          // Alternate which mesh goes first, so that a drift in the machine's load hits both.
          for (const mesh of round % 2 === 0 ? [single, topology] : [topology, single]) {
            console.log(`   ${operation} on ${mesh.layout.name}, round ${round + 1}`);
            await measureRound(load, mesh, mesh.requests.get(operation)!, figuresOf(mesh, operation));
            figuresOf(mesh, operation).settleS.push((await settle(meshes, idleTotal)) / 1000);
          }
        }
      }

      const rows: BenchRow[] = [];
      const verdicts: string[] = [];
      const spread: string[] = [];
      const baseline = (rounds: readonly number[]) => ({ name: OneOfEach.name, rounds });
      for (const operation of MeasuredOperations) {
        const ours = figuresOf(topology, operation);
        const theirs = figuresOf(single, operation);
        const pairRatios = (callers: number) =>
          ours.throughput.get(callers)!.map((value, round) => value / theirs.throughput.get(callers)![round]!);
        for (const callers of Callers) {
          const ratio = median(pairRatios(callers));
          rows.push({
            metric: `${operation}, ${callers} callers spread over the gateways`,
            unit: 'req/s',
            ours: median(ours.throughput.get(callers)!),
            rounds: ours.throughput.get(callers)!,
            baseline: { name: OneOfEach.name, value: median(theirs.throughput.get(callers)!) },
            ratio,
            better: 'higher',
            target: '>= 1.0x one of each (median of per-round pair ratios)',
            meetsTarget: ratio >= 1,
          });
        }
        for (const service of Services) {
          const instances = Topology.counts[service] > 1 ? ` (its ${Topology.counts[service]} instances)` : '';
          rows.push(
            row({
              metric: `${operation}, CPU per request at 16 callers: ${service}${instances}`,
              unit: 'ms',
              rounds: ours.cpu.get(service)!,
              baseline: baseline(theirs.cpu.get(service)!),
              better: 'lower',
            }),
          );
        }
        rows.push(
          row({
            metric: `${operation}, CPU per request at 16 callers: every mesh process`,
            unit: 'ms',
            rounds: meshRounds(ours),
            baseline: baseline(meshRounds(theirs)),
            better: 'lower',
          }),
          ...Supports.map((support) =>
            row({
              metric: `${operation}, CPU per request at 16 callers: ${SupportNames[support]}`,
              unit: 'ms',
              rounds: ours.support.get(support)!,
              baseline: baseline(theirs.support.get(support)!),
              better: 'lower',
            }),
          ),
          row({
            metric: `${operation}, CPU per request at 16 callers: load generator`,
            unit: 'ms',
            rounds: ours.loadGenerator,
            baseline: baseline(theirs.loadGenerator),
            better: 'lower',
          }),
          row({
            metric: `${operation}, CPU per request at 16 callers: whole machine (the above, the kernel, other work)`,
            unit: 'ms',
            rounds: ours.machine,
            baseline: baseline(theirs.machine),
            better: 'lower',
          }),
          row({
            metric: `${operation}, context switches per request at 16 callers, every mesh process: voluntary (waiting for work)`,
            unit: 'switches',
            rounds: ours.wakeups,
            baseline: baseline(theirs.wakeups),
            better: 'lower',
          }),
          row({
            metric: `${operation}, context switches per request at 16 callers, every mesh process: involuntary (preempted)`,
            unit: 'switches',
            rounds: ours.preempted,
            baseline: baseline(theirs.preempted),
            better: 'lower',
          }),
          row({
            metric: `${operation}, machine's cores busy at 64 callers`,
            unit: '%',
            rounds: ours.busy.get(64)!.map((share) => share * 100),
            baseline: baseline(theirs.busy.get(64)!.map((share) => share * 100)),
            better: 'lower',
          }),
        );
        rows.push(
          row({
            metric: `${operation}, time for both meshes to return to their CPU with no load after a round (at most ${SETTLE_MAX_MS / 1000} s)`,
            unit: 's',
            rounds: ours.settleS,
            baseline: baseline(theirs.settleS),
            better: 'lower',
          }),
        );
        const failed = median(ours.failed) + median(theirs.failed);
        if (failed > 0)
          rows.push(
            row({
              metric: `${operation}, answers not as expected (median per round, both meshes)`,
              unit: 'requests',
              rounds: [failed],
              better: 'lower',
            }),
          );

        const ratios = Callers.map(
          (callers) =>
            `${format(median(pairRatios(callers)))}x at ${callers} callers (rounds ${pairRatios(callers)
              .map((pair) => format(pair))
              .join(', ')})`,
        );
        const meshCpu = [meshMedian(ours), meshMedian(theirs)] as const;
        verdicts.push(
          `${operation}: the topology carries ${ratios.join(' and ')} of one of each. ` +
            `Every mesh process together spends ${format(meshCpu[0])} ms of CPU per request against ${format(meshCpu[1])} ms (${meshCpu[0] >= meshCpu[1] ? '+' : ''}${format((meshCpu[0] / meshCpu[1] - 1) * 100, 0)}%; ` +
            `gateways ${format(median(ours.cpu.get('api-gateway')!))} against ${format(median(theirs.cpu.get('api-gateway')!))} ms, auth ${format(median(ours.cpu.get('auth')!))} against ${format(median(theirs.cpu.get('auth')!))} ms), ` +
            `the whole machine ${format(median(ours.machine))} against ${format(median(theirs.machine))} ms; ` +
            `the mesh processes switched ${format(median(ours.wakeups), 1)} times per request waiting for work against ${format(median(theirs.wakeups), 1)} and were preempted ${format(median(ours.preempted), 1)} against ${format(median(theirs.preempted), 1)} times; ` +
            `the cores were ${percent(median(ours.busy.get(64)!))} busy at 64 callers with the topology, ${percent(median(theirs.busy.get(64)!))} with one of each.`,
        );
        const shares = (service: Service) => {
          const labels = topology.instances.filter((instance) => instance.service === service).map((instance) => instance.label);
          const total = labels.reduce((sum, label) => sum + (ours.instanceCpu.get(label) ?? 0), 0);
          return labels.map((label) => `${label} ${percent((ours.instanceCpu.get(label) ?? 0) / Math.max(1, total))}`).join(', ');
        };
        const auth = topology.instances.filter((instance) => instance.service === 'auth');
        const calls = auth.map((instance) => ours.authCalls.get(instance.grpcAddress) ?? 0);
        const callTotal = calls.reduce((sum, value) => sum + value, 0);
        const singleCalls = [...theirs.authCalls.values()].reduce((sum, value) => sum + value, 0);
        const perHundred = (count: number, figures: Figures) => format((100 * count) / Math.max(1, figures.answered), 1);
        spread.push(
          `${operation}: CPU over every phase ${shares('api-gateway')}; ${shares('auth')}; ` +
            (callTotal === 0
              ? operation === 'POST /auth/login'
                ? 'no gRPC calls to auth (the gateways pass /auth/* on over HTTP/2 to the auth instances in turn: see the CPU shares).'
                : 'no calls to auth (the gateways check tokens themselves and keep what auth said about the session, docs/adr/0022).'
              : `calls from the gateways to auth ${auth
                  .map(
                    (instance, index) =>
                      `${instance.label} ${calls[index]!.toLocaleString('en-US')} (${percent(calls[index]! / callTotal)})`,
                  )
                  .join(
                    ', ',
                  )}, ${perHundred(callTotal, ours)} per 100 requests against ${perHundred(singleCalls, theirs)} from the one gateway of one of each.`),
        );
      }
      const idleOf = (mesh: RunningMesh, what: Service | Support) => idle.get(mesh)!.get(what) ?? 0;
      for (const what of [...Services, ...Supports]) {
        const label = (Services as readonly string[]).includes(what) ? what : SupportNames[what as Support];
        const ours = idleOf(topology, what);
        const theirs = idleOf(single, what);
        rows.push({
          metric: `CPU with no load: ${label}`,
          unit: 'ms/s',
          ours,
          rounds: [ours],
          baseline: { name: OneOfEach.name, value: theirs },
          ...(theirs > 0 && { ratio: ours / theirs }),
          better: 'lower',
        });
      }

      // Sizing: cores per service = N req/s x CPU ms per request / 1000, from the topology's figures at 16 callers.
      const columns: readonly (Service | Support)[] = [...Services, ...Supports];
      const perRequest = (operation: MeasuredOperation, what: Service | Support) => {
        const figures = figuresOf(topology, operation);
        return median(
          (Services as readonly string[]).includes(what) ? figures.cpu.get(what as Service)! : figures.support.get(what as Support)!,
        );
      };
      const table = [
        `| operation | ${columns.join(' | ')} | mesh processes | with Redis and PostgreSQL |`,
        `| --- | ${columns.map(() => '---:').join(' | ')} | ---: | ---: |`,
        ...MeasuredOperations.map((operation) => {
          const mesh = Services.reduce((sum, service) => sum + perRequest(operation, service), 0);
          const all = columns.reduce((sum, what) => sum + perRequest(operation, what), 0);
          return `| ${operation} | ${columns.map((what) => format(perRequest(operation, what))).join(' | ')} | ${format(mesh)} | ${format(all)} |`;
        }),
        `| no load, ms per second (the topology's instances together) | ${columns.map((what) => format(idleOf(topology, what), 1)).join(' | ')} | ${format(
          Services.reduce((sum, service) => sum + idleOf(topology, service), 0),
          1,
        )} | ${format(
          columns.reduce((sum, what) => sum + idleOf(topology, what), 0),
          1,
        )} |`,
      ];
      const example = { 'POST /projects': 200, 'GET /projects/:id': 800, 'POST /auth/login': 50 } as const;
      const cores = (what: Service | Support) =>
        MeasuredOperations.reduce((sum, operation) => sum + (example[operation] * perRequest(operation, what)) / 1000, 0);
      const busyAt64 = meshes.flatMap((mesh) => MeasuredOperations.map((operation) => median(figuresOf(mesh, operation).busy.get(64)!)));
      const [leastBusy, mostBusy] = [Math.min(...busyAt64), Math.max(...busyAt64)];
      const cpuBound = MeasuredOperations.map(
        (operation) =>
          `${operation} ${format(median(figuresOf(single, operation).machine) / median(figuresOf(topology, operation).machine))}x`,
      );
      const measured = MeasuredOperations.map((operation) => {
        const ratio = (callers: number) =>
          median(
            figuresOf(topology, operation)
              .throughput.get(callers)!
              .map((value, round) => value / figuresOf(single, operation).throughput.get(callers)![round]!),
          );
        return `${operation} ${format(ratio(16))}x at 16 callers and ${format(ratio(64))}x at 64`;
      });
      const notes = [
        `Throughput (pair ratios: each round's topology figure over the one-of-each figure measured next to it): ${verdicts.join(' ')}`,
        `Why on this machine: the cores were ${percent(leastBusy)} to ${percent(mostBusy)} busy at 64 callers whichever the mesh (load generator, Redis, PostgreSQL and any other work on the same 2 cores), ` +
          'so throughput is bounded by CPU per request: a second gateway or auth process brings no core, only another share of the same two. ' +
          `If CPU were the only bound, the topology would carry (one of each's whole-machine CPU per request at 16 callers / the topology's) ${cpuBound.join(', ')}; measured: ${measured.join(', ')}. ` +
          'Every process runs its own event loop, timers, registry heartbeats, health checks and connection pools, and with the load split over more processes each does less work per wake-up ' +
          '(see the voluntary context switches per request) and is preempted more often (the involuntary ones). On separate cores or machines the topology adds the cores of its instances; ' +
          'this machine can show what each request costs in each shape, not that gain.',
        'Where the topology spends more per write: every gateway takes every auth, project and simulation event (GATEWAY_EVENT_PATTERNS), so that work grows with the number of gateways, ' +
          "not with the requests each serves; an auth event that evicts a user's cached sessions (a role change, a logout, not a grant on one resource: docs/adr/0074) also makes each gateway " +
          'holding one ask auth again at its next request (see the calls to auth per 100 requests below, against those of the one gateway). ' +
          "After a burst of writes the meshes keep working for a while (outboxes relay the burst's events, the gateways take them), " +
          'which is why each phase waits for both meshes to return to their CPU with no load (the time it took is a row of the table).',
        `Spread in the topology (the load generator sends each call to the next gateway, one HTTP/2 session each; the gateways balance their calls to auth over its two instances): ${spread.join(' ')}`,
        'Sizing a cluster: for N requests/s of an operation, cores needed per service = N x CPU ms per request / 1000 (for a mix, sum over the operations), plus the CPU with no load, plus headroom: ' +
          'keep each Node process below about 70% of a core. Figures: the topology at 16 callers, each service summed over its instances, medians over the rounds, from /proc/<pid>/stat (10 ms ticks; ' +
          "Redis is the mesh's own redis-server, PostgreSQL the backends serving the mesh's database, without the server's WAL writer and checkpointer). " +
          "They were measured with the topology's 7 processes on 2 shared cores: take them as upper bounds; the one-of-each figures (baseline column of the rows) are the same work with less contention and less event fan-out. " +
          `Example: ${MeasuredOperations.map((operation) => `${example[operation]} ${operation}`).join(', ')} per second need ` +
          `${columns.map((what) => `${what} ${format(cores(what))}`).join(', ')} cores. ` +
          `Login is at AUTH_PASSWORD_HASH_COST 1024 as in every shape benchmark; one scrypt check costs ${format(hashing.bench)} ms of CPU at 2^10 and ${format(hashing.production, 1)} ms at the default 2^15 ` +
          `(measured here), so at the default cost add ${format(hashing.production - hashing.bench, 1)} ms per login to auth.\n\n${table.join('\n')}\n`,
      ];
      return {
        rows,
        notes,
        method:
          `Two meshes up at once, each on its own spawned redis-server and its own throwaway PostgreSQL database, MESH_TLS on, every instance a process of its own ` +
          "(`node dist/composition/main.js --service X`, built first, LOG_LEVEL info, AUTH_PASSWORD_HASH_COST 1024): one of each (4 processes) and the specification's topology " +
          '(7: three gateways on their own ports, two auth on one database and DATA_DIR, one project, one simulation). ' +
          `The load generator (undici h2c, its own process) sends each call to the next of the mesh's gateways; logins go to ${ACCOUNTS} accounts in turn (at 64 callers some still meet the per-address login throttle, HTTP 429: every call comes from one address); throughput counts only the answers as expected. ` +
          `First ${IDLE_MS / 1000} s with no load on each mesh; then per operation a ${WARM_UP_MS / 1000} s warm-up on each, and per round the two meshes in alternating order, ` +
          `each ${Callers.join(' then ')} closed-loop callers for ${PHASE_MS / 1000} s, then a wait (at most ${SETTLE_MAX_MS / 1000} s) until both meshes are back near their CPU with no load. CPU per request from /proc/<pid>/stat over the 16-caller phase, the machine's from /proc/stat; ` +
          "the ratio of a throughput row is the median of the per-round pair ratios; calls per auth instance from the gateways' GET /mesh (MESH_ADMIN_PORT).",
      };
    } finally {
      load.stop();
      await Promise.all(meshes.map((mesh) => mesh.stop()));
    }
  },
};
