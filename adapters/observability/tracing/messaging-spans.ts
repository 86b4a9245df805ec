import type { Attributes } from '@opentelemetry/api';
import { EventChannels, Queues } from '../../../core/messaging/channels.js';
import { ChannelFamilies } from '../metrics/channel-family.js';
import type { TraceContext } from '../trace-context.js';
import {
  MESSAGING_CONSUMER_GROUP_NAME,
  MESSAGING_DESTINATION_NAME,
  MESSAGING_DESTINATION_TEMPLATE,
  MESSAGING_MESSAGE_ID,
  MESSAGING_OPERATION_NAME,
  MESSAGING_OPERATION_TYPE,
  MESSAGING_SYSTEM,
  type MessagingSystem,
} from './semantic-attributes.js';
import { failSpan, recordingScope, SpanKind, startSpan, type Span, type Tracer } from './spans.js';

/**
 * Channel names with an id (`notifications:user:<id>`) go into span names as their family
 * (`notifications:user:*`, as metrics label them), so span names stay few; the attribute keeps the full name.
 */
const families = new ChannelFamilies(new Set<string>([...Object.values(EventChannels), ...Object.values(Queues)]));

const destinationAttributes = (destination: string, family: string): Attributes =>
  family === destination
    ? { [MESSAGING_DESTINATION_NAME]: destination }
    : { [MESSAGING_DESTINATION_NAME]: destination, [MESSAGING_DESTINATION_TEMPLATE]: family };

/**
 * A producer span for a message leaving the current work (`publish` on a channel, `enqueue` on a
 * queue), or undefined when the work records no spans. Its `traceparent` goes into the message.
 */
export const startProducerSpan = (
  system: MessagingSystem,
  operation: 'publish' | 'enqueue',
  destination: string,
  messageId?: string,
): Span | undefined => {
  const scope = recordingScope();
  if (!scope) return undefined;
  const family = families.of(destination);
  const attributes: Attributes = {
    [MESSAGING_SYSTEM]: system,
    [MESSAGING_OPERATION_TYPE]: 'send',
    [MESSAGING_OPERATION_NAME]: operation,
    ...destinationAttributes(destination, family),
  };
  if (messageId !== undefined) attributes[MESSAGING_MESSAGE_ID] = messageId;
  return startSpan(scope.tracer, `${operation} ${family}`, SpanKind.PRODUCER, scope.trace, attributes);
};

/** Ends a producer span once the transport took the message, failed if it refused it. */
export const endProducerSpan = <T>(span: Span | undefined, sending: Promise<T>): Promise<T> =>
  span
    ? sending.then(
        (value) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          failSpan(span, error);
          span.end();
          throw error;
        },
      )
    : sending;

export interface ConsumedMessage {
  readonly system: MessagingSystem;
  /** The channel or queue the message came from. */
  readonly destination: string;
  /** The pattern it was received through, when subscribed by pattern. */
  readonly pattern?: string;
  /** The worker pool, for a job. */
  readonly group?: string;
  readonly messageId?: string | undefined;
}

/** A consumer span (`process <channel>`) for a message whose sender's span was `sender`. */
export const startConsumerSpan = (tracer: Tracer, sender: TraceContext, message: ConsumedMessage): Span => {
  const family = message.pattern ?? families.of(message.destination);
  return startSpan(tracer, `process ${family}`, SpanKind.CONSUMER, sender, () => consumerAttributes(message, family), true);
};

const consumerAttributes = (message: ConsumedMessage, family: string): Attributes => {
  const attributes: Attributes = {
    [MESSAGING_SYSTEM]: message.system,
    [MESSAGING_OPERATION_TYPE]: 'process',
    [MESSAGING_OPERATION_NAME]: 'process',
    ...destinationAttributes(message.destination, family),
  };
  if (message.group !== undefined) attributes[MESSAGING_CONSUMER_GROUP_NAME] = message.group;
  if (message.messageId !== undefined) attributes[MESSAGING_MESSAGE_ID] = message.messageId;
  return attributes;
};
