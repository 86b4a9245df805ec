import type { ScheduledTask, Scheduler } from '../../core/simulation/ports.js';
import type { FaultReporter } from '../../core/simulation/settings.js';

/**
 * The Scheduler on `setInterval`. Timers are unref'd, so a forgotten task never keeps the process
 * alive; a tick that throws or rejects is reported and the timer keeps going (a fault in one tick
 * must not crash the service nor stop later ticks). Ticks are not awaited: a slow tick may overlap
 * the next one, which the port allows (SimulationRun serialises its own ticks).
 */
export class SystemScheduler implements Scheduler {
  constructor(private readonly reportFault: FaultReporter) {}

  every(intervalMs: number, tick: () => void | Promise<void>): ScheduledTask {
    if (!(intervalMs > 0) || !Number.isFinite(intervalMs))
      throw new RangeError(`interval must be a positive number of ms, got ${intervalMs}`);
    const timer = setInterval(() => this.run(tick), intervalMs);
    timer.unref();
    return { cancel: () => clearInterval(timer) };
  }

  private run(tick: () => void | Promise<void>): void {
    let outcome: void | Promise<void>;
    try {
      outcome = tick();
    } catch (error) {
      this.reportFault(error, 'scheduled tick threw');
      return;
    }
    Promise.resolve(outcome).catch((error: unknown) => this.reportFault(error, 'scheduled tick rejected'));
  }
}
