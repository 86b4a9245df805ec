import type { ClientRegistry, RegistryListener } from './client-registry.js';
import type { ConnectedClient } from './model.js';
import type { ClientDirectory } from './ports.js';

export interface DirectorySyncOptions {
  /** How long the instance's entries live without a heartbeat: past it a dead instance's clients are gone. */
  readonly ttlMs: number;
}

/**
 * Keeps the shared directory in step with this instance's registry (docs/adr/0052): each change is
 * written as it happens, in order, one write at a time; `beat()` (every heartbeat) extends the
 * entries' life and writes the clients seen since the last beat. A write that failed, or entries
 * found expired (Redis restarted, a long pause), make the next beat write every client again.
 */
export class DirectorySync implements RegistryListener {
  private writes: Promise<void> = Promise.resolve();
  /** Clients whose `lastSeenAt` moved since the last beat. */
  private readonly seen = new Set<string>();
  /** Whether the directory may differ from the registry: the next beat replaces every entry, and single writes wait for it. */
  private stale = false;
  private beating: Promise<void> | undefined;
  private readonly unlisten: () => void;
  private stopped = false;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly registry: ClientRegistry,
    private readonly directory: ClientDirectory,
    private readonly options: DirectorySyncOptions,
    private readonly reportFault: (error: unknown, detail: string) => void,
  ) {
    this.unlisten = registry.listen(this);
  }

  registered(client: ConnectedClient): void {
    this.writeOne(() => this.directory.put(this.instanceId, [client], this.options.ttlMs), `recording client ${client.clientId}`);
  }

  unregistered(client: ConnectedClient): void {
    this.seen.delete(client.clientId);
    this.writeOne(() => this.directory.remove(this.instanceId, client.clientId), `removing client ${client.clientId}`);
  }

  touched(client: ConnectedClient): void {
    this.seen.add(client.clientId);
  }

  /** The heartbeat: resolves once the directory holds this instance's clients for another `ttlMs`. A beat asked while one is under way is that one. */
  beat(): Promise<void> {
    this.beating ??= this.write(async () => {
      const { ttlMs } = this.options;
      if (this.stale || !(await this.directory.refresh(this.instanceId, ttlMs))) {
        this.stale = true;
        this.seen.clear();
        await this.directory.replace(this.instanceId, this.clients(), ttlMs);
        this.stale = false;
        return;
      }
      const seen = [...this.seen].flatMap((clientId) => this.registry.get(clientId) ?? []);
      this.seen.clear();
      if (seen.length > 0) await this.directory.put(this.instanceId, seen, ttlMs);
    }, 'the directory heartbeat').finally(() => {
      this.beating = undefined;
    });
    return this.beating;
  }

  /** Resolves once every write asked so far is done (failed ones reported). */
  settled(): Promise<void> {
    return this.writes;
  }

  /** The instance stops: its entries leave the directory at once, and later changes are not written. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.unlisten();
      await this.write(() => this.directory.replace(this.instanceId, [], this.options.ttlMs), 'removing the instance');
      this.stopped = true;
    })();
    return this.stopping;
  }

  private get instanceId(): string {
    return this.registry.instanceId;
  }

  private clients(): ConnectedClient[] {
    return this.registry.all().map(({ client }) => client);
  }

  /** One client's change; skipped while the directory is stale (Redis away): the next beat writes them all, and writes do not pile up. */
  private writeOne(operation: () => Promise<void>, what: string): void {
    void this.write(async () => {
      if (!this.stale) await operation();
    }, what);
  }

  private write(operation: () => Promise<void>, what: string): Promise<void> {
    const next = this.writes.then(async () => {
      if (this.stopped) return;
      try {
        await operation();
      } catch (error) {
        this.stale = true;
        this.reportFault(error, `client directory: ${what} failed; every client is written again at the next heartbeat`);
      }
    });
    this.writes = next;
    return next;
  }
}
