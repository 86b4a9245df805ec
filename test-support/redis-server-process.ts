import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';

/** One `redis-server` child process, started and stopped by pid. */
export interface RedisServerProcess {
  readonly port: number;
  readonly pid: number;
  /** Signals the process and resolves once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const live = new Map<number, ChildProcess>();

// Last resort when a test run dies without its afterAll: never leave a server behind.
process.once('exit', () => {
  for (const pid of live.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Sends PING over a raw socket; true on `+PONG`. */
export const pingRedis = (port: number, timeoutMs = 500): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `redis-server` on 127.0.0.1:`port` with its files in `dir` and resolves once it answers
 * PING. Rejects, with the tail of its log, if it exits first (port taken) or is not up in 10 s.
 */
export const spawnRedisServer = async (port: number, dir: string, extraArgs: readonly string[] = []): Promise<RedisServerProcess> => {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--logfile',
    'redis.log',
    '--save',
    '',
    '--protected-mode',
    'no',
    '--daemonize',
    'no',
    ...extraArgs,
  ];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('redis-server could not be spawned (is it installed?)');
  live.set(pid, child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(pid);
      resolve();
    });
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const deadline = Date.now() + 10_000;
  while (!(await pingRedis(port))) {
    if (hasExited || Date.now() > deadline) {
      if (!hasExited) child.kill('SIGKILL');
      await exited;
      const log = await readFile(join(dir, 'redis.log'), 'utf8').catch(() => '');
      throw new Error(`redis-server on port ${port} did not start:\n${log.split('\n').slice(-8).join('\n')}`);
    }
    await sleep(20);
  }

  return {
    port,
    pid,
    kill: async (signal = 'SIGTERM') => {
      if (!live.has(pid)) return;
      process.kill(pid, signal);
      const forced = setTimeout(() => live.has(pid) && process.kill(pid, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(forced);
    },
  };
};
