import type { ChannelCredentials, ChannelOptions } from '@grpc/grpc-js';
import { grpcAddressOf, type InstanceSource, type ServiceInstance } from '../../core/discovery/instance.js';
import type { InstanceHealth, InstanceHealthReports } from '../../core/discovery/ports.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { InstanceMonitor, type MonitorSettings, type Verdict } from './health-checker-monitor.js';
import { HealthProbe } from './health-checker-probe.js';

export interface HealthCheckerOptions {
  /** The services whose instances this process checks (its targets). */
  readonly services: readonly string[];
  /** Check interval while an instance is healthy. Default 30 s (the specification's, docs/specification.md#numbers). */
  readonly intervalMs?: number;
  /** First re-check after a failure; doubles per further failure up to `maxRetryMs`. Default 1 s. */
  readonly retryMs?: number;
  /** Default 8 s. */
  readonly maxRetryMs?: number;
  /** Deadline of one Check. Default 2 s. */
  readonly timeoutMs?: number;
  /** Keep a Watch stream open per instance, so NOT_SERVING or a lost connection is noticed at once. Default true. */
  readonly watch?: boolean;
  /** The name asked about; `''` (default) is the whole server. */
  readonly healthService?: string;
  readonly channelOptions?: Partial<ChannelOptions>;
  /** Mesh mTLS credentials of the probes (docs/adr/0021); default plaintext. */
  readonly credentials?: ChannelCredentials;
  /**
   * Where a failed check is recorded for every process to see (the service registry,
   * docs/adr/0057): a refused or dropped connection, NOT_SERVING, an unknown service; a check that
   * only timed out is not. Absent: every verdict stays in this process's view.
   */
  readonly reports?: InstanceHealthReports;
  readonly logger?: Logger;
}

export interface HealthCheckStats {
  /** Check replies and Watch updates received (or failed) since the start. */
  readonly checks: number;
  readonly failures: number;
  /** successes / checks; 1 before the first check. */
  readonly successRate: number;
  /** Instances being checked, and how many of them fail now. */
  readonly monitored: number;
  readonly unhealthy: number;
}

/** Check interval per healthy instance when none is given; MESH_HEALTH_INTERVAL_MS defaults to it. */
export const DEFAULT_HEALTH_INTERVAL_MS = 30_000;

/**
 * Checks every known instance of the target services with `grpc.health.v1.Health` and tells the
 * local view (Discovery) which ones fail, so they leave the rotation at once and come back when
 * they answer SERVING; every failed check is also reported to the registry (`reports`), where
 * every process and operator tool sees it. Instances come and go with the InstanceSource.
 */
export class HealthChecker {
  private readonly monitors = new Map<string, InstanceMonitor>();
  private readonly unsubscribes: (() => void)[] = [];
  private readonly settings: MonitorSettings;
  private readonly logger: Logger;
  private readonly counts = { checks: 0, failures: 0 };
  private closed = false;

  constructor(
    private readonly source: InstanceSource,
    private readonly health: InstanceHealth,
    private readonly options: HealthCheckerOptions,
  ) {
    this.logger = options.logger ?? createLogger('health-checker');
    this.settings = {
      intervalMs: options.intervalMs ?? DEFAULT_HEALTH_INTERVAL_MS,
      retryMs: options.retryMs ?? 1_000,
      maxRetryMs: options.maxRetryMs ?? 8_000,
      timeoutMs: options.timeoutMs ?? 2_000,
      watch: options.watch ?? true,
    };
  }

  /** Starts checking the instances known now and follows the source from here on. */
  start(): void {
    for (const service of this.options.services) {
      this.unsubscribes.push(this.source.onChange(service, (instances) => this.sync(service, instances)));
      this.sync(service, this.source.current(service));
    }
  }

  stats(): HealthCheckStats {
    const monitors = [...this.monitors.values()];
    const { checks, failures } = this.counts;
    return {
      checks,
      failures,
      successRate: checks === 0 ? 1 : (checks - failures) / checks,
      monitored: monitors.length,
      unhealthy: monitors.filter((m) => m.verdict === 'unhealthy').length,
    };
  }

  /** Stops every check and stream; verdicts already given stay in the view. Idempotent. */
  close(): void {
    this.closed = true;
    this.unsubscribes.splice(0).forEach((unsubscribe) => unsubscribe());
    for (const monitor of this.monitors.values()) monitor.stop();
    this.monitors.clear();
  }

  private sync(service: string, instances: readonly ServiceInstance[]): void {
    if (this.closed) return;
    const wanted = new Map(instances.map((instance) => [monitorKey(instance), instance] as const));
    for (const [key, monitor] of this.monitors) {
      if (monitor.service !== service || wanted.has(key)) continue;
      monitor.stop();
      this.monitors.delete(key);
    }
    for (const [key, instance] of wanted) {
      if (this.monitors.has(key)) continue;
      const monitor = new InstanceMonitor(
        instance,
        new HealthProbe(grpcAddressOf(instance), this.options.healthService ?? '', this.options.channelOptions, this.options.credentials),
        this.settings,
        {
          onOutcome: (outcome) => {
            this.counts.checks += 1;
            if (outcome.serving) return;
            this.counts.failures += 1;
            // A check that only timed out may be this host's slowness: that verdict stays local (docs/adr/0057).
            if (!outcome.timedOut) this.options.reports?.reportUnhealthy(instance, outcome.reason);
          },
          onVerdict: (verdict, reason, previous) => this.report(instance, verdict, reason, previous),
        },
      );
      this.monitors.set(key, monitor);
      monitor.start();
    }
  }

  private report(instance: ServiceInstance, verdict: Verdict, reason: string, previous: Verdict | undefined): void {
    const fields = { service: instance.service, instance: instance.instanceId, address: grpcAddressOf(instance), reason };
    if (verdict === 'unhealthy') {
      this.logger.warn(fields, 'instance failed its health check: out of rotation');
      this.health.markUnhealthy(instance.service, instance.instanceId, reason);
    } else {
      if (previous === 'unhealthy') this.logger.info(fields, 'instance healthy again: back in rotation');
      this.health.markHealthy(instance.service, instance.instanceId);
    }
  }
}

/** A changed address is another instance as far as checks go. */
const monitorKey = (instance: ServiceInstance): string => `${instance.service}\u0000${instance.instanceId}\u0000${grpcAddressOf(instance)}`;
