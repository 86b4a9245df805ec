import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h2cAgent } from '../support/http2-client.js';
import { FAILOVER_WINDOW_MS, walkTheThreeFlows, waitForTopology, warmUp, writesUnderFault } from '../../test-support/deployment-flows.js';
import { startGatedTcpProxy, type GatedTcpProxy } from '../../test-support/gated-tcp-proxy.js';
import { makeNetworkHosts, type NetworkHost, type NetworkHosts } from '../../test-support/network-hosts.js';
import { startMeshProcess, UNTHROTTLED_GATEWAY, type MeshProcess } from '../../test-support/mesh-process.js';
import { createThrowawayDatabase, type PostgresDatabase } from '../../test-support/postgres-fixture.js';
import { repoRoot } from '../../test-support/podman.js';

/** Host a runs every service and Redis; b and c run auth, project and a gateway each. */
const Services: Readonly<Record<string, readonly string[]>> = {
  a: ['auth', 'project', 'simulation', 'api-gateway'],
  b: ['auth', 'project', 'api-gateway'],
  c: ['auth', 'project', 'api-gateway'],
};

const redisAnswers = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });

/**
 * The mesh across three hosts: a network namespace each, with its own address on a bridge the test
 * makes. Every process binds its host's address and advertises it; Redis runs on host a;
 * PostgreSQL is reached through the bridge; each host's certificates carry its address.
 */
describe('the mesh on three hosts', () => {
  let network: NetworkHosts;
  let database: PostgresDatabase;
  let postgresProxy: GatedTcpProxy;
  let workDir: string;
  let redis: ChildProcess | undefined;
  const processes = new Map<string, MeshProcess>();
  const http = h2cAgent();
  const host = (name: string): NetworkHost => network.hosts.find((candidate) => candidate.name === name)!;
  const gatewayOf = (name: string) => `http://${host(name).address}:8001`;

  beforeAll(async () => {
    network = await makeNetworkHosts(['a', 'b', 'c']);
    [database, workDir] = await Promise.all([createThrowawayDatabase('three_hosts'), mkdtemp(join(tmpdir(), 'meshwork-hosts-'))]);
    postgresProxy = await startGatedTcpProxy(5432, network.gateway);

    // Redis on host a, bound to its address only.
    redis = spawn(
      'ip',
      ['netns', 'exec', host('a').namespace, 'redis-server', '--bind', host('a').address, '--port', '6379'].concat([
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'no',
        '--dir',
        workDir,
      ]),
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    while (!(await redisAnswers(host('a').address, 6379))) {
      if (Date.now() > deadline) throw new Error('redis-server on host a did not answer within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // One CA for the mesh; each host's processes issue their own certificates from it, with the host's address in them.
    await mkdir(join(workDir, 'ca'));
    await new Promise<void>((resolve, reject) =>
      spawn(
        process.execPath,
        ['--import', 'tsx', 'composition/pki/issue-certificates.ts', '--dir', join(workDir, 'ca-source'), '--service', 'auth'],
        {
          cwd: repoRoot,
          stdio: 'ignore',
        },
      ).once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`issue-certificates exited ${code}`)))),
    );
    const keyFile = join(workDir, 'token-key.pem');
    await writeFile(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const common = {
      REDIS_URL: `redis://${host('a').address}:6379`,
      DATABASE_URL: `postgres://postgres@${network.gateway}:${postgresProxy.port}/${database.name}`,
      MESH_STORAGE: 'sql',
      MESH_TLS: 'on',
      AUTH_TOKEN_KEY_FILE: keyFile,
      AUTH_KEY_ENCRYPTION_KEYS: `hosts:${randomBytes(32).toString('base64')}`,
      MESH_HEARTBEAT_MS: '500',
      MESH_REGISTRY_TTL_MS: '2000',
      ...UNTHROTTLED_GATEWAY,
    };
    const start = async (name: string) => {
      const dataDir = join(workDir, `host-${name}`);
      await cp(join(workDir, 'ca-source', 'ca'), join(dataDir, 'pki', 'ca'), { recursive: true });
      const env = {
        ...common,
        DATA_DIR: dataDir,
        MESH_BIND_HOST: host(name).address,
        MESH_ADVERTISE_HOST: host(name).address,
        GATEWAY_INSTANCE_ID: `gateway-${name}`,
      };
      processes.set(name, await startMeshProcess(Services[name]!, env, 120_000, [], host(name).runIn));
    };
    await start('a'); // alone first: it migrates the database
    await Promise.all([start('b'), start('c')]);
    await waitForTopology(http, gatewayOf('a'), { 'api-gateway': 3, auth: 3, project: 3, simulation: 1 });
  }, 300_000);

  afterAll(async () => {
    await http.close();
    await Promise.all([...processes.values()].map((process) => process.kill()));
    redis?.kill('SIGKILL');
    await network?.remove();
    await postgresProxy?.close();
    await Promise.all([database?.drop(), workDir && rm(workDir, { recursive: true, force: true })]);
  }, 120_000);

  it('binds and advertises each host’s own address, with certificates that carry it', async () => {
    for (const name of ['a', 'b', 'c']) {
      const lines = processes.get(name)!.output();
      for (const service of Services[name]!) {
        expect(lines).toContain(`"service":"${service}"`);
        const certificate = new X509Certificate(await readFile(join(workDir, `host-${name}`, 'pki', service, 'cert.pem')));
        expect(certificate.subjectAltName).toContain(`IP Address:${host(name).address}`);
        expect(certificate.subjectAltName).toContain(`URI:spiffe://meshwork/${service}`);
      }
      expect(lines).toMatch(new RegExp(`"registered in the mesh".*|"host":"${host(name).address.replaceAll('.', '\\.')}"`));
      expect(lines).not.toMatch(/"host":"(127\.0\.0\.1|0\.0\.0\.0)"/);
    }
  });

  it('serves the three flows across the hosts', async () => {
    const walked = await walkTheThreeFlows(http, ['a', 'b', 'c'].map(gatewayOf), 'hosts');
    expect(walked.streamed).toBeGreaterThan(5);
  }, 120_000);

  it('moves the traffic off a host whose every process is killed under load within 2 s, losing no acknowledged write', async () => {
    const gateways = [gatewayOf('a'), gatewayOf('b')];
    const token = await waitForTopology(http, gatewayOf('a'), { 'api-gateway': 3, auth: 3, project: 3, simulation: 1 });
    await warmUp(http, gateways, token, 60);
    let killed = 0;
    const outcome = await writesUnderFault({
      http,
      gateways,
      token,
      perSecond: 10,
      beforeMs: 3_000,
      afterMs: 5_000,
      fault: async () => {
        killed = await host('c').killEverything();
      },
    });
    console.log(`[three-hosts] every process of host c (${killed}) SIGKILLed: ${outcome.summary}`);

    expect(killed).toBeGreaterThan(0);
    expect(outcome.lost).toEqual([]);
    expect(outcome.acknowledged).toBeGreaterThan(60);
    // Writes in flight on host c may fail (not resent unless safe); every write sent later succeeds,
    // and none in flight at the kill or sent in the 2 s after it waits 2 s for its answer.
    expect(outcome.failoverMs).toBeLessThan(FAILOVER_WINDOW_MS);
    expect(outcome.failoverWaitMs).toBeLessThan(FAILOVER_WINDOW_MS);
    await waitForTopology(http, gatewayOf('a'), { 'api-gateway': 2, auth: 2, project: 2, simulation: 1 }, 10_000);
  }, 120_000);
});
