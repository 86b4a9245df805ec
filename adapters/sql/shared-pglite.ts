import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';

/**
 * One PGlite instance (one PostgreSQL session) shared by the services of a process, each in its
 * own schema. The session serves one holder at a time: a holder (a query, or a transaction from
 * BEGIN to its end) takes it with `acquire(schema)`, which first points `search_path` at that
 * schema alone when the previous holder used another. The SET runs outside any transaction (a
 * holder ends its transaction before it releases), so no rollback undoes it; a service's
 * unqualified names therefore resolve in its own schema only, never in another service's.
 */
export class SharedPGlite {
  private tail: Promise<void> = Promise.resolve();
  private releaseHolder: (() => void) | undefined;
  /** The schema `search_path` names now; undefined when unknown (then the next holder sets it). */
  private currentSchema: string | undefined;
  private users = 0;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly pglite: PGlite,
    /** The resolved data directory, or `memory://...`. */
    readonly location: string,
    private readonly lock: DataDirLock | undefined,
    private readonly onClosed: () => void,
  ) {}

  /** Opens PGlite in `dataDir` (created when missing; `memory://` keeps nothing), locked to this process. */
  static async open(dataDir: string, onClosed: () => void = () => {}): Promise<SharedPGlite> {
    const location = resolveDataDir(dataDir);
    const inMemory = location.startsWith('memory://');
    let lock: DataDirLock | undefined;
    if (!inMemory) {
      // PGlite creates the directory itself, but not its parents.
      await mkdir(dirname(location), { recursive: true });
      lock = await lockDataDir(location);
    }
    try {
      const pglite = await PGlite.create(location);
      return new SharedPGlite(pglite, location, lock, onClosed);
    } catch (error) {
      await lock?.release();
      throw error;
    }
  }

  /** Resolves once a `release()` by the last user has closed PGlite; undefined while open. */
  get closed(): Promise<void> | undefined {
    return this.closing;
  }

  /** Counts one more user (a service's kysely); `release()` closes PGlite after the last. */
  retain(): void {
    if (this.closing) throw new Error(`the embedded database at ${this.location} is closed`);
    this.users += 1;
  }

  /** One user fewer; the last one closes PGlite (flushing it to its directory) and drops the lock. */
  async release(): Promise<void> {
    this.users -= 1;
    if (this.users > 0) return;
    this.closing ??= (async () => {
      try {
        if (!this.pglite.closed) await this.pglite.close();
      } finally {
        await this.lock?.release();
        this.onClosed();
      }
    })();
    await this.closing;
  }

  /** Waits for the session, then makes `schema` (when given) the only schema unqualified names resolve in. */
  async acquire(schema: string | undefined): Promise<void> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise((resolve) => {
      release = resolve;
    });
    await previous;
    this.releaseHolder = release;
    if (schema === undefined || this.currentSchema === schema) return;
    try {
      this.currentSchema = undefined;
      await this.pglite.exec(`SET search_path TO ${quoteIdentifier(schema)}`);
      this.currentSchema = schema;
    } catch (error) {
      this.unlock();
      throw error;
    }
  }

  /** Hands the session to the next waiter. */
  unlock(): void {
    const release = this.releaseHolder;
    this.releaseHolder = undefined;
    release?.();
  }
}

const resolveDataDir = (dataDir: string): string =>
  dataDir.startsWith('memory://') ? dataDir : resolve(dataDir.startsWith('file:') ? fileURLToPath(dataDir) : dataDir);

/** The process's open embedded databases by resolved directory: the services of a process share one. */
const openDatabases = new Map<string, Promise<SharedPGlite>>();

/**
 * The process's PGlite in `dataDir`, opened on first use and shared by every later caller in this
 * process until the last releases it. `memory://` is never shared: each call opens its own.
 */
export const sharedPGlite = async (dataDir: string): Promise<SharedPGlite> => {
  const location = resolveDataDir(dataDir);
  if (location.startsWith('memory://')) {
    const database = await SharedPGlite.open(location);
    database.retain();
    return database;
  }
  let opening = openDatabases.get(location);
  if (!opening) {
    opening = SharedPGlite.open(location, () => openDatabases.delete(location));
    openDatabases.set(location, opening);
    opening.catch(() => openDatabases.delete(location));
  }
  const database = await opening;
  if (database.closed) {
    // Its last user is closing it: open anew once the directory is free.
    await database.closed.catch(() => {});
    return sharedPGlite(dataDir);
  }
  database.retain();
  return database;
};

export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
