import type { DomainEvent } from '../messaging/events.js';
import { Streams } from '../messaging/channels.js';
import type { StreamEntry } from '../messaging/streams.js';
import { fromStreamFields } from '../simulation/index.js';
import type { ClientRegistry, RegisteredClient } from './client-registry.js';
import { deliver } from './delivery.js';
import { simulationDataMessage, simulationEndedMessage, simulationMetricsMessage } from './messages.js';
import type { GatewayMessage } from './model.js';
import type { StreamFanOut } from './stream-fan-out.js';
import { Topics } from './topics.js';

interface Watched {
  readonly watchers: Set<string>;
  unfollow: () => void;
  /** The status the completion event gave, sent in the last message. */
  endStatus: string;
}

interface Resuming {
  readonly simulationId: string;
  unfollow: () => void;
}

/**
 * Live data of the simulations watched on this instance: one stream reader per simulation with
 * at least one local watcher, whose batches are decoded once and handed to every watcher. A
 * watcher that resumes from a last entry id gets its own tap on that reader (docs/adr/0051).
 */
export class SimulationFeeds {
  private readonly watched = new Map<string, Watched>();
  private readonly resuming = new Map<string, Resuming>();

  constructor(
    private readonly registry: ClientRegistry,
    private readonly fanOut: StreamFanOut,
  ) {}

  /** Simulations with local watchers. */
  get simulations(): readonly string[] {
    return [...this.watched.keys()];
  }

  /** Adds a registered client (subscribed to the simulation's topic) to the simulation's watchers. */
  join(simulationId: string, clientId: string): void {
    const current = this.watched.get(simulationId);
    if (current) {
      current.watchers.add(clientId);
      return;
    }
    const watched: Watched = { watchers: new Set([clientId]), unfollow: () => {}, endStatus: 'completed' };
    this.watched.set(simulationId, watched);
    const unfollow = this.fanOut.follow(Streams.simulation(simulationId), {
      onEntries: (entries) => this.broadcast(simulationId, entries),
      onEnd: () => this.end(simulationId),
    });
    // A finished stream ends the watchers inside follow(); keep the reader only if they are still there.
    if (this.watched.get(simulationId) === watched) watched.unfollow = unfollow;
  }

  /**
   * A registered watcher that saw the stream up to `after`: it gets what the stream holds after it,
   * then the live samples; for a simulation already over (`endStatus`), the rest, then the end.
   */
  resume(simulationId: string, clientId: string, after: string, endStatus?: string): void {
    const resuming: Resuming = { simulationId, unfollow: () => {} };
    this.resuming.set(clientId, resuming);
    const unfollow = this.fanOut.follow(
      Streams.simulation(simulationId),
      {
        onEntries: (entries) => deliver(this.watcher(simulationId, clientId), this.decode(simulationId, entries), 'live'),
        onEnd: () => {
          if (this.resuming.get(clientId) === resuming) this.resuming.delete(clientId);
          const status = endStatus ?? this.watched.get(simulationId)?.endStatus ?? 'completed';
          this.finishWatchers(simulationId, status, this.watcher(simulationId, clientId));
        },
      },
      { after, finished: endStatus !== undefined },
    );
    if (this.resuming.get(clientId) === resuming) resuming.unfollow = unfollow;
  }

  leave(simulationId: string, clientId: string): void {
    const resuming = this.resuming.get(clientId);
    if (resuming) {
      this.resuming.delete(clientId);
      resuming.unfollow();
      return;
    }
    const watched = this.watched.get(simulationId);
    if (!watched?.watchers.delete(clientId) || watched.watchers.size > 0) return;
    this.watched.delete(simulationId);
    watched.unfollow();
  }

  /** The simulation ended (`simulation:events:completed`): watchers get what is left, then a last message, then are closed. */
  async complete(simulationId: string, status: string): Promise<void> {
    const watched = this.watched.get(simulationId);
    if (watched) watched.endStatus = status;
    await this.fanOut.finish(Streams.simulation(simulationId));
  }

  /** Data published on `simulation:data:{id}`, handed to the simulation's watchers as it came. */
  relay(simulationId: string, data: DomainEvent): void {
    deliver(this.registry.subscribedTo(Topics.simulation(simulationId)), [simulationDataMessage(simulationId, data)], 'live');
  }

  private broadcast(simulationId: string, entries: readonly StreamEntry[]): void {
    deliver(this.registry.subscribedTo(Topics.simulation(simulationId)), this.decode(simulationId, entries), 'live', this.resumingIds());
  }

  private decode(simulationId: string, entries: readonly StreamEntry[]): GatewayMessage[] {
    return entries.flatMap((entry): GatewayMessage[] => {
      const sample = fromStreamFields(entry.fields);
      return sample ? [simulationMetricsMessage(simulationId, sample, entry.id)] : [];
    });
  }

  private end(simulationId: string): void {
    const watched = this.watched.get(simulationId);
    this.watched.delete(simulationId);
    const resuming = this.resumingIds();
    const watchers = this.registry.subscribedTo(Topics.simulation(simulationId)).filter(({ client }) => !resuming.has(client.clientId));
    this.finishWatchers(simulationId, watched?.endStatus ?? 'completed', watchers);
  }

  private finishWatchers(simulationId: string, status: string, watchers: readonly RegisteredClient[]): void {
    for (const { connection } of watchers) {
      connection?.send([simulationEndedMessage(simulationId, status)], 'essential');
      connection?.close('finished', `simulation ${status}`);
    }
  }

  private watcher(simulationId: string, clientId: string): RegisteredClient[] {
    return this.registry.subscribedTo(Topics.simulation(simulationId)).filter(({ client }) => client.clientId === clientId);
  }

  private resumingIds(): ReadonlySet<string> {
    return new Set(this.resuming.keys());
  }
}
