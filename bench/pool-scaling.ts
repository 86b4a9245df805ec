/**
 * Pool size against offered load, up and down: drives two real connection pools (the policy with
 * the evidence minimum of docs/adr/0059, and the same policy without it) to one real gRPC server
 * with the same open-loop load, samples their size, and draws bench/pool-scaling.svg, rendered to
 * bench/pool-scaling.png by headless Chromium.
 *
 *   npm run bench:pool-scaling                 (about 5 minutes; CHROMIUM=/path/to/chromium to choose the browser)
 *   npm run bench:pool-scaling -- --render     (draws the PNG again from bench/pool-scaling.json)
 *
 * The first minute runs in real time. The 5-minute quiet period of the scale-down is not waited
 * for: from then on the pools' clock is a manual one that jumps 30 s per step while each step
 * runs a little real load, and the scale-down check (every 30 s in the mesh) is called once per step.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Metadata, status } from '@grpc/grpc-js';
import { AuthServiceClient, ValidateTokenRequest } from '../adapters/grpc/generated/auth.js';
import { GrpcChannelPool } from '../adapters/grpc/mesh/grpc-channel-pool.js';
import { DEFAULT_MESH_CHANNEL_OPTIONS } from '../adapters/grpc/mesh/mesh-options.js';
import { PoolAutoscaler } from '../adapters/grpc/mesh/pool-autoscaler.js';
import { createLogger } from '../adapters/observability/logger.js';
import { poolScalingConfig, type PoolScalingConfig } from '../core/pool-scaling/config.js';
import { GlobalConnectionScaler } from '../core/pool-scaling/global-connection-scaler.js';
import { startPacedBackendProcess } from './support/backend-process.js';
import { renderPoolScalingSvg, type PoolScalingRun, type PoolScalingSample } from './support/pool-scaling-chart.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The manual-clock part: 20 to 5 connections takes 15 quiet periods of 5.5 minutes (5 minutes, then the next 30 s check). */
const MANUAL_MINUTES = 115;
const BURST_AT_MINUTE = 95;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A clock that follows real time, plus whatever the script has skipped. */
class ManualClock {
  skippedMs = 0;
  private readonly origin = Date.now();
  now(): number {
    return Date.now() + this.skippedMs;
  }
  /** Seconds since the run began, on this clock. */
  elapsedS(): number {
    return (this.now() - this.origin) / 1000;
  }
}

interface DrivenPool {
  readonly name: string;
  readonly pool: GrpcChannelPool<AuthServiceClient>;
  readonly autoscaler: PoolAutoscaler;
}

const drivenPool = (name: string, address: string, scaling: PoolScalingConfig, clock: ManualClock): DrivenPool => {
  const pool = new GrpcChannelPool(
    AuthServiceClient,
    {
      service: 'auth',
      instanceId: name,
      address,
      scaling,
      maxPendingCalls: 200,
      maxStreamsPerConnection: 100,
      streamsBeforeSpreading: 64,
      channelOptions: DEFAULT_MESH_CHANNEL_OPTIONS,
      connectTimeoutMs: 5_000,
      clock,
      logger: createLogger('bench', 'silent'),
    },
    new GlobalConnectionScaler(),
  );
  const autoscaler = new PoolAutoscaler(pool, scaling, clock);
  autoscaler.start();
  return { name, pool, autoscaler };
};

/** One ValidateToken through the pool, taking `serviceMs` at the server; resolves when it ended, however it ended. */
const callThrough = (pool: GrpcChannelPool<AuthServiceClient>, clock: ManualClock, serviceMs: number): Promise<void> =>
  new Promise((resolve) => {
    const deadline = clock.now() + 5_000;
    pool.admit(
      deadline,
      (client, done) => {
        client.validateToken(
          ValidateTokenRequest.fromPartial({ token: String(serviceMs) }),
          new Metadata(),
          { deadline: Date.now() + 5_000 },
          (error) => {
            done(error ? error.code : status.OK, false, error?.metadata);
            resolve();
          },
        );
      },
      () => resolve(),
    );
  });

/** Open-loop arrivals at `rate()` calls per second to every pool, each taking `serviceMs()` at the server, until stopped. */
const offerLoad = (pools: readonly DrivenPool[], clock: ManualClock, rate: () => number, serviceMs: () => number) => {
  let due = 0;
  let last = performance.now();
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const now = performance.now();
    due += (rate() * (now - last)) / 1000;
    last = now;
    for (; due >= 1; due -= 1) {
      for (const { pool } of pools) {
        const call = callThrough(pool, clock, serviceMs());
        inFlight.add(call);
        void call.finally(() => inFlight.delete(call));
      }
    }
  }, 5);
  return {
    /** Resolves once no call is in flight (arrivals continue at `rate()`: set it to 0 first). */
    settled: async () => {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
    stop: async () => {
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
};

/** Writes the SVG and the PNG of a run. */
const draw = async (run: PoolScalingRun): Promise<void> => {
  const svg = renderPoolScalingSvg(run);
  await writeFile(join(here, 'pool-scaling.svg'), svg);
  await renderPng(svg, join(here, 'pool-scaling.png'));
};

const measure = async (): Promise<void> => {
  const loadAtStart = loadavg()[0]!;
  const backend = await startPacedBackendProcess();
  let serviceMs = 80;
  const clock = new ManualClock();
  // The scale-down check is called by the script, once per 30 s of the pools' clock (as the mesh's timer would).
  const cadence = { scaleDownCheckMs: 2 ** 31 - 1 };
  const pools = [
    drivenPool('with-evidence-minimum', backend.address, poolScalingConfig({ cadence }), clock),
    drivenPool('without', backend.address, poolScalingConfig({ cadence, thresholds: { minWindowCalls: 0 } }), clock),
  ];
  const samples: PoolScalingSample[] = [];
  let scaleUps: PoolScalingRun['scaleUps'] = { withMinimum: {}, withoutMinimum: {} };
  let offered = 0;
  const sample = (phase: PoolScalingSample['phase']) =>
    samples.push({
      phase,
      atS: clock.elapsedS(),
      offered,
      completed: pools[0]!.pool.metrics().requestsPerSecond,
      withMinimum: pools[0]!.pool.connectionCount(),
      withoutMinimum: pools[1]!.pool.connectionCount(),
    });
  let lastScaleDownCheck = clock.now();
  const checkScaleDown = () => {
    while (clock.now() - lastScaleDownCheck >= 30_000) {
      lastScaleDownCheck += 30_000;
      pools.forEach(({ autoscaler }) => autoscaler.checkScaleDown());
    }
  };
  const load = offerLoad(
    pools,
    clock,
    () => offered,
    () => serviceMs,
  );
  try {
    while (pools.some(({ pool }) => pool.snapshot().readyConnections < 5)) await sleep(10);

    // Real time. 0-10 s: a trickle of slow calls (80 ms each, 4 a second), as a fresh mesh sees its first requests.
    const realStart = clock.now();
    const realS = () => (clock.now() - realStart) / 1000;
    offered = 4;
    while (realS() < 10) {
      sample('real');
      await sleep(250);
    }
    // 10-60 s: fast calls (10 ms); the load ramps up to 250/s over 20 s, holds 10 s, ramps down to 10/s over 15 s.
    serviceMs = 10;
    while (realS() < 60) {
      const t = realS();
      offered = t < 30 ? 4 + ((250 - 4) * (t - 10)) / 20 : t < 40 ? 250 : t < 55 ? 250 - ((250 - 10) * (t - 40)) / 15 : 10;
      checkScaleDown();
      sample('real');
      await sleep(250);
    }

    // Manual clock: 30 s per step, 0.6 s of real load each (1.2 s in the burst, longer than the 1 s metrics window).
    const manualStart = clock.now();
    const minutes = () => (clock.now() - manualStart) / 60_000 + 1;
    while (minutes() < MANUAL_MINUTES) {
      const burst = minutes() >= BURST_AT_MINUTE && minutes() < BURST_AT_MINUTE + 1;
      offered = burst ? 200 : 10;
      const stepBegan = Date.now();
      await sleep(burst ? 1_200 : 600);
      checkScaleDown();
      sample('manual');
      // No call may be in flight while the clock jumps: it would count 30 s of latency.
      offered = 0;
      await load.settled();
      clock.skippedMs += 30_000 - (Date.now() - stepBegan);
    }
    scaleUps = { withMinimum: pools[0]!.pool.snapshot().scaleUps, withoutMinimum: pools[1]!.pool.snapshot().scaleUps };
  } finally {
    await load.stop();
    pools.forEach(({ pool, autoscaler }) => {
      autoscaler.stop();
      pool.close();
    });
    await backend.kill();
  }

  const run: PoolScalingRun = { samples, scaleUps, load: { start: loadAtStart, end: loadavg()[0]!, cores: cpus().length } };
  await writeFile(join(here, 'pool-scaling.json'), `${JSON.stringify(run)}\n`);
  await draw(run);
  const last = samples.at(-1)!;
  console.log(`pool-scaling: ${samples.length} samples; at the end ${last.withMinimum} and ${last.withoutMinimum} connections`);
  console.log(`scale-ups by trigger: ${JSON.stringify(scaleUps)}`);
};

/** The SVG as a PNG, through headless Chromium (TOOLCHAIN.md: /usr/bin/chromium). */
const renderPng = async (svg: string, out: string): Promise<void> => {
  const dir = await mkdtemp(join(tmpdir(), 'pool-scaling-'));
  try {
    const page = join(dir, 'chart.html');
    await writeFile(page, `<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`);
    const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
    await promisify(execFile)(chromium, [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${join(dir, 'profile')}`,
      `--screenshot=${out}`,
      '--window-size=1500,825',
      `file://${page}`,
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

if (process.argv.includes('--render')) await draw(JSON.parse(await readFile(join(here, 'pool-scaling.json'), 'utf8')) as PoolScalingRun);
else await measure();
