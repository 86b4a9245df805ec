import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The images the deployment tests run (scripts/build-image.sh, scripts/build-dependency-images.sh). */
export const deployImages = {
  meshwork: process.env.MESHWORK_IMAGE ?? 'localhost/meshwork:dev',
  redis: process.env.MESHWORK_REDIS_IMAGE ?? 'localhost/meshwork-redis:7',
  postgres: process.env.MESHWORK_POSTGRES_IMAGE ?? 'localhost/meshwork-postgres:15',
};

export const HOW_TO_GET_PODMAN =
  'The deployment tests need podman, podman-compose and the images built here: run `bash scripts/ensure-containers.sh` ' +
  '(as root on Debian/Ubuntu it installs podman with apt-get and builds the images; elsewhere it prints what to install).';

/** Podman's environment for the tests: the repository's containers.conf unless one is named already. */
export const podmanEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? join(repoRoot, 'scripts/podman/containers.conf'),
});

/** Runs a command (podman, podman-compose, ip, ...) and returns its stdout; rejects with its stderr. */
export const run = async (
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; cwd?: string; env?: Readonly<Record<string, string>> } = {},
): Promise<string> => {
  try {
    const { stdout } = await execFileAsync(command, args, {
      env: { ...podmanEnv(), ...options.env },
      cwd: options.cwd ?? repoRoot,
      timeout: options.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const failed = error as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${failed.stderr?.trim() || failed.message}`, { cause: error });
  }
};

/** Throws, with how to get them, unless podman, podman-compose and every image of `images` are here. */
export const requirePodman = async (images: readonly string[], tools: readonly string[] = ['podman']): Promise<void> => {
  for (const tool of tools) {
    await run(tool, ['--version']).catch(() => {
      throw new Error(`${tool} is not installed. ${HOW_TO_GET_PODMAN}`);
    });
  }
  for (const image of images) {
    await run('podman', ['image', 'exists', image]).catch(() => {
      throw new Error(`the image ${image} is not built. ${HOW_TO_GET_PODMAN}`);
    });
  }
};

/**
 * Gives the bridge of a Podman network the address it has now, explicitly, so that it keeps it.
 * netavark (1.4 here) leaves the bridge's MAC address unset, and Linux then gives a bridge the lowest
 * MAC address of its ports: when the container owning that port is killed, the gateway's address
 * (aardvark-dns's, and the route out) changes under every container that cached the old one, and
 * their DNS lookups go unanswered until their ARP entries renew, tens of seconds later. Docker sets
 * its bridges' address at creation. Run it once the network's first container is up.
 */
export const pinBridgeAddress = async (network: string): Promise<string> => {
  const bridge = (await run('podman', ['network', 'inspect', network, '--format', '{{.NetworkInterface}}'])).trim();
  const address = (await readFile(`/sys/class/net/${bridge}/address`, 'utf8')).trim();
  await run('ip', ['link', 'set', 'dev', bridge, 'address', address]);
  return address;
};

/** `pinBridgeAddress` as soon as the network's bridge exists (started alongside `compose up`), trying for `timeoutMs`. */
export const pinBridgeAddressOnceCreated = async (network: string, timeoutMs = 120_000): Promise<string> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await pinBridgeAddress(network);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
};
