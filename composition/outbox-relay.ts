import type { Tracer } from '@opentelemetry/api';
import type { EventPublisher } from '../core/messaging/events.js';
import type { OutboxStore } from '../core/messaging/outbox.js';
import { OutboxRelay, type OutboxRelaySettings } from '../core/messaging/outbox-relay.js';
import type { Logger } from '../adapters/observability/logger.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { parseTraceparent } from '../adapters/observability/trace-context.js';
import { runInScope } from '../adapters/observability/trace-context-scope.js';
import type { Messaging } from './messaging.js';

export interface OutboxRelayOptions {
  readonly outbox: OutboxStore;
  /** The publisher the service's use cases would have used (with its analytics recording). */
  readonly events: EventPublisher;
  readonly messaging: Messaging;
  readonly settings: OutboxRelaySettings;
  readonly logger: Logger;
  /** The service's tracer when traces are exported: each send is a producer span in its entry's trace (docs/adr/0048). */
  readonly tracer?: Tracer | undefined;
}

/**
 * Starts the relay of one service's outbox (docs/adr/0038) on this process's layer 3. A failed
 * round is logged at warn once per outage (then debug) with what is pending; the relay retries.
 */
export const startOutboxRelay = (options: OutboxRelayOptions): OutboxRelay => {
  const logger = options.logger.child({ component: 'outbox-relay' });
  let failing = false;
  const relay = new OutboxRelay(
    {
      outbox: options.outbox,
      events: options.events,
      jobs: options.messaging.jobs,
      streams: options.messaging.streams,
      clock: new SystemClock(),
      // Each message continues the trace of the request that recorded it (docs/adr/0048).
      inRecordedContext: (context, send) => {
        const trace = parseTraceparent(context);
        return trace ? runInScope({ trace, tracer: options.tracer }, send) : send();
      },
      onSendFailure: (error, pending) => {
        const reason = error instanceof Error ? error.message : String(error);
        if (failing) logger.debug({ pending, reason }, 'outbox relay still waiting for the transport');
        else logger.warn({ pending, reason }, 'outbox relay cannot send; retrying with backoff');
        failing = true;
      },
    },
    options.settings,
  );
  options.outbox.onRecorded(() => {
    // Any round that got here after a failure means the transport took something again.
    if (failing)
      void options.outbox.pendingCount().then(
        (pending) => pending === 0 && (failing = false),
        () => undefined,
      );
  });
  relay.start();
  return relay;
};
