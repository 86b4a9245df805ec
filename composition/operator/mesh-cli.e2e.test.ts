import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshStatus } from '../../adapters/http/dashboard/mesh-status.js';
import { findFreePorts } from '../../test-support/free-ports.js';
import { aUser, type TestUser } from '../../test-support/gateway-users.js';
import { runMeshCli, startMeshCli } from '../../test-support/mesh-cli-process.js';
import { startTestMesh } from '../../test-support/test-mesh.js';
import type { RunningMesh } from '../launcher.js';

/** `npm run mesh -- ...` as a child process against a real mesh and the shared Redis. */
describe('npm run mesh', { timeout: 60_000 }, () => {
  let mesh: RunningMesh;
  let base: string;
  let user: TestUser;
  const http = new Agent({ allowH2: true });

  // Right after start, on a loaded machine, the gateway may not reach auth yet (503): retry for a while.
  const signedInOperator = async (): Promise<TestUser> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await aUser(http, base, 'operator');
      } catch (error) {
        if (attempt === 20 || !String(error).includes('answered 503')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };

  beforeAll(async () => {
    // A loaded machine (two cores, many test processes) must not turn a slow auth call into a 503.
    const deadlines = { GATEWAY_AUTH_TIMEOUT_MS: '15000', GATEWAY_PROJECT_TIMEOUT_MS: '15000', GATEWAY_SIMULATION_TIMEOUT_MS: '15000' };
    mesh = await startTestMesh(deadlines);
    base = `http://127.0.0.1:${mesh.services.get('api-gateway')!.http.port}`;
    user = await signedInOperator();
  });

  afterAll(async () => {
    await mesh?.stop();
    await http.close();
  });

  it('status prints a table of every service with its instances, health, pools and breakers', async () => {
    // Calls through the gateway give it pools and breakers to show.
    await fetch(`${base}/projects`, { headers: { authorization: `Bearer ${user.token}` } });
    const { code, stdout, stderr } = await runMeshCli(['status', '--url', base, '--email', user.email], {
      stdin: 'correct horse battery\n',
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^registry: memory {3}observed: \d{4}-\d\d-\d\dT/);
    expect(lines).toContainEqual(
      expect.stringMatching(/^SERVICE +INSTANCE +STATUS +IN ROTATION +POOL conn\/ready\/in-flight\/queued +BREAKER +CALLS$/),
    );
    for (const service of ['api-gateway', 'auth', 'project', 'simulation']) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${service} +\\S+ +healthy +yes `)));
    }
    expect(lines).toContainEqual(expect.stringMatching(/^project +project-\S+ +\S+ +yes +\d+\/\d+\/0\/0 +closed +[1-9]\d*$/));
    expect(stdout).toContain("health checks by the gateway's process:");
  });

  it('status --json prints the GET /mesh/status document', async () => {
    const { code, stdout } = await runMeshCli(['status', '--json', '--url', base, '--token', user.token]);
    expect(code).toBe(0);
    const status = JSON.parse(stdout) as MeshStatus;
    expect(status.registry).toBe('memory');
    expect(status.services.map((service) => service.service)).toEqual(['api-gateway', 'auth', 'project', 'simulation']);
    expect(status.services.every((service) => service.instances.length === 1)).toBe(true);
  });

  it('status says so and exits 1 when the token is refused', async () => {
    const { code, stderr } = await runMeshCli(['status', '--url', base, '--token', 'not-a-token']);
    expect(code).toBe(1);
    expect(stderr).toContain('refused the token (401');
  });

  it('status says no mesh answers, and exits 1, where nothing listens', async () => {
    const [port] = await findFreePorts(1);
    const { code, stdout, stderr } = await runMeshCli(['status', '--url', `http://127.0.0.1:${port}`, '--token', user.token]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      new RegExp(`^no mesh answers at http://127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\)\\. Start one with \`npm start\``),
    );
  });

  it('tail explains that it needs Redis when the configuration has none', async () => {
    const { code, stderr } = await runMeshCli(['tail', 'project:events:*']);
    expect(code).toBe(1);
    expect(stderr).toContain('mesh tail needs Redis');
  });

  it('tail prints each event published on channels matching a pattern until Ctrl-C', async () => {
    const prefix = `mesh-tail-test-${randomUUID()}`;
    const tail = startMeshCli(['tail', `${prefix}:events:*`], { env: { REDIS_URL: 'redis://127.0.0.1:6379' } });
    const publisher = new Redis('redis://127.0.0.1:6379');
    try {
      await tail.waitFor(/watching .*Ctrl-C to stop/);
      await publisher.publish(`${prefix}:events:created`, JSON.stringify({ project_id: 'p-1', name: 'Alpha' }));
      await publisher.publish(`${prefix}:other`, 'not matched');
      await publisher.publish(`${prefix}:events:deleted`, 'plain text');
      await tail.waitFor(/events:deleted/);
      const lines = tail.stdout().trimEnd().split('\n');
      expect(lines).toEqual([
        expect.stringMatching(
          new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  ${prefix}:events:created  \\{"project_id":"p-1","name":"Alpha"\\}$`),
        ),
        expect.stringMatching(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  ${prefix}:events:deleted  plain text$`)),
      ]);
      expect(await tail.exit('SIGINT')).toBe(0);
    } finally {
      await tail.exit('SIGKILL', 1_000);
      publisher.disconnect();
    }
  });

  it('tail --json on one channel prints {time, channel, payload} lines', async () => {
    const channel = `mesh-tail-test-${randomUUID()}`;
    const tail = startMeshCli(['tail', channel, '--json', '--redis', 'redis://127.0.0.1:6379']);
    const publisher = new Redis('redis://127.0.0.1:6379');
    try {
      await tail.waitFor(/watching/);
      await publisher.publish(channel, JSON.stringify({ n: 1 }));
      await tail.waitFor(/"n":1/);
      const event = JSON.parse(tail.stdout().trim()) as { time: string; channel: string; payload: unknown };
      expect(event.channel).toBe(channel);
      expect(event.payload).toEqual({ n: 1 });
      expect(Date.now() - Date.parse(event.time)).toBeLessThan(10_000);
    } finally {
      expect(await tail.exit('SIGTERM')).toBe(0);
      publisher.disconnect();
    }
  });
});
