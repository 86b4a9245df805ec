import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { connectSocket } from '../contract-tests/gateway/ws-client.js';
import { jsonRequest, type JsonResponse } from '../contract-tests/support/http2-client.js';
import { disturbedForMs, median, steadyLoad, type LoadSample } from './steady-load.js';

/**
 * The README's walk through the three flows, against a deployed mesh (Compose, Kubernetes pods,
 * several hosts): each step on a different gateway of `gateways` (HTTP base URLs), so that every
 * flow crosses instances. Throws, naming the step, at the first answer that is not the expected one.
 */
export const walkTheThreeFlows = async (http: Dispatcher, gateways: readonly string[], label: string): Promise<FlowsWalked> => {
  const at = (index: number) => gateways[index % gateways.length]!;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const expectStatus = (step: string, response: JsonResponse<any>, ...wanted: number[]) => {
    if (!wanted.includes(response.status)) throw new Error(`${step}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
    return response;
  };
  const email = `${label}-${Date.now()}@example.test`;
  const password = 'correct horse battery';

  // 1. Authentication.
  const registered = expectStatus(
    'register',
    await jsonRequest(http, 'POST', `${at(0)}/auth/register`, { body: { email, password, name: 'Ada' } }),
    201,
  );
  const login = expectStatus('login', await jsonRequest(http, 'POST', `${at(1)}/auth/login`, { body: { email, password } }), 200);
  const token: string = login.body.access_token;
  const profile = expectStatus('profile', await jsonRequest(http, 'GET', `${at(2)}/auth/profile`, { token }), 200);
  if (profile.body.user?.id !== registered.body.user.id && profile.body.id !== registered.body.user.id)
    throw new Error(`profile: another user ${JSON.stringify(profile.body)}`);

  // 2. Project creation, and sharing with a second user.
  expectStatus('templates', await jsonRequest(http, 'GET', `${at(0)}/templates`, { token }), 200);
  const created = expectStatus(
    'create project',
    await jsonRequest(http, 'POST', `${at(1)}/projects`, { token, body: { name: 'Shop', template_id: 'microservices' } }),
    201,
  );
  const projectId: string = created.body.project_id;
  expectStatus('get project', await jsonRequest(http, 'GET', `${at(2)}/projects/${projectId}`, { token }), 200);
  const bob = `${label}-bob-${Date.now()}@example.test`;
  expectStatus(
    'register bob',
    await jsonRequest(http, 'POST', `${at(0)}/auth/register`, { body: { email: bob, password: 'another long secret', name: 'Bob' } }),
    201,
  );
  expectStatus(
    'share',
    await jsonRequest(http, 'POST', `${at(1)}/projects/${projectId}/share`, { token, body: { target_email: bob, role: 'viewer' } }),
    200,
    201,
  );

  // 3. A real-time simulation, watched live over a WebSocket on another gateway than the one that started it.
  const started = expectStatus(
    'start simulation',
    await jsonRequest(http, 'POST', `${at(2)}/simulations`, { token, body: { project_id: projectId, duration_seconds: 3 } }),
    201,
    202,
  );
  const simulationId: string = started.body.simulation_id;
  const watcher = connectSocket(`${at(0).replace(/^http/, 'ws')}/simulation/stream?simulation_id=${simulationId}`, ['bearer', token]);
  try {
    await watcher.opened;
    await watcher.waitForType('simulation_completed', 1, 60_000);
  } finally {
    await watcher.close();
  }
  const samples = watcher.ofType('simulation_metrics').length;
  if (samples < 5) throw new Error(`watch: only ${samples} simulation_metrics messages before simulation_completed`);
  const results = expectStatus('results', await jsonRequest(http, 'GET', `${at(1)}/simulations/${simulationId}/results`, { token }), 200);
  expectStatus('analysis', await jsonRequest(http, 'GET', `${at(2)}/simulations/${simulationId}/analysis`, { token }), 200);
  return { email, token, userId: registered.body.user.id, projectId, simulationId, streamed: samples, results: results.body };
};

export interface FlowsWalked {
  /** The address the first user registered with (its welcome email is sent to it). */
  readonly email: string;
  readonly token: string;
  readonly userId: string;
  readonly projectId: string;
  readonly simulationId: string;
  /** `simulation_metrics` messages the watcher received. */
  readonly streamed: number;
  readonly results: unknown;
}

/**
 * Sends `count` project creations one after another through `gateways` until `count` in a row were
 * answered 201: freshly started containers (cold JIT, pools still opening) are slow at first.
 */
export const warmUp = async (http: Dispatcher, gateways: readonly string[], token: string, count: number, timeoutMs = 120_000) => {
  const deadline = Date.now() + timeoutMs;
  let streak = 0;
  let last = '';
  for (let sent = 0; streak < count; sent += 1) {
    if (Date.now() > deadline) throw new Error(`warm-up: no ${count} writes in a row within ${timeoutMs} ms; last answer ${last}`);
    const created = await jsonRequest(http, 'POST', `${gateways[sent % gateways.length]}/projects`, {
      token,
      body: { name: `warm ${sent}` },
    });
    last = `${created.status}`;
    streak = created.status === 201 ? streak + 1 : 0;
  }
};

/** The failover bound of the deployment tests (issue 18: "failover inside 2 s"), and the window after a fault it is measured over. */
export const FAILOVER_WINDOW_MS = 2_000;

export interface WritesUnderFaultOptions {
  readonly http: Dispatcher;
  /** Gateways the writes go through, in turn (each must survive the fault). */
  readonly gateways: readonly string[];
  readonly token: string;
  /** Project creations per second (open loop). */
  readonly perSecond: number;
  /** The fault, e.g. SIGKILL of a container or of every process of a host. */
  readonly fault: () => Promise<void>;
  /** Load before the fault, and after it. */
  readonly beforeMs: number;
  readonly afterMs: number;
}

export interface WritesUnderFault {
  readonly samples: readonly LoadSample[];
  readonly faultAt: number;
  /** From the fault to the end of the last failed or slow (> 10 x the median before, at least 250 ms) write. */
  readonly disturbedMs: number;
  /**
   * The failover time: from the fault to the start of the last write that failed (0: none failed).
   * Writes in flight on what was killed may fail (a write is not retried on another instance unless
   * it is safe to: docs/mesh.md); every write sent after this succeeded.
   */
  readonly failoverMs: number;
  /**
   * How long the failover kept a write waiting: over the writes in flight at the fault or sent within
   * `FAILOVER_WINDOW_MS` after it, the longest time from the later of its sending and the fault to its
   * answer (whatever the answer).
   */
  readonly failoverWaitMs: number;
  readonly failed: number;
  /** Projects whose creation was answered 201 . */
  readonly acknowledged: number;
  /** Of those, the ones a read after the fault does not find. */
  readonly lost: readonly string[];
  readonly summary: string;
}

/**
 * Creates projects at a steady rate through `gateways` while `fault` happens, then reads every
 * project whose creation was acknowledged (201) back: the failover time and the writes lost.
 */
export const writesUnderFault = async (options: WritesUnderFaultOptions): Promise<WritesUnderFault> => {
  const { http, gateways, token } = options;
  const acknowledged: string[] = [];
  const refusals = new Map<string, number>();
  let sent = 0;
  const load = steadyLoad(options.perSecond, async () => {
    const base = gateways[sent++ % gateways.length]!;
    const created = await jsonRequest(http, 'POST', `${base}/projects`, { token, body: { name: `load ${sent}` } });
    if (created.status === 201) acknowledged.push(created.body.project_id as string);
    else {
      const key = `${created.status} ${JSON.stringify(created.body).slice(0, 160)}`;
      refusals.set(key, (refusals.get(key) ?? 0) + 1);
    }
    return created.status === 201 ? 200 : created.status;
  });
  await sleep(options.beforeMs);
  const before = load.samples.map((sample) => sample.endedAt - sample.startedAt);
  const faultAt = Date.now();
  await options.fault();
  await sleep(options.afterMs);
  const samples = await load.stop();
  const slowMs = Math.max(250, 10 * median(before));
  const lost: string[] = [];
  for (const [index, projectId] of acknowledged.entries()) {
    const read = await jsonRequest(http, 'GET', `${gateways[index % gateways.length]}/projects/${projectId}`, { token });
    if (read.status !== 200) {
      lost.push(projectId);
      const key = `read ${read.status} ${JSON.stringify(read.body).slice(0, 160)}`;
      refusals.set(key, (refusals.get(key) ?? 0) + 1);
    }
  }
  const failed = samples.filter((sample) => sample.status !== 200).length;
  const disturbedMs = disturbedForMs(samples, faultAt, slowMs);
  const failedStarts = samples.filter((sample) => sample.status !== 200).map((sample) => sample.startedAt - faultAt);
  const failoverMs = failedStarts.length === 0 ? 0 : Math.max(0, ...failedStarts);
  const waits = samples
    .filter((sample) => sample.endedAt >= faultAt && sample.startedAt < faultAt + FAILOVER_WINDOW_MS)
    .map((sample) => sample.endedAt - Math.max(sample.startedAt, faultAt));
  const failoverWaitMs = Math.max(0, ...waits);
  return {
    samples,
    faultAt,
    disturbedMs,
    failoverMs,
    failoverWaitMs,
    failed,
    acknowledged: acknowledged.length,
    lost,
    summary:
      `${samples.length} writes at ${options.perSecond}/s, median ${median(before)} ms before the fault; fault -> start of the last failed ` +
      `write (failover): ${failoverMs} ms; fault -> end of the last failed or slow (> ${slowMs} ms) write: ${disturbedMs} ms; ` +
      `longest wait of a write in flight at the fault or sent in the ${FAILOVER_WINDOW_MS} ms after it: ${failoverWaitMs} ms; ` +
      `failed ${failed}; acknowledged ${acknowledged.length}, lost ${lost.length}` +
      [...refusals].map(([answer, count]) => `\n  ${count} x ${answer}`).join(''),
  };
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until `gateway` answers the client API and its mesh view (`GET /mesh/status`) has
 * `expected` instances of each service in rotation; registers a user for it on the way. Returns
 * that user's token. Throws with the last view seen after `timeoutMs`.
 */
export const waitForTopology = async (
  http: Dispatcher,
  gateway: string,
  expected: Readonly<Record<string, number>>,
  timeoutMs = 180_000,
): Promise<string> => {
  const deadline = Date.now() + timeoutMs;
  const email = `topology-${Date.now()}-${randomUUID().slice(0, 8)}@example.test`;
  const password = 'correct horse battery';
  let token: string | undefined;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      if (token === undefined) {
        const registered = await jsonRequest(http, 'POST', `${gateway}/auth/register`, { body: { email, password, name: 'Topo' } });
        last = `register: ${registered.status}`;
        const login = await jsonRequest(http, 'POST', `${gateway}/auth/login`, { body: { email, password } });
        last = `login: ${login.status}`;
        if (login.status === 200) token = login.body.access_token as string;
      } else {
        const status = await jsonRequest(http, 'GET', `${gateway}/mesh/status`, { token });
        const services = (status.body?.services ?? []) as { service: string; instances: { in_rotation: boolean }[] }[];
        const seen = Object.fromEntries(services.map((entry) => [entry.service, entry.instances.filter((i) => i.in_rotation).length]));
        last = JSON.stringify(seen);
        if (Object.entries(expected).every(([service, count]) => seen[service] === count)) return token;
      }
    } catch (error) {
      last = String(error);
    }
    await sleep(500);
  }
  throw new Error(`the mesh behind ${gateway} did not reach ${JSON.stringify(expected)} within ${timeoutMs} ms; last: ${last}`);
};
