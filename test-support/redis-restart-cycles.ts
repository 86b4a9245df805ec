import { redisConfigToEnv, type RedisConfig } from '../adapters/redis/redis-config.js';
import { waitFor } from '../contract-tests/messaging/wait.js';
import { h2cAgent } from '../contract-tests/support/http2-client.js';
import { findFreePorts } from './free-ports.js';
import { startMeshProcess, UNTHROTTLED_GATEWAY, type MeshProcess } from './mesh-process.js';
import { startMixedLoad, type CallKind, type CallSample, type MixedLoad } from './mesh-fault-load.js';

/** `npm start` (all four services in one process) on `redis`, under the mixed load. */
export interface LoadedMesh {
  readonly mesh: MeshProcess;
  readonly load: MixedLoad;
  /** Stops the load and the mesh. */
  close(): Promise<void>;
}

export const startLoadedMesh = async (redis: RedisConfig): Promise<LoadedMesh> => {
  const ports = (await findFreePorts(8)).map(String);
  const [authG, authH, projG, projH, simG, simH, gwG, gwH] = ports as [string, string, string, string, string, string, string, string];
  const mesh = await startMeshProcess([], {
    ...redisConfigToEnv(redis),
    ...UNTHROTTLED_GATEWAY,
    AUTH_GRPC_PORT: authG,
    AUTH_HTTP_PORT: authH,
    PROJECT_GRPC_PORT: projG,
    PROJECT_HTTP_PORT: projH,
    SIMULATION_GRPC_PORT: simG,
    SIMULATION_HTTP_PORT: simH,
    GATEWAY_GRPC_PORT: gwG,
    GATEWAY_HTTP_PORT: gwH,
    SIMULATION_UPDATES_PER_SECOND: '100',
  });
  const http = h2cAgent();
  try {
    const load = await startMixedLoad({ base: `http://127.0.0.1:${gwH}`, http });
    return {
      mesh,
      load,
      close: async () => {
        await load.stop();
        await mesh.kill();
        await http.close();
      },
    };
  } catch (error) {
    await mesh.kill();
    await http.close();
    throw error;
  }
};

/** One outage: when Redis was killed, and when it served again (restarted, or a replica promoted). */
export interface Outage {
  readonly killedAt: number;
  readonly restoredAt: number;
}

/** What one outage did to the load. */
export interface CycleFigures extends Outage {
  /** From `restoredAt` until every kind of call, stream and job worked again and no call failed afterwards. */
  readonly recoveryMs: number;
  /** The same for the calls and streams alone, without the jobs. */
  readonly callsRecoveryMs: number;
  /** What recovered last. */
  readonly lastToRecover: string;
}

export interface RestartFigures {
  readonly cycles: readonly CycleFigures[];
  readonly calls: number;
  readonly failed: readonly CallSample[];
  readonly longestCallMs: number;
  /** 99 % of the calls took at most this. */
  readonly p99CallMs: number;
  readonly maxRecoveryMs: number;
  readonly maxCallsRecoveryMs: number;
}

const kinds: readonly CallKind[] = ['login', 'register', 'project-write', 'report'];

/** What must work again after an outage: each kind of call, each stream, the report and email jobs. */
const expected = (load: MixedLoad): string[] => [...kinds, ...load.streamArrivals.map((_, i) => `stream ${i}`), 'report job', 'email job'];

/** When the mesh logged the welcome email to `email` (its own log time), if it did. Searched, not split: the log grows large. */
const EMAIL_DONE = ['email written to a file (no MESH_SMTP_URL)', 'email sent over SMTP', 'email sent to log outbox'];

const emailSentAt = (mesh: MeshProcess, email: string): number | undefined => {
  const text = mesh.output();
  for (let at = text.indexOf(`"to":"${email}"`); at >= 0; at = text.indexOf(`"to":"${email}"`, at + 1)) {
    const line = text.slice(text.lastIndexOf('\n', at) + 1, text.indexOf('\n', at));
    // Whichever sender the mesh runs: .eml files by default, SMTP or the log outbox (ADR 0055).
    if (EMAIL_DONE.some((msg) => line.includes(`"msg":"${msg}"`))) return JSON.parse(line).time as number;
  }
  return undefined;
};

/**
 * Runs `outages` faults one after the other under `load`, and after each waits until the mesh has
 * recovered: each kind of call answered 2xx, each watcher got a new stream sample, a report job
 * and a welcome-email job done; then `steadyMs` more. The recovery of a cycle ends with the last
 * of these, or with the end of the last call that failed after Redis was back if later. Gives up
 * on a cycle after `limitMs` (its recovery is then infinite).
 */
export const runRestartCycles = async (
  outages: number,
  fault: (cycle: number) => Promise<Outage>,
  load: MixedLoad,
  mesh: MeshProcess,
  { limitMs = 10_000, steadyMs = 1_000 }: { readonly limitMs?: number; readonly steadyMs?: number } = {},
): Promise<CycleFigures[]> => {
  const cycles: CycleFigures[] = [];
  for (let cycle = 0; cycle < outages; cycle += 1) {
    const outage = await fault(cycle);
    const { restoredAt } = outage;
    const recovered = new Map<string, number>();
    let reportProblem = '';
    const report = load.reportReady(limitMs).then(
      (at) => recovered.set('report job', at),
      (error: unknown) => (reportProblem = String(error)),
    );
    try {
      await waitFor(
        () => {
          // A kind of call counts once one succeeded; it recovered when its last failure ended (below).
          for (const kind of kinds) {
            const ok = load.samples.some((s) => s.kind === kind && s.startedAt >= restoredAt && s.status >= 200 && s.status < 300);
            if (ok && !recovered.has(kind)) recovered.set(kind, restoredAt);
          }
          load.streamArrivals.forEach((arrivals, i) => {
            const at = arrivals.find((time) => time >= restoredAt);
            if (at !== undefined && !recovered.has(`stream ${i}`)) recovered.set(`stream ${i}`, at);
          });
          const email = recovered.has('email job')
            ? undefined
            : [...load.registered].find(([, answeredAt]) => answeredAt >= restoredAt)?.[0];
          const sentAt = email === undefined ? undefined : emailSentAt(mesh, email);
          if (sentAt !== undefined) recovered.set('email job', sentAt);
          return expected(load).every((what) => recovered.has(what));
        },
        limitMs,
        'the mesh to recover',
      );
    } catch {
      // Recorded below as a recovery past the limit.
    }
    await report;
    await new Promise((resolve) => setTimeout(resolve, steadyMs));
    for (const failed of load.samples.filter((s) => s.startedAt >= restoredAt && (s.status < 200 || s.status >= 300))) {
      if (recovered.has(failed.kind)) recovered.set(failed.kind, Math.max(recovered.get(failed.kind)!, failed.endedAt));
    }
    const complete = expected(load).every((what) => recovered.has(what));
    const [lastToRecover, at] = [...recovered].reduce((latest, entry) => (entry[1] > latest[1] ? entry : latest), ['nothing', restoredAt]);
    const answers = (kind: string): string =>
      load.samples
        .filter((s) => s.kind === kind && s.startedAt >= restoredAt)
        .map((s) => s.status)
        .join('/');
    const missing = expected(load)
      .filter((what) => !recovered.has(what))
      .map((what) => (kinds.includes(what as CallKind) ? `${what} (answered ${answers(what) || 'nothing'})` : what));
    const never = complete ? '' : `never: ${missing.join(', ')} ${reportProblem}`;
    const recoveryMs = complete ? at - restoredAt : Number.POSITIVE_INFINITY;
    const callsAt = Math.max(restoredAt, ...[...recovered].filter(([what]) => !what.endsWith(' job')).map(([, time]) => time));
    const callsRecoveryMs = complete ? callsAt - restoredAt : Number.POSITIVE_INFINITY;
    cycles.push({ ...outage, recoveryMs, callsRecoveryMs, lastToRecover: complete ? lastToRecover : never });
  }
  return cycles;
};

/** The figures of a run: every call, the failed ones, the longest call and the slowest recovery. */
export const restartFigures = (cycles: readonly CycleFigures[], samples: readonly CallSample[]): RestartFigures => ({
  cycles,
  calls: samples.length,
  failed: samples.filter((s) => s.status < 200 || s.status >= 300),
  longestCallMs: Math.max(...samples.map((s) => s.endedAt - s.startedAt)),
  p99CallMs: samples.map((s) => s.endedAt - s.startedAt).sort((a, b) => a - b)[Math.floor(samples.length * 0.99)] ?? 0,
  maxRecoveryMs: Math.max(...cycles.map((c) => c.recoveryMs)),
  maxCallsRecoveryMs: Math.max(...cycles.map((c) => c.callsRecoveryMs)),
});

/** The warnings and errors the mesh logged, most frequent first: `count× message (first error)`. */
export const meshComplaints = (mesh: MeshProcess, top = 8): string => {
  const counts = new Map<string, number>();
  for (const line of mesh.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } | string };
    if ((entry.level ?? 0) < 40) continue;
    const err = typeof entry.err === 'string' ? entry.err : entry.err?.message;
    const key = `${entry.msg}${err ? ` (${err.replace(/[0-9a-f-]{36}/g, '<id>').slice(0, 100)})` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, count]) => `${count}× ${key}`)
    .join('; ');
};

/** How slow the calls of the load are before any fault, on this machine now. */
export interface Baseline {
  readonly calls: number;
  readonly p99CallMs: number;
  readonly slowestCallMs: number;
}

/**
 * Lets the load run `ms` without a fault and measures its calls: on a loaded machine a call may
 * take this long without Redis having anything to do with it, so the bounds allow for it.
 */
export const measureBaseline = async (load: MixedLoad, ms: number): Promise<Baseline> => {
  const from = Date.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const durations = load.samples
    .filter((s) => s.startedAt >= from)
    .map((s) => s.endedAt - s.startedAt)
    .sort((a, b) => a - b);
  return {
    calls: durations.length,
    p99CallMs: durations[Math.floor(durations.length * 0.99)] ?? 0,
    slowestCallMs: durations.at(-1) ?? 0,
  };
};
