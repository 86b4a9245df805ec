import type { AttemptReservation, FailureWindow, LoginFailureLog } from '../../core/auth/ports.js';
import { DomainFailureError } from '../../core/shared/errors.js';

const LOCAL_ID = 'local:';

/**
 * The shared (Redis) log of login and registration attempts, with this process's own log standing
 * in while Redis cannot answer, so a Redis outage does not turn every login and registration away.
 * During an outage the limits hold per auth instance instead of for the whole mesh (docs/adr/0035).
 * A connection known to be down is not waited for: the local log answers at once.
 */
export class OutageTolerantLoginFailureLog implements LoginFailureLog {
  constructor(
    private readonly shared: LoginFailureLog,
    private readonly local: LoginFailureLog,
    private readonly sharedReady: () => boolean,
  ) {}

  record(key: string, at: number, window: FailureWindow): Promise<void> {
    return this.either((log) => log.record(key, at, window));
  }

  recent(key: string, now: number, window: FailureWindow): Promise<number[]> {
    return this.either((log) => log.recent(key, now, window));
  }

  async reserve(key: string, at: number, window: FailureWindow): Promise<AttemptReservation> {
    if (this.sharedReady()) {
      try {
        return await this.shared.reserve(key, at, window);
      } catch (error) {
        if (!isOutage(error)) throw error;
      }
    }
    const reservation = await this.local.reserve(key, at, window);
    return reservation.granted ? { granted: true, id: `${LOCAL_ID}${reservation.id}` } : reservation;
  }

  release(key: string, id: string): Promise<void> {
    if (id.startsWith(LOCAL_ID)) return this.local.release(key, id.slice(LOCAL_ID.length));
    return this.shared.release(key, id).catch((error: unknown) => {
      if (!isOutage(error)) throw error;
    });
  }

  async clear(key: string): Promise<void> {
    await Promise.all([this.local.clear(key), this.either((log) => log.clear(key), false)]);
  }

  private async either<T>(use: (log: LoginFailureLog) => Promise<T>, localToo = true): Promise<T> {
    if (this.sharedReady()) {
      try {
        return await use(this.shared);
      } catch (error) {
        if (!isOutage(error)) throw error;
      }
    }
    return localToo ? use(this.local) : (undefined as T);
  }
}

const isOutage = (error: unknown): boolean => error instanceof DomainFailureError && error.failure.kind === 'unavailable';
