import type { ServiceInstance } from './instance.js';
import type { RegistryChange, RemovalReason } from './ports.js';

interface Entry {
  readonly instance: ServiceInstance;
  /** Sequence number of the last change applied to this entry. */
  readonly seq: number;
}

/** Same record apart from the heartbeat time: a heartbeat is not a change. */
export const sameRecord = (a: ServiceInstance, b: ServiceInstance): boolean =>
  a.service === b.service &&
  a.instanceId === b.instanceId &&
  a.host === b.host &&
  a.grpcPort === b.grpcPort &&
  a.httpPort === b.httpPort &&
  a.status === b.status &&
  a.startedAt === b.startedAt &&
  a.version === b.version &&
  a.statusReason === b.statusReason &&
  a.statusReportedBy === b.statusReportedBy &&
  JSON.stringify(a.metadata ?? {}) === JSON.stringify(b.metadata ?? {});

const byInstanceId = (a: ServiceInstance, b: ServiceInstance): number =>
  a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0;

/**
 * A watcher's copy of the registry, turning raw signals (a record seen, a key gone, a full
 * listing) into the changes they mean. Each applied signal gets a sequence number, so that a
 * listing started before a signal cannot undo it when it arrives after (see `reconcile`).
 */
export class InstanceView {
  private readonly services = new Map<string, Map<string, Entry>>();
  /** Removed instances, by key, with the sequence number of their removal. */
  private readonly tombstones = new Map<string, number>();
  private seq = 0;

  /** The sequence number to pass to `reconcile` for a listing started now. */
  mark(): number {
    return this.seq;
  }

  list(service: string): readonly ServiceInstance[] {
    return [...(this.services.get(service)?.values() ?? [])].map((e) => e.instance).sort(byInstanceId);
  }

  all(): readonly ServiceInstance[] {
    return [...this.services.keys()].flatMap((service) => this.list(service));
  }

  get(service: string, instanceId: string): ServiceInstance | undefined {
    return this.services.get(service)?.get(instanceId)?.instance;
  }

  /** Records `instance`; the change it means, if any (a heartbeat alone is none). */
  upsert(instance: ServiceInstance, changedAt?: number): RegistryChange | undefined {
    const entries = this.entriesOf(instance.service);
    const previous = entries.get(instance.instanceId)?.instance;
    this.seq += 1;
    entries.set(instance.instanceId, { instance, seq: this.seq });
    this.tombstones.delete(keyOf(instance.service, instance.instanceId));
    if (!previous) return withTime({ type: 'added', instance }, changedAt);
    if (sameRecord(previous, instance)) return undefined;
    return withTime({ type: 'updated', instance, previous }, changedAt);
  }

  /** Forgets an instance; the removal, or undefined if it was not known. */
  remove(service: string, instanceId: string, reason: RemovalReason, changedAt?: number): RegistryChange | undefined {
    const entries = this.services.get(service);
    const entry = entries?.get(instanceId);
    this.seq += 1;
    this.tombstones.set(keyOf(service, instanceId), this.seq);
    this.forgetOldTombstones();
    if (!entries || !entry) return undefined;
    entries.delete(instanceId);
    if (entries.size === 0) this.services.delete(service);
    return withTime({ type: 'removed', instance: entry.instance, reason }, changedAt);
  }

  /**
   * Applies a full listing of the instances matching `inScope`, read after `mark()` returned
   * `since`. Entries changed after `since` are newer than the listing and left alone; anything
   * else missing from the listing has vanished unseen and is reported as expired.
   */
  reconcile(inScope: (service: string) => boolean, listed: readonly ServiceInstance[], since: number): RegistryChange[] {
    const changes: RegistryChange[] = [];
    const seen = new Set<string>();
    for (const instance of listed) {
      const key = keyOf(instance.service, instance.instanceId);
      seen.add(key);
      const removedAt = this.tombstones.get(key);
      const entry = this.services.get(instance.service)?.get(instance.instanceId);
      if ((removedAt ?? 0) > since || (entry?.seq ?? 0) > since) continue;
      const change = this.upsert(instance);
      if (change) changes.push(change);
    }
    for (const [service, entries] of [...this.services]) {
      if (!inScope(service)) continue;
      for (const [instanceId, entry] of [...entries]) {
        if (entry.seq > since || seen.has(keyOf(service, instanceId))) continue;
        const change = this.remove(service, instanceId, 'expired');
        if (change) changes.push(change);
      }
    }
    for (const [key, removedAt] of this.tombstones) if (removedAt <= since) this.tombstones.delete(key);
    return changes;
  }

  /** Without listings nothing prunes tombstones; keep the newest only. */
  private forgetOldTombstones(): void {
    for (const key of this.tombstones.keys()) {
      if (this.tombstones.size <= maxTombstones) return;
      this.tombstones.delete(key);
    }
  }

  private entriesOf(service: string): Map<string, Entry> {
    let entries = this.services.get(service);
    if (!entries) {
      entries = new Map();
      this.services.set(service, entries);
    }
    return entries;
  }
}

const maxTombstones = 10_000;

const keyOf = (service: string, instanceId: string): string => `${service}\u0000${instanceId}`;

const withTime = <C extends RegistryChange>(change: C, changedAt: number | undefined): C =>
  changedAt === undefined ? change : { ...change, changedAt };
