import { describe, expect, it } from 'vitest';
import { startScript } from '../../test-support/mesh-cli-process.js';

const ephemeralPorts = Object.fromEntries(
  ['GATEWAY', 'AUTH', 'PROJECT', 'SIMULATION'].flatMap((prefix) => [
    [`${prefix}_GRPC_PORT`, '0'],
    [`${prefix}_HTTP_PORT`, '0'],
  ]),
);

describe('npm start with LOG_FORMAT=pretty', () => {
  it('logs readable lines, then a banner with the dashboard URL and every port, and stops on SIGTERM', { timeout: 90_000 }, async () => {
    const env = {
      ...ephemeralPorts,
      LOG_FORMAT: 'pretty',
      LOG_LEVEL: 'info',
      MESH_STORAGE: 'memory',
      MESH_TLS: 'off',
      AUTH_PASSWORD_HASH_COST: '1024',
    };
    const mesh = startScript('composition/main.ts', [], { env });
    try {
      await mesh.waitFor(/stop {9}Ctrl-C/, 60_000);
      const output = mesh.stdout();
      expect(output).not.toContain('{"level"');
      expect(output).toMatch(
        /^\d\d:\d\d:\d\d\.\d{3} INFO {2}meshwork: mesh ready services=\["auth","project","simulation","api-gateway"\] /m,
      );
      const http = /^ {2}api-gateway +\S+ +gRPC (\d+) +HTTP (\d+)$/m.exec(output);
      expect(http).not.toBeNull();
      expect(output).toContain(`dashboard    http://127.0.0.1:${http![2]}/`);
      for (const service of ['auth', 'project', 'simulation'])
        expect(output).toMatch(new RegExp(`^ {2}${service} +\\S+ +gRPC \\d+ +HTTP \\d+$`, 'm'));
      expect(output.indexOf('meshwork is running')).toBeGreaterThan(output.indexOf('mesh ready'));
      const page = await fetch(`http://127.0.0.1:${http![2]}/`);
      expect(page.status).toBe(200);
      expect(await mesh.exit('SIGTERM', 30_000)).toBe(0);
      expect(mesh.stdout()).toMatch(/INFO {2}meshwork: stopped cleanly/);
    } finally {
      await mesh.exit('SIGKILL', 1_000);
    }
  });
});
