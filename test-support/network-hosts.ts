import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Hosts of their own on this machine: one network namespace per host, each with one address on a
 * bridge made for the test, in 198.18.0.0/15 (set aside for network tests, RFC 2544). The test's
 * own process stays in the root namespace and reaches every host through the bridge, at `.1`.
 */
export interface NetworkHosts {
  /** The root namespace's address on the bridge (where the test itself, and what it serves, are reached). */
  readonly gateway: string;
  readonly hosts: readonly NetworkHost[];
  /** Kills whatever still runs in the namespaces, then deletes them and the bridge. Idempotent. */
  remove(): Promise<void>;
}

export interface NetworkHost {
  readonly name: string;
  readonly namespace: string;
  readonly address: string;
  /** Prefix that runs a command on this host: `ip netns exec <namespace>`. */
  readonly runIn: readonly string[];
  /** SIGKILL to every process of the host (`ip netns pids`); resolves once none is left. */
  killEverything(): Promise<number>;
}

export const HOW_TO_GET_NETWORK_HOSTS =
  'The several-hosts test makes network namespaces, veth pairs and a bridge: it needs root and iproute2 ' +
  '(run the tests as root; on Debian/Ubuntu `apt-get install -y iproute2`).';

const ip = async (...args: string[]): Promise<string> => {
  try {
    return (await run('ip', args, { timeout: 10_000 })).stdout;
  } catch (error) {
    throw new Error(`ip ${args.join(' ')} failed: ${(error as { stderr?: string }).stderr?.trim() ?? String(error)}`, { cause: error });
  }
};

/** Makes `names.length` hosts; rejects (having removed what it made) if the machine does not allow it. */
export const makeNetworkHosts = async (names: readonly string[]): Promise<NetworkHosts> => {
  if (process.getuid?.() !== 0) throw new Error(HOW_TO_GET_NETWORK_HOSTS);
  await ip('-V').catch(() => {
    throw new Error(HOW_TO_GET_NETWORK_HOSTS);
  });
  const id = `${process.pid.toString(36)}${randomInt(36 * 36).toString(36)}`.slice(-6);
  const subnet = `198.18.${randomInt(256)}`;
  const bridge = `mwb${id}`;
  const made: { namespaces: string[]; bridge: boolean } = { namespaces: [], bridge: false };
  let removed = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    for (const namespace of made.namespaces) {
      await killAll(namespace);
      await ip('netns', 'del', namespace).catch(() => undefined);
    }
    if (made.bridge) await ip('link', 'del', bridge).catch(() => undefined);
  };
  try {
    await ip('link', 'add', bridge, 'type', 'bridge');
    made.bridge = true;
    await ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge);
    await ip('link', 'set', bridge, 'up');
    const hosts: NetworkHost[] = [];
    for (const [index, name] of names.entries()) {
      const namespace = `mw${id}-${name}`;
      const outside = `mw${id}v${index}`;
      const address = `${subnet}.${11 + index}`;
      await ip('netns', 'add', namespace);
      made.namespaces.push(namespace);
      await ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', `${outside}p`);
      await ip('link', 'set', `${outside}p`, 'netns', namespace);
      await ip('-n', namespace, 'link', 'set', `${outside}p`, 'name', 'eth0');
      await ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      await ip('-n', namespace, 'link', 'set', 'eth0', 'up');
      await ip('-n', namespace, 'link', 'set', 'lo', 'up');
      await ip('link', 'set', outside, 'master', bridge);
      await ip('link', 'set', outside, 'up');
      hosts.push({
        name,
        namespace,
        address,
        runIn: ['ip', 'netns', 'exec', namespace],
        killEverything: () => killAll(namespace),
      });
    }
    return { gateway: `${subnet}.1`, hosts, remove };
  } catch (error) {
    await remove();
    throw error;
  }
};

const killAll = async (namespace: string): Promise<number> => {
  const pids = async () =>
    (await ip('netns', 'pids', namespace).catch(() => ''))
      .split('\n')
      .map(Number)
      .filter((pid) => pid > 0);
  const found = await pids();
  for (const pid of found) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 10_000;
  while ((await pids()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return found.length;
};
