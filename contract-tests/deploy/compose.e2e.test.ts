import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { h2cAgent } from '../support/http2-client.js';
import { FAILOVER_WINDOW_MS, walkTheThreeFlows, waitForTopology, warmUp, writesUnderFault } from '../../test-support/deployment-flows.js';
import { findFreePorts } from '../../test-support/free-ports.js';
import { deployImages, pinBridgeAddress, pinBridgeAddressOnceCreated, requirePodman, run } from '../../test-support/podman.js';

/** The specification's example topology (docs/specification.md): compose.yaml. */
const TOPOLOGY = { 'api-gateway': 3, auth: 2, project: 1, simulation: 1 };

/**
 * compose.yaml run by podman-compose from the image built here: the three flows across the three
 * gateways, then auth-2 killed (SIGKILL) under a load of project writes.
 */
describe('compose.yaml under podman-compose', () => {
  const project = `mwcompose${process.pid}`;
  const http = h2cAgent();
  let gateways: string[] = [];
  let env: Record<string, string>;
  const compose = (...args: string[]) => run('podman-compose', ['-p', project, ...args], { timeoutMs: 300_000, env });

  beforeAll(async () => {
    await requirePodman([deployImages.meshwork, deployImages.redis, deployImages.postgres], ['podman', 'podman-compose']);
    const ports = await findFreePorts(3);
    gateways = ports.map((port) => `http://127.0.0.1:${port}`);
    env = {
      MESHWORK_IMAGE: deployImages.meshwork,
      MESHWORK_REDIS_IMAGE: deployImages.redis,
      MESHWORK_POSTGRES_IMAGE: deployImages.postgres,
      MESHWORK_GATEWAY_1_PORT: String(ports[0]),
      MESHWORK_GATEWAY_2_PORT: String(ports[1]),
      MESHWORK_GATEWAY_3_PORT: String(ports[2]),
      // Cheap hashes and room for the load from one address; the defaults are tested elsewhere.
      AUTH_PASSWORD_HASH_COST: '1024',
      GATEWAY_RATE_PER_ADDRESS: '10000',
      GATEWAY_RATE_BURST_PER_ADDRESS: '10000',
      GATEWAY_RATE_PER_USER: '10000',
      GATEWAY_RATE_BURST_PER_USER: '10000',
    };
    const started = Date.now();
    // The bridge keeps one address while containers come and go (pinBridgeAddress says why): pinned
    // as soon as it exists, and again once all are up in case it was made anew in between.
    const pinned = pinBridgeAddressOnceCreated(`${project}_default`);
    pinned.catch(() => undefined); // awaited below; not unhandled if `up` fails first
    await compose('up', '-d', '--no-build');
    await pinned;
    await pinBridgeAddress(`${project}_default`);
    // Each gateway finds the others' instances on its own: the flows go through all three.
    await Promise.all(gateways.map((gateway) => waitForTopology(http, gateway, TOPOLOGY)));
    console.log(
      `[compose] ${Object.values(TOPOLOGY).reduce((a, b) => a + b)} mesh containers up and in rotation in ${Date.now() - started} ms`,
    );
  }, 420_000);

  afterAll(async () => {
    await http.close();
    if (env === undefined) return;
    const logs = await run('podman', ['logs', '--tail', '5', `${project}_auth-2_1`]).catch(() => '');
    if (logs) console.log(`[compose] auth-2 last lines:\n${logs}`);
    await compose('down', '-v').catch((error: unknown) => console.error(String(error)));
    // podman-compose 1.0 leaves the network behind.
    await run('podman', ['network', 'rm', '-f', `${project}_default`]).catch(() => undefined);
  }, 300_000);

  it('publishes the dashboard on localhost', async () => {
    const page = await request(`${gateways[0]}/`, { dispatcher: http });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(await page.body.text()).toContain('meshwork');
  });

  let registered: string | undefined;
  it('serves the three flows through the three gateways: register and login, a project shared, a simulation watched live', async () => {
    const walked = await walkTheThreeFlows(http, gateways, 'compose');
    registered = walked.email;
    expect(walked.streamed).toBeGreaterThan(5);
    expect(walked.results).toMatchObject({ simulation_id: walked.simulationId });
  }, 120_000);

  it('writes the welcome email of a registration under DATA_DIR/mail of an auth container, as the non-root service user', async () => {
    expect(registered).toBeDefined();
    const auths = [`${project}_auth-1_1`, `${project}_auth-2_1`];
    // No MESH_SMTP_URL: the auth service that takes the email job writes it as a .eml file.
    const mailOf = (container: string) =>
      run('podman', ['exec', container, 'sh', '-c', 'cat /var/lib/meshwork/mail/*.eml 2>/dev/null || true']).catch(() => '');
    const deadline = Date.now() + 30_000;
    let found = false;
    while (!found && Date.now() < deadline) {
      found = (await Promise.all(auths.map(mailOf))).some((mail) => mail.includes(registered!));
      if (!found) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const logs = (await Promise.all(auths.map((container) => run('podman', ['logs', container]).catch(() => '')))).join('\n');

    expect(logs.match(/.*EACCES.*/)?.[0]).toBeUndefined();
    expect(found).toBe(true);
  }, 60_000);

  it('fails over within 2 s, failing no write and losing no acknowledged one, when an auth container is killed under load', async () => {
    const token = await waitForTopology(http, gateways[0]!, TOPOLOGY);
    await warmUp(http, gateways, token, 60);
    const outcome = await writesUnderFault({
      http,
      gateways,
      token,
      perSecond: 10,
      beforeMs: 3_000,
      afterMs: 5_000,
      fault: async () => {
        await run('podman', ['kill', '--signal', 'KILL', `${project}_auth-2_1`]);
      },
    });
    console.log(`[compose] SIGKILL of auth-2: ${outcome.summary}`);

    expect(outcome.lost).toEqual([]);
    // 80 offered; a loaded machine acknowledges fewer in the window, none may be lost or failed.
    expect(outcome.acknowledged).toBeGreaterThanOrEqual(40);
    // ValidateToken and CheckPermission are safe to retry: the calls in flight on the killed auth move to the other one.
    expect(outcome.failed).toBe(0);
    // Failover inside 2 s: no write in flight at the kill or sent in the 2 s after it waits 2 s for its answer.
    expect(outcome.failoverWaitMs).toBeLessThan(FAILOVER_WINDOW_MS);
  }, 120_000);

  it('drains and exits 0 when a gateway container is stopped: SIGTERM reaches node, PID 1', async () => {
    const gateway = `${project}_gateway-3_1`;
    await run('podman', ['stop', '--time', '20', gateway]);
    const exitCode = (await run('podman', ['inspect', gateway, '--format', '{{.State.ExitCode}}'])).trim();
    const logs = await run('podman', ['logs', '--tail', '30', gateway]);

    expect(exitCode).toBe('0');
    expect(logs).toContain('"signal":"SIGTERM"');
    expect(logs).toContain('"msg":"stopped cleanly"');
  }, 60_000);
});
