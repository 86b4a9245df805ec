import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials, Metadata } from '@grpc/grpc-js';
import { SessionValidityCache } from '../../core/auth/index.js';
import type { Identity } from '../../core/gateway/index.js';
import { GlobalConnectionScaler } from '../../core/pool-scaling/global-connection-scaler.js';
import { GrpcAuthClient } from '../../adapters/grpc/auth/auth-grpc-client.js';
import { LocalTokenAuthenticator } from '../../adapters/grpc/gateway/local-token-authenticator.js';
import { RemoteSigningKeys } from '../../adapters/grpc/gateway/remote-signing-keys.js';
import { AuthServiceClient, ValidateTokenRequest } from '../../adapters/grpc/generated/auth.js';
import { MeshClient } from '../../adapters/grpc/mesh/mesh-client.js';
import { createLogger } from '../../adapters/observability/logger.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { FixedInstanceSource, instanceAt } from '../../contract-tests/mesh/test-instances.js';
import { findFreePorts } from '../../test-support/free-ports.js';
import { median, row, sleep, type BenchRow, type BenchScenario } from '../support/bench-types.js';
import { timedBatch } from '../support/closed-loop.js';
import { openLoop, summarise } from '../support/latency.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const USERS = 200;
const TIMEOUT_MS = 10_000;
const CALLS_PER_STEP: Readonly<Record<number, number>> = { 1: 200, 16: 1_000, 64: 2_000 };
const OPEN_LOOP = { perSecond: 5_000, durationMs: 1_000 };
/** Calls per round of the local authenticator (it answers from memory: fewer would time mostly the loop). */
const LOCAL_CALLS = 20_000;

/**
 * Token validation as the gateway sees it (issue 9), against a real auth service in its own
 * process: ValidateToken through our mesh client, and the gateway's local-verifying authenticator
 * (signature checked with auth's public keys, session cached and evicted by auth's events), each
 * against a bare @grpc/grpc-js ValidateToken on the same server, in alternating steps.
 */
export const scenario: BenchScenario = {
  name: 'token-validation',
  title: 'Token validation at the gateway: mesh ValidateToken and local verification against bare grpc-js',
  run: async ({ rounds }) => {
    const auth = await startTokenAuth();
    const address = `127.0.0.1:${auth.port}`;
    const instances = new FixedInstanceSource();
    instances.set('auth', [instanceAt('auth', 'a', address)]);
    const logger = createLogger('bench', 'silent');
    const mesh = new MeshClient(AuthServiceClient, {
      service: 'auth',
      instances,
      scaler: new GlobalConnectionScaler(),
      settings: { timeoutMs: TIMEOUT_MS },
      logger,
    });
    const bare = new AuthServiceClient(address, credentials.createInsecure());
    const clock = new SystemClock();
    const gatewayClient = new GrpcAuthClient(mesh, { callingService: 'api-gateway' });
    const local = new LocalTokenAuthenticator({
      auth: gatewayClient,
      keys: new RemoteSigningKeys(gatewayClient, clock),
      sessions: new SessionValidityCache<Identity>(clock),
      clock,
    });
    // The same, verifying the signature on every call (nothing remembered): the cost of the check itself.
    const everyCall = new LocalTokenAuthenticator({
      auth: gatewayClient,
      keys: new RemoteSigningKeys(gatewayClient, clock),
      sessions: new SessionValidityCache<Identity>(clock),
      clock,
      verifiedTokens: 0,
    });
    let next = 0;
    const token = () => auth.tokens[(next += 1) % auth.tokens.length]!;
    const viaMesh = async () => {
      const answer = await mesh.call('validateToken', ValidateTokenRequest.fromPartial({ token: token(), callingService: 'bench' }));
      if (!answer.ok || !answer.value.valid) throw new Error('mesh ValidateToken refused a valid token');
    };
    const viaBare = () =>
      new Promise<void>((resolve, reject) =>
        bare.validateToken(
          ValidateTokenRequest.fromPartial({ token: token(), callingService: 'bench' }),
          new Metadata(),
          { deadline: Date.now() + TIMEOUT_MS },
          (error, answer) => (error || !answer?.valid ? reject(error ?? new Error('refused')) : resolve()),
        ),
      );
    const viaLocal = async () => {
      const answer = await local.authenticate(token());
      if (!answer.ok) throw new Error(`local authenticator refused a valid token: ${answer.error.code}`);
    };
    const viaEveryCall = async () => {
      const answer = await everyCall.authenticate(token());
      if (!answer.ok) throw new Error(`local authenticator refused a valid token: ${answer.error.code}`);
    };
    try {
      for (const call of [viaMesh, viaBare, viaLocal, viaEveryCall]) await timedBatch(2_000, 16, call); // warm-up; every session cached once
      await sleep(200);
      const rows: BenchRow[] = [];
      // The mesh client against bare grpc-js, step by step; bare's figures are the baseline of the local rows too.
      const bareRounds = new Map<number, number[]>();
      for (const concurrency of [1, 16, 64]) {
        const perRound = { ours: [] as number[], bare: [] as number[], ratio: [] as number[] };
        for (let round = 0; round < rounds; round += 1) {
          const measured = await interleaved(CALLS_PER_STEP[concurrency]!, concurrency, viaMesh, viaBare);
          perRound.ours.push(measured.ours);
          perRound.bare.push(measured.bare);
          perRound.ratio.push(measured.ratio);
        }
        bareRounds.set(concurrency, perRound.bare);
        rows.push(throughputRow('mesh client ValidateToken', concurrency, perRound, 0.9));
      }
      // Local verification is hundreds of times faster: timed alone, its ratio taken against bare's rate of the same round.
      for (const [name, ours, target] of [
        ['gateway local verification', viaLocal, 5],
        // For information: what the Ed25519 check costs when nothing is remembered (CPU-bound).
        ['gateway local verification, signature checked on every call', viaEveryCall, undefined],
      ] as const) {
        for (const concurrency of name.endsWith('every call') ? [16] : [1, 16, 64]) {
          const bareRates = bareRounds.get(concurrency)!;
          const calls = name.endsWith('every call') ? 2_000 : LOCAL_CALLS;
          const perRound = { ours: [] as number[], bare: bareRates, ratio: [] as number[] };
          for (let round = 0; round < rounds; round += 1) {
            const rate = calls / ((await timedBatch(calls, concurrency, ours)) / 1e9);
            perRound.ours.push(rate);
            perRound.ratio.push(rate / bareRates[round]!);
          }
          rows.push(throughputRow(name, concurrency, perRound, target));
        }
      }
      const p99: number[] = [];
      const everyCallP99: number[] = [];
      const bareP99: number[] = [];
      for (let round = 0; round < rounds; round += 1) {
        p99.push(await openLoopP99(viaLocal));
        everyCallP99.push(await openLoopP99(viaEveryCall));
        bareP99.push(await openLoopP99(viaBare));
      }
      rows.push(
        row({
          metric: `gateway local verification, p99 latency at ${OPEN_LOOP.perSecond} req/s`,
          unit: 'ms',
          rounds: p99,
          baseline: { name: 'bare grpc-js ValidateToken', rounds: bareP99 },
          better: 'lower',
          target: '< 1 ms',
          meets: (value) => value < 1,
        }),
        row({
          metric: `gateway local verification, signature checked on every call, p99 latency at ${OPEN_LOOP.perSecond} req/s`,
          unit: 'ms',
          rounds: everyCallP99,
          better: 'lower',
        }),
      );
      return {
        rows,
        method:
          `A real auth service (in-memory repositories) in a child process, ${USERS} logged-in users' tokens used in turn; ` +
          `4 alternating steps per round of ${Object.entries(CALLS_PER_STEP)
            .map(([c, n]) => `${n} calls at ${c}`)
            .join(', ')} callers ` +
          `of the mesh client against bare grpc-js on the same server; the local authenticator timed alone (${LOCAL_CALLS} calls per round) ` +
          `against bare's rate of the same round; then an open loop of ${OPEN_LOOP.perSecond} req/s for ${OPEN_LOOP.durationMs / 1000} s. ` +
          'The local authenticator verifies each token signature once (then remembers it until expiry) and asks auth once per session.',
      };
    } finally {
      mesh.close();
      bare.close();
      await auth.kill();
    }
  },
};

const throughputRow = (
  name: string,
  concurrency: number,
  perRound: { readonly ours: number[]; readonly bare: number[]; readonly ratio: number[] },
  target: number | undefined,
): BenchRow =>
  row({
    metric: `${name}, throughput at concurrency ${concurrency}`,
    unit: 'validations/s',
    rounds: perRound.ours,
    baseline: { name: 'bare grpc-js ValidateToken', rounds: perRound.bare },
    better: 'higher',
    ...(target !== undefined && {
      target: `>= ${target}x bare (median of round ratios ${median(perRound.ratio).toFixed(2)})`,
      meets: () => median(perRound.ratio) >= target,
    }),
  });

const openLoopP99 = async (call: () => Promise<void>): Promise<number> => {
  const latencies: number[] = [];
  await openLoop(OPEN_LOOP.perSecond, OPEN_LOOP.durationMs, async () => {
    const started = performance.now();
    await call();
    latencies.push(performance.now() - started);
  });
  return summarise(latencies).p99;
};

/** Alternating steps of `count` calls (who goes first alternates too); rates from the totals, ratio from pairs. */
const interleaved = async (count: number, concurrency: number, ours: () => Promise<void>, bare: () => Promise<void>) => {
  const elapsed = { ours: 0, bare: 0 };
  const pairRatios: number[] = [];
  for (let step = 0; step < 4; step += 1) {
    const first = step % 2 === 0;
    const a = await timedBatch(count, concurrency, first ? ours : bare);
    const b = await timedBatch(count, concurrency, first ? bare : ours);
    const [oursNs, bareNs] = first ? [a, b] : [b, a];
    elapsed.ours += oursNs;
    elapsed.bare += bareNs;
    pairRatios.push(bareNs / oursNs);
  }
  const total = count * 4;
  return { ours: total / (elapsed.ours / 1e9), bare: total / (elapsed.bare / 1e9), ratio: median(pairRatios) };
};

/** The real auth service in a child process, with its users' tokens. */
const startTokenAuth = async (): Promise<{ port: number; tokens: string[]; kill(): Promise<void> }> => {
  const [port] = await findFreePorts(1);
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/token-auth-main.ts', String(port), String(USERS)], {
    cwd: repoRoot,
  });
  const exited = once(child, 'exit');
  let output = '';
  const tokens = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`token auth not ready:\n${output.slice(-2_000)}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const listed = /^tokens (.*)$/m.exec(output);
      if (!listed || !output.includes(`ready ${port}`)) return;
      clearTimeout(timer);
      resolve(JSON.parse(listed[1]!) as string[]);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`token auth exited with ${code}:\n${output.slice(-2_000)}`)));
  });
  return {
    port: port!,
    tokens,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
};
