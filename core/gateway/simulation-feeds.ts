import type { DomainEvent } from '../messaging/events.js';
import { Streams } from '../messaging/channels.js';
import type { StreamEntry } from '../messaging/streams.js';
import { fromStreamFields } from '../simulation/index.js';
import type { ClientRegistry } from './client-registry.js';
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

/**
 * Live data of the simulations watched on this instance: one stream reader per simulation with
 * at least one local watcher, whose batches are decoded once and handed to every watcher.
 */
export class SimulationFeeds {
  private readonly watched = new Map<string, Watched>();

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

  leave(simulationId: string, clientId: string): void {
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
    const messages = entries.flatMap((entry): GatewayMessage[] => {
      const sample = fromStreamFields(entry.fields);
      return sample ? [simulationMetricsMessage(simulationId, sample)] : [];
    });
    deliver(this.registry.subscribedTo(Topics.simulation(simulationId)), messages, 'live');
  }

  private end(simulationId: string): void {
    const watched = this.watched.get(simulationId);
    this.watched.delete(simulationId);
    const status = watched?.endStatus ?? 'completed';
    for (const { connection } of this.registry.subscribedTo(Topics.simulation(simulationId))) {
      connection?.send([simulationEndedMessage(simulationId, status)], 'essential');
      connection?.close('finished', `simulation ${status}`);
    }
  }
}
