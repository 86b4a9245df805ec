import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs composition/main.ts as `npm start` would (through tsx, no build), with only `env` and `args`. */
const runMain = (env: Record<string, string>, args: readonly string[] = []): Promise<Exit> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'composition/main.ts', ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });

describe('main with a bad configuration', () => {
  it('reports every bad value of every kind at once and exits with 2, starting nothing', async () => {
    const { code, stdout, stderr } = await runMain(
      {
        LOG_LEVEL: 'loud',
        AUTH_GRPC_PORT: 'ninety',
        GATEWAY_RATE_PER_USER: '0',
        GATEWAY_CORS_ORIGINS: 'app.example',
        GATEWAY_AUTH_TIMEOUT_MS: 'soon',
        REDIS_URL: 'http://cache:6379',
        REDIS_TLS: 'maybe',
        MESH_TLS: 'sometimes',
        MESH_TLS_CERT: '/etc/mesh/cert.pem',
        DATABASE_URL: 'mysql://db',
        MESH_INSTANCES: 'billing=2',
        METRICS_TOKEN: 'short',
      },
      ['--service', 'billing'],
    );

    expect(code).toBe(2);
    expect(stdout).toBe('');
    const problems = stderr.split('\n').filter((line) => line.startsWith('  - '));
    expect(problems).toEqual([
      '  - unknown service billing; choose from api-gateway, auth, project, simulation',
      "  - LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got 'loud'",
      '  - METRICS_TOKEN must be at least 16 characters',
      "  - AUTH_GRPC_PORT must be an integer from 0 to 65535; got 'ninety'",
      "  - DATABASE_URL must be a postgres:// or postgresql:// URL; got 'mysql://db'",
      "  - REDIS_URL must look like redis://host:port or redis://user:password@host:port/db; got 'http://cache:6379'",
      "  - REDIS_TLS must be one of on, off; got 'maybe'",
      "  - GATEWAY_CORS_ORIGINS entries must be scheme://host[:port] or *; got 'app.example'",
      "  - GATEWAY_RATE_PER_USER must be an integer from 1 to 1000000; got '0'",
      "  - GATEWAY_AUTH_TIMEOUT_MS must be an integer from 1 to 600000; got 'soon'",
      expect.stringMatching(/^ {2}- MESH_INSTANCES entries must be <service>=<1-20> .*; got 'billing=2'$/),
      "  - MESH_TLS must be one of on, off; got 'sometimes'",
      '  - MESH_TLS_CERT and MESH_TLS_KEY go together: set both or neither',
    ]);
    expect(stderr).toContain('npm start -- --help');
  });

  it('--help lists every setting with its default and what it does, and exits with 0', async () => {
    const { code, stdout } = await runMain({}, ['--help']);

    expect(code).toBe(0);
    expect(stdout).toContain('--instances <name>=<n>');
    expect(stdout).toMatch(
      /GATEWAY_AUTH_TIMEOUT_MS {2}default: 2000 ms {2}accepts: integer from 1 to 600000 \(ms\)\n {6}Deadline of the gateway's calls to auth\./,
    );
    expect(stdout).toMatch(/REDIS_URL {2}default: unset/);
    expect(stdout).toMatch(/LOG_LEVEL {2}default: info/);
  });
});
