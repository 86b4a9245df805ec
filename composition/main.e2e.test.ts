import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { request } from 'undici';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { meshChannelCredentials } from '../adapters/grpc/mesh-tls-credentials.js';
import { checkHealth } from '../contract-tests/grpc/health-probe.js';
import { h2cAgent } from '../contract-tests/support/http2-client.js';
import { DefaultPorts, ServiceNames } from './config.js';

/** `npm start` builds first; on a cold machine that takes a while. */
const START_TIMEOUT_MS = 120_000;

const waitForLine = (child: ChildProcessWithoutNullStreams, pattern: RegExp, output: string[]): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in:\n${output.join('')}`)), START_TIMEOUT_MS);
    const check = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (pattern.test(output.join(''))) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code} before ready:\n${output.join('')}`)));
  });

describe('npm start', () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  afterAll(() => {
    // npm runs the mesh in a child of its own: on a failed test, kill the whole process group.
    if (child?.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  });

  it(
    'serves all eight ports on the specification defaults, gRPC under mutual TLS, and stops cleanly on SIGTERM',
    async () => {
      const output: string[] = [];
      const dataDir = await mkdtemp(join(tmpdir(), 'meshwork-start-'));
      onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
      child = spawn('npm', ['start', '--silent'], {
        env: { ...process.env, LOG_LEVEL: 'info', AUTH_PASSWORD_HASH_COST: '1024', DATA_DIR: dataDir },
        detached: true,
      });
      await waitForLine(child, /"msg":"mesh ready"/, output);

      // The development PKI made on first start: a mesh certificate gets an answer, plaintext does not.
      const pki = (...path: string[]) => readFile(join(dataDir, 'pki', ...path), 'utf8');
      const gateway = {
        services: ['api-gateway'],
        caPem: await pki('ca', 'cert.pem'),
        certPem: await pki('api-gateway', 'cert.pem'),
        keyPem: await pki('api-gateway', 'key.pem'),
      };
      await expect(checkHealth(`127.0.0.1:${DefaultPorts.auth.grpcPort}`, '', 5_000)).rejects.toMatchObject({ code: status.UNAVAILABLE });
      const h2 = h2cAgent();
      try {
        for (const service of ServiceNames) {
          const { grpcPort, httpPort } = DefaultPorts[service];
          expect(await checkHealth(`127.0.0.1:${grpcPort}`, '', 15_000, meshChannelCredentials(gateway, service))).toBe('SERVING');
          const http1 = await request(`http://127.0.0.1:${httpPort}/health`);
          expect(http1.statusCode).toBe(200);
          expect(await http1.body.json()).toMatchObject({ status: 'ok', service });
          const http2 = await request(`http://127.0.0.1:${httpPort}/health`, { dispatcher: h2 });
          expect(http2.statusCode).toBe(200);
          await http2.body.dump();
        }
      } finally {
        await h2.close();
      }
      const lines = output.join('').split('\n');
      expect(lines.filter((line) => line.includes('gRPC server listening'))).toHaveLength(4);
      expect(lines.filter((line) => line.includes('HTTP/2 (h2c) + HTTP/1.1 on'))).toHaveLength(4);

      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      expect(output.join('')).toContain('stopped cleanly');
    },
    START_TIMEOUT_MS + 30_000,
  );
});
