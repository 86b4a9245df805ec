import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { findFreePorts } from './free-ports.js';

/** A `prometheus` child process with its own storage in a temporary folder, stopped by pid. */
export interface PrometheusServer {
  readonly url: string;
  readonly pid: number;
  /** GET `path` of the HTTP API (`/api/v1/query?query=...`): the parsed `data` of a `success` answer. */
  api<T = unknown>(path: string): Promise<T>;
  /** SIGTERM, then SIGKILL after 5 s; deletes the folder. Idempotent. */
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** `static_configs` targets, `host:port`, all in one job named `meshwork`. */
  readonly targets: readonly string[];
  readonly scrapeIntervalSeconds?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts Debian's `prometheus` on a free 127.0.0.1 port scraping `targets`, and resolves once it is
 * ready. Rejects with its log's tail if it exits first or is not ready in 20 s.
 */
export const startPrometheus = async (options: PrometheusOptions): Promise<PrometheusServer> => {
  const dir = await mkdtemp(join(tmpdir(), 'meshwork-prometheus-'));
  const interval = options.scrapeIntervalSeconds ?? 1;
  const config = [
    'global:',
    `  scrape_interval: ${interval}s`,
    `  scrape_timeout: ${interval}s`,
    'scrape_configs:',
    '  - job_name: meshwork',
    '    static_configs:',
    `      - targets: [${options.targets.map((target) => `'${target}'`).join(', ')}]`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), config);
  const [port] = await findFreePorts(1);
  const log = join(dir, 'prometheus.log');
  const fd = openSync(log, 'a');
  const child = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
    ],
    { stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error('prometheus could not be spawned: install it with apt-get install -y prometheus');
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${port!}`;

  let stopped: Promise<void> | undefined;
  const server: PrometheusServer = {
    url,
    pid,
    async api<T>(path: string): Promise<T> {
      const response = await request(`${url}${path}`);
      const body = (await response.body.json()) as { status: string; data: T; error?: string };
      if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? body.status}`);
      return body.data;
    },
    stop() {
      stopped ??= (async () => {
        process.off('exit', killOnExit);
        if (!exited) {
          child.kill('SIGTERM');
          const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exit;
          clearTimeout(killed);
        }
        await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };

  for (const deadline = Date.now() + 20_000; Date.now() < deadline && !exited; await sleep(100)) {
    const ready = await request(`${url}/-/ready`).then(
      async (response) => (await response.body.text(), response.statusCode === 200),
      () => false,
    );
    if (ready) return server;
  }
  const tail = (await readFile(log, 'utf8').catch(() => '')).split('\n').slice(-10).join('\n');
  await server.stop();
  throw new Error(`prometheus on ${url} did not become ready${exited ? ' (it exited)' : ''}:\n${tail}`);
};
