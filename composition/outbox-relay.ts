import type { EventPublisher } from '../core/messaging/events.js';
import type { OutboxStore } from '../core/messaging/outbox.js';
import { OutboxRelay, type OutboxRelaySettings } from '../core/messaging/outbox-relay.js';
import type { Logger } from '../adapters/observability/logger.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import type { Messaging } from './messaging.js';

export interface OutboxRelayOptions {
  readonly outbox: OutboxStore;
  /** The publisher the service's use cases would have used (with its analytics recording). */
  readonly events: EventPublisher;
  readonly messaging: Messaging;
  readonly settings: OutboxRelaySettings;
  readonly logger: Logger;
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
