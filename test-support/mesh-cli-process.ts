import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A script of this repository run from its sources (tsx) as a child process. */
export interface ScriptProcess {
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout or stderr matches `pattern`; rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** The exit code, after `signal` when given; SIGKILL if it has not exited within `timeoutMs`. */
  exit(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

interface ScriptOptions {
  readonly stdin?: string;
  /** Added to this process's environment, where REDIS_URL and REDIS_CLUSTER_NODES are cleared. */
  readonly env?: Record<string, string>;
}

/** Runs `entry` (a path from the repository's root) with `args`; stdout and stderr are pipes, not a terminal. */
export const startScript = (entry: string, args: readonly string[], options: ScriptOptions = {}): ScriptProcess => {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: repoRoot,
    env: { ...process.env, REDIS_URL: '', REDIS_CLUSTER_NODES: '', ...options.env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdin.end(options.stdin ?? '');
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    waitFor: async (pattern, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(out) && !pattern.test(err)) {
        if (child.exitCode !== null)
          throw new Error(`${entry} ${args.join(' ')} exited (${child.exitCode}) before printing ${pattern}:\n${out}${err}`);
        if (Date.now() > deadline) throw new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${out}${err}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    exit: async (signal, timeoutMs = 15_000) => {
      if (signal && child.exitCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
};

/** `npm run mesh -- <args>` as a child process (tsx, as the npm script runs it). */
export const startMeshCli = (args: readonly string[], options: ScriptOptions = {}): ScriptProcess =>
  startScript('composition/mesh-cli.ts', args, options);

/** Runs `npm run mesh -- <args>` to its end. */
export const runMeshCli = async (args: readonly string[], options: ScriptOptions = {}) => {
  const cli = startMeshCli(args, options);
  const code = await cli.exit(undefined, 45_000);
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
};
