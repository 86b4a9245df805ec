import { Streams } from '../../messaging/channels.js';
import type { StreamStore } from '../../messaging/streams.js';
import type { Clock } from '../../shared/clock.js';
import type { ScheduledTask, Scheduler } from '../ports.js';
import type { FaultReporter } from '../settings.js';

export interface FinishedStreamsDeps {
  readonly streams: Pick<StreamStore, 'remove'>;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  readonly reportFault: FaultReporter;
}

/** How often the removals due are looked for, at most. */
const SWEEP_MS = 5_000;

/**
 * Removes the `simulation:stream:{id}` of a finished simulation `graceMs` after it finished: the
 * live stream is for watching a run (its series is stored with the results), and a finished run's
 * up to 50,000 entries otherwise stay in the store (in the process with in-memory streams) until
 * the cleanup job deletes the simulation days later. The grace lets every gateway drain the stream
 * to its watchers first. One timer, running only while removals are due (ADR 0039).
 */
export class FinishedStreams {
  /** Stream -> time at which it goes; in insertion order, so oldest first. */
  private readonly due = new Map<string, number>();
  private task: ScheduledTask | undefined;

  constructor(
    private readonly deps: FinishedStreamsDeps,
    private readonly graceMs: number,
  ) {}

  /** Streams waiting for their removal. */
  get pending(): number {
    return this.due.size;
  }

  /** The simulation finished: its stream goes after the grace. */
  retire(simulationId: string): void {
    const stream = Streams.simulation(simulationId);
    this.due.delete(stream);
    this.due.set(stream, this.deps.clock.now() + this.graceMs);
    this.task ??= this.deps.scheduler.every(Math.max(1, Math.min(SWEEP_MS, this.graceMs)), () => this.sweep());
  }

  /** Removes the streams whose grace is over; a failed removal is reported and left to the cleanup job. */
  async sweep(): Promise<void> {
    const now = this.deps.clock.now();
    const expired: string[] = [];
    for (const [stream, at] of this.due) {
      if (at > now) break;
      expired.push(stream);
    }
    for (const stream of expired) this.due.delete(stream);
    if (this.due.size === 0) this.cancel();
    const removals = await Promise.allSettled(expired.map((stream) => this.deps.streams.remove(stream)));
    removals.forEach((removal, i) => {
      if (removal.status === 'rejected') this.deps.reportFault(removal.reason, `remove finished ${expired[i]}`);
    });
  }

  /** Stops the timer; streams still due are left to the cleanup job. */
  cancel(): void {
    this.task?.cancel();
    this.task = undefined;
  }
}
