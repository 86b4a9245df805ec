import type { MaintenanceWindow } from '../messaging/announcements.js';
import { failure, type DomainFailure } from '../shared/errors.js';

/**
 * The maintenance windows announced on `system:announcements` (docs/adr/0056), as this simulation
 * instance heard of them: from the announcements themselves, and from auth's list of current ones
 * at start. Inside a window new runs are refused; runs already going finish.
 */
export class MaintenanceWindows {
  private readonly windows = new Map<string, MaintenanceWindow>();

  /** Remembers a window (again: the same id replaces it). */
  record(window: MaintenanceWindow): void {
    this.windows.set(window.id, window);
  }

  /** The window covering `now` that ends last, if any; windows over by then are forgotten. */
  current(now: number): MaintenanceWindow | undefined {
    let covering: MaintenanceWindow | undefined;
    for (const [id, window] of this.windows) {
      if (window.endsAt <= now) this.windows.delete(id);
      else if (window.startsAt <= now && (!covering || window.endsAt > covering.endsAt)) covering = window;
    }
    return covering;
  }

  /** Every window not over at `now`, by start. */
  upcoming(now: number): MaintenanceWindow[] {
    return [...this.windows.values()].filter((window) => window.endsAt > now).sort((a, b) => a.startsAt - b.startsAt);
  }
}

/** A new run asked for inside a maintenance window: 503 with Retry-After until the window ends. */
export const maintenanceRefusal = (window: MaintenanceWindow, now: number): DomainFailure => ({
  ...failure(
    'unavailable',
    'maintenance_window',
    `New simulations are paused for maintenance until ${new Date(window.endsAt).toISOString()}` +
      `${window.message ? `: ${window.message}` : ''}. Running simulations go on.`,
  ),
  retryAfterMs: Math.max(1_000, window.endsAt - now),
});
