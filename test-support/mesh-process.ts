import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_DATA_DIR } from './test-mesh.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A mesh process started from the sources, as `npm start -- --service ...` runs it after a build. */
export interface MeshProcess {
  readonly pid: number;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves once a line matching `pattern` was printed; rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then the exit code (null when killed by a signal). */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash, no clean shutdown. */
  kill(): Promise<void>;
}

/**
 * Starts `composition/main.ts` with the given services and environment (tsx, no build; or the build,
 * with `entry`) and waits until it logs `mesh ready`. Ports come from `env` (use free ports: several
 * processes run at once).
 */
export const startMeshProcess = async (
  services: readonly string[],
  env: Readonly<Record<string, string>>,
  timeoutMs = 60_000,
  /** Extra node flags, e.g. `--cpu-prof` (which NODE_OPTIONS refuses). */
  nodeArgs: readonly string[] = [],
  /** A command that runs node for it, e.g. `['ip', 'netns', 'exec', 'host-a']` (it must exec, so the pid is node's). */
  runIn: readonly string[] = [],
  /** `build`: `dist/composition/main.js`, as `npm start` runs it (build first); `sources`: tsx, no build. */
  entry: 'sources' | 'build' = 'sources',
): Promise<MeshProcess> => {
  const main = entry === 'build' ? ['dist/composition/main.js'] : ['--import', 'tsx', 'composition/main.ts'];
  const args = [...nodeArgs, ...main, ...services.flatMap((service) => ['--service', service])];
  const [command, ...prefix] = [...runIn, process.execPath];
  const child: ChildProcessWithoutNullStreams = spawn(command!, [...prefix, ...args], {
    cwd: repoRoot,
    env: {
      ...process.env,
      LOG_LEVEL: 'info',
      AUTH_PASSWORD_HASH_COST: '1024',
      // Many registrations from loopback, cheap hashes: the bounds are tested in contract-tests/auth.
      AUTH_REGISTRATIONS_PER_ADDRESS: '100000',
      AUTH_PASSWORD_HASH_QUEUE: '10000',
      // One key for every process of a test, as a deployment sets one: auth believes the gateway's signed addresses.
      MESH_FORWARDING_KEY: 'meshwork-test-forwarding-key-0123456789',
      MESH_STORAGE: 'memory',
      MESH_TLS: 'off',
      DATA_DIR: TEST_DATA_DIR,
      ...env,
    },
  });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString();
    listeners.forEach((listener) => listener());
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = once(child, 'exit') as Promise<[number | null]>;

  const waitFor = (pattern: RegExp, limitMs = timeoutMs) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(text)) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no output matching ${pattern} within ${limitMs} ms:\n${text}`));
      }, limitMs);
      const onExit = () => {
        done();
        reject(new Error(`the mesh process exited before printing ${pattern}:\n${text}`));
      };
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
        child.off('exit', onExit);
      };
      listeners.add(check);
      child.once('exit', onExit);
      check();
    });

  const handle: MeshProcess = {
    pid: child.pid!,
    output: () => text,
    waitFor,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const [code] = await exited;
      return code;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  try {
    await waitFor(/"msg":"mesh ready"/);
  } catch (error) {
    await handle.kill();
    throw error;
  }
  return handle;
};

/** Gateway rate limits out of the way, for tests that put a steady load through one client address and user. */
export const UNTHROTTLED_GATEWAY: Readonly<Record<string, string>> = {
  GATEWAY_RATE_PER_USER: '100000',
  GATEWAY_RATE_BURST_PER_USER: '100000',
  GATEWAY_RATE_PER_ADDRESS: '100000',
  GATEWAY_RATE_BURST_PER_ADDRESS: '100000',
};
