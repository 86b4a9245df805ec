import type { ServiceInstance } from '../../core/discovery/instance.js';
import type { HealthProbe, ProbeOutcome } from './health-checker-probe.js';

export interface MonitorSettings {
  readonly intervalMs: number;
  readonly retryMs: number;
  readonly maxRetryMs: number;
  readonly timeoutMs: number;
  readonly watch: boolean;
}

export type Verdict = 'healthy' | 'unhealthy';

export interface MonitorEvents {
  /** Every Check reply and Watch update (the success rate; a failure is reported to the registry). */
  onOutcome(outcome: ProbeOutcome): void;
  /** The verdict changed (or was first given). */
  onVerdict(verdict: Verdict, reason: string, previous: Verdict | undefined): void;
}

/**
 * The checks of one instance: a Check now and every `intervalMs` while it passes, every
 * `retryMs` (doubling, up to `maxRetryMs`) while it fails; and a Watch stream while it is healthy,
 * so that NOT_SERVING or a lost connection is noticed at once. On NOT_SERVING the stream is
 * cancelled, so that it does not hold up the instance's graceful shutdown.
 */
export class InstanceMonitor {
  readonly service: string;
  private verdictNow: Verdict | undefined;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private reopenTimer: NodeJS.Timeout | undefined;
  private cancelWatch: (() => void) | undefined;
  private watchSupported: boolean;
  private checking = false;
  private stopped = false;

  constructor(
    instance: ServiceInstance,
    private readonly probe: HealthProbe,
    private readonly settings: MonitorSettings,
    private readonly events: MonitorEvents,
  ) {
    this.service = instance.service;
    this.watchSupported = settings.watch;
  }

  get verdict(): Verdict | undefined {
    return this.verdictNow;
  }

  start(): void {
    void this.check();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.reopenTimer);
    this.cancelWatch?.();
    this.cancelWatch = undefined;
    this.probe.close();
  }

  private async check(): Promise<void> {
    if (this.stopped || this.checking) return;
    this.checking = true;
    clearTimeout(this.timer);
    const outcome = await this.probe.check(this.settings.timeoutMs);
    this.checking = false;
    if (this.stopped) return;
    this.events.onOutcome(outcome);
    this.apply(outcome);
  }

  private apply(outcome: ProbeOutcome): void {
    if (outcome.serving) this.pass();
    else this.fail(outcome.reason);
  }

  private pass(): void {
    this.failures = 0;
    this.setVerdict('healthy', 'SERVING');
    this.openWatch();
    this.schedule(this.settings.intervalMs);
  }

  private fail(reason: string): void {
    this.failures += 1;
    this.setVerdict('unhealthy', reason);
    this.closeWatch();
    this.schedule(Math.min(this.settings.retryMs * 2 ** (this.failures - 1), this.settings.maxRetryMs));
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(), delayMs);
    this.timer.unref();
  }

  private setVerdict(verdict: Verdict, reason: string): void {
    if (this.verdictNow === verdict) return;
    const previous = this.verdictNow;
    this.verdictNow = verdict;
    this.events.onVerdict(verdict, reason, previous);
  }

  private openWatch(): void {
    if (!this.watchSupported || this.cancelWatch || this.reopenTimer || this.stopped) return;
    this.cancelWatch = this.probe.watch({
      onStatus: (outcome) => {
        this.events.onOutcome(outcome);
        this.apply(outcome);
      },
      onBroken: (_reason, unimplemented) => {
        this.cancelWatch = undefined;
        if (unimplemented) this.watchSupported = false;
        // The connection may be gone: a Check now says so, or not. The stream reopens after a pause at the earliest.
        this.reopenTimer = setTimeout(() => {
          this.reopenTimer = undefined;
          if (this.verdictNow === 'healthy') this.openWatch();
        }, this.settings.retryMs);
        this.reopenTimer.unref();
        void this.check();
      },
    });
  }

  private closeWatch(): void {
    this.cancelWatch?.();
    this.cancelWatch = undefined;
  }
}
