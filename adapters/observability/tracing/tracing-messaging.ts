import type { DeliveryWatcher, DomainEvent, EventBus, EventHandler, Subscription } from '../../../core/messaging/events.js';
import type { Job, JobHandler, JobQueue, NewJob, Worker, WorkerOptions } from '../../../core/messaging/work-queue.js';
import { currentScope } from '../trace-context-scope.js';
import { startConsumerSpan, type ConsumedMessage } from './messaging-spans.js';
import type { MessagingSystem } from './semantic-attributes.js';
import { runInSpan, type Tracer } from './spans.js';

/**
 * Runs `handle` in a consumer span of the message being delivered, recorded by `tracer` (the
 * subscribing service's), when the delivery continues a sender's span (`runReceived`); a message
 * sent outside any trace is handled as before, without a span (docs/adr/0019, docs/adr/0048).
 */
const consumed = <T>(tracer: Tracer, message: () => ConsumedMessage, handle: () => T): T => {
  const sender = currentScope()?.received;
  if (!sender) return handle();
  return runInSpan(startConsumerSpan(tracer, sender, message()), tracer, handle);
};

/**
 * A service's view of the process's event bus when traces are exported: its handlers run in
 * consumer spans named after the service. Publishing is the bus's own (its producer span).
 */
export class TracingEventBus implements EventBus {
  constructor(
    private readonly inner: EventBus,
    private readonly tracer: Tracer,
    private readonly system: MessagingSystem,
  ) {}

  publish(channel: string, event: DomainEvent): Promise<void> {
    return this.inner.publish(channel, event);
  }

  subscribe(channel: string, handler: EventHandler): Promise<Subscription> {
    return this.inner.subscribe(channel, this.traced(handler));
  }

  subscribePattern(pattern: string, handler: EventHandler): Promise<Subscription> {
    return this.inner.subscribePattern(pattern, this.traced(handler, pattern));
  }
  watchDelivery(watcher: DeliveryWatcher): () => void {
    return this.inner.watchDelivery(watcher);
  }

  private traced(handler: EventHandler, pattern?: string): EventHandler {
    return (event, channel) =>
      consumed(
        this.tracer,
        () => ({ system: this.system, destination: channel, messageId: event.event_id, ...(pattern !== undefined && { pattern }) }),
        () => handler(event, channel),
      );
  }
}

/** A service's view of the process's job queues when traces are exported: its workers' jobs run in consumer spans. */
export class TracingJobQueue implements JobQueue {
  constructor(
    private readonly inner: JobQueue,
    private readonly tracer: Tracer,
    private readonly system: MessagingSystem,
  ) {}

  enqueue(queue: string, job: NewJob): Promise<string> {
    return this.inner.enqueue(queue, job);
  }

  work(queue: string, group: string, handler: JobHandler, options?: WorkerOptions): Promise<Worker> {
    const traced: JobHandler = (job: Job) =>
      consumed(
        this.tracer,
        () => ({ system: this.system, destination: queue, group, messageId: job.id }),
        () => handler(job),
      );
    return this.inner.work(queue, group, traced, options);
  }

  deadLetters(queue: string, count?: number): Promise<Job[]> {
    return this.inner.deadLetters(queue, count);
  }
}
