import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * Runs `redis-benchmark` (50 clients, pipelines of `pipeline`) with one command against the server
 * on `port` and answers its requests per second: the server's limit for that command, not a client's.
 */
export const redisBenchmark = async (port: number, requests: number, command: readonly string[], pipeline = 16): Promise<number> => {
  const { stdout } = await promisify(execFile)(
    'redis-benchmark',
    ['-p', String(port), '-n', String(requests), '-P', String(pipeline), '-q', ...command],
    { timeout: 60_000 },
  );
  const figures = [...stdout.matchAll(/([\d.]+) requests per second/g)];
  return Number(figures.at(-1)?.[1] ?? Number.NaN);
};

export const portOf = (url: string): number => Number(new URL(url).port);
