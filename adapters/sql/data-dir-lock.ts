import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';

export interface DataDirLock {
  /** Removes the lock file. Idempotent. */
  release(): Promise<void>;
}

/**
 * Claims a PGlite data directory for this process with a `<dir>.lock` file beside it. PGlite does
 * not notice a second process opening the same directory, and two writers corrupt it; so a lock
 * held by a live process of this host is refused, with the advice to use PostgreSQL for several
 * instances. A lock left by a process that died (same host, pid gone) is taken over. A guard
 * against a misconfiguration, not a distributed lock: two processes taking over one stale lock in
 * the same instant could both succeed.
 */
export const lockDataDir = async (dataDir: string): Promise<DataDirLock> => {
  const path = `${dataDir}.lock`;
  // Written aside, then hard-linked into place: the lock appears atomically, with its content.
  const draft = `${path}.${process.pid}.${Date.now()}`;
  await writeFile(draft, JSON.stringify({ pid: process.pid, host: hostname() }));
  try {
    return await claim(dataDir, path, draft);
  } finally {
    await unlink(draft).catch(() => {});
  }
};

const claim = async (dataDir: string, path: string, draft: string): Promise<DataDirLock> => {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      await link(draft, path);
      let released = false;
      return {
        release: async () => {
          if (released) return;
          released = true;
          await unlink(path).catch(() => {});
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readHolder(path);
      if (holder && isAlive(holder)) {
        throw new Error(
          `PGlite data directory ${dataDir} is in use by process ${holder.pid} on ${holder.host}. ` +
            'A PGlite data directory serves one process (its services share it); run services in several processes ' +
            'on PostgreSQL (DATABASE_URL), or give each process a DATA_DIR of its own.',
        );
      }
      await unlink(path).catch(() => {});
    }
  }
  throw new Error(`could not lock PGlite data directory ${dataDir} (${path} keeps reappearing)`);
};

interface LockHolder {
  readonly pid: number;
  readonly host: string;
}

const readHolder = async (path: string): Promise<LockHolder | undefined> => {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? { pid: parsed.pid, host: parsed.host } : undefined;
  } catch {
    return undefined; // unreadable: treat as stale
  }
};

/** Another host's process cannot be checked from here, so its lock counts as held. */
const isAlive = (holder: LockHolder): boolean => {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};
