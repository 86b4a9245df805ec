import { readFile, readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployImages, pinBridgeAddress, requirePodman, run } from '../../test-support/podman.js';

/**
 * The bridge of a Podman network keeps its address when a container leaves it, once pinned
 * (test-support/podman.ts#pinBridgeAddress): a container killed while its port lent the bridge its
 * MAC address no longer cuts the others off from the gateway, where aardvark-dns answers. Unpinned,
 * netavark 1.4's bridge takes the lowest MAC of its ports, and a DNS lookup right after such a kill
 * waited glibc's 5 s timeout: a new PostgreSQL connection by name then met its 5 s connect timeout.
 */
describe('a Podman network bridge with its address pinned', () => {
  const network = `mwbridge${process.pid}`;
  const name = (role: string) => `${network}-${role}`;
  const sleeper = (role: string) =>
    run('podman', ['run', '-d', '--name', name(role), '--network', network, '--entrypoint', 'sleep', deployImages.meshwork, '600']);
  /** The host side of a container's veth: its eth0's peer, by interface index. */
  const hostPortOf = async (role: string): Promise<string> => {
    const pid = (await run('podman', ['inspect', name(role), '--format', '{{.State.Pid}}'])).trim();
    const link = await run('nsenter', ['-t', pid, '-n', 'ip', '-o', 'link', 'show', 'eth0']); // "2: eth0@if104: ..."
    const peerIndex = /@if(\d+)/.exec(link)?.[1];
    for (const port of await readdir(`/sys/class/net/${await bridgeOf()}/brif`)) {
      if ((await readFile(`/sys/class/net/${port}/ifindex`, 'utf8')).trim() === peerIndex) return port;
    }
    throw new Error(`no bridge port for ${name(role)}`);
  };
  const bridgeOf = async () => (await run('podman', ['network', 'inspect', network, '--format', '{{.NetworkInterface}}'])).trim();
  const bridgeAddress = async () => (await readFile(`/sys/class/net/${await bridgeOf()}/address`, 'utf8')).trim();

  beforeAll(async () => {
    await requirePodman([deployImages.meshwork]);
    await run('podman', ['network', 'create', network]);
  }, 120_000);

  afterAll(async () => {
    await run('podman', ['rm', '-f', '-t', '0', name('target'), name('victim'), name('prober')]).catch(() => undefined);
    await run('podman', ['network', 'rm', '-f', network]).catch(() => undefined);
  }, 120_000);

  it('answers DNS lookups at once after the container whose port had the lowest MAC address is killed', async () => {
    await sleeper('target');
    const pinned = await pinBridgeAddress(network); // as the Compose test does once the bridge exists
    await sleeper('victim');
    // The lowest address there can be: unpinned, the bridge would take it now and lose it at the kill.
    await run('ip', ['link', 'set', 'dev', await hostPortOf('victim'), 'address', '02:00:00:00:00:01']);
    await sleeper('prober');
    const lookup = async () => {
      const started = Date.now();
      const answer = await run('podman', ['exec', name('prober'), 'getent', 'hosts', name('target')], { timeoutMs: 60_000 }).catch(
        (error: Error) => error.message,
      );
      return { answer, ms: Date.now() - started };
    };
    expect((await lookup()).answer).toContain(name('target')); // the prober has the gateway's address cached now

    await run('podman', ['kill', '--signal', 'KILL', name('victim')]);
    const after = await lookup();

    expect(after.answer).toContain(name('target'));
    // Unpinned: 5 s or more (glibc's resolver timeout; 40 s here), the gateway's old address being gone.
    expect(after.ms).toBeLessThan(2_000);
    expect(await bridgeAddress()).toBe(pinned);
  }, 120_000);
});
