import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../core/messaging/events.js';
import type { Job } from '../../core/messaging/work-queue.js';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { createLogger } from '../observability/logger.js';
import type { TraceContext } from '../observability/trace-context.js';
import { currentTrace, runInTrace } from '../observability/trace-context-scope.js';
import { StreamJobQueue } from '../streams/stream-job-queue.js';
import { SystemClock } from '../system/system-clock.js';
import { RedisConnections } from './redis-connections.js';
import { RedisEventBus } from './redis-event-bus.js';
import { RedisStreamStore } from './redis-stream-store.js';

const PUBLISHER = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: '01' };
const OTHER = { traceId: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', spanId: 'bbbbbbbbbbbbbbbb', flags: '01' };

/** Events and jobs carry their publisher's trace across Redis; handlers run in it. */
describe('traces over Redis', () => {
  let redis: RedisFixture;
  let admin: Redis;
  let connections: RedisConnections;
  let bus: RedisEventBus;
  let jobs: StreamJobQueue;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    redis = await startRedisNode();
    admin = new Redis(redis.config.kind === 'node' ? redis.config.url : '');
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    });
    const logger = createLogger('redis-trace-test', 'debug', sink);
    // Opened inside an unrelated trace: its sockets' callbacks must not leak it into deliveries.
    runInTrace(OTHER, () => {
      connections = new RedisConnections(redis.config, { name: 'trace-test' });
      bus = new RedisEventBus(connections, { logger });
    });
    jobs = new StreamJobQueue(new RedisStreamStore(connections), new SystemClock(), logger, { blockMs: 50 });
  });

  afterAll(async () => {
    await jobs?.close();
    await bus?.close();
    await connections?.close();
    admin?.disconnect();
    await redis?.stop();
  });

  /** Subscribes to `channel` and resolves once Redis confirmed it, with the first event to come. */
  const nextEvent = async (
    channel: string,
  ): Promise<{ arrived: Promise<{ event: DomainEvent; trace: TraceContext | undefined }>; close: () => Promise<void> }> => {
    let delivered: (value: { event: DomainEvent; trace: TraceContext | undefined }) => void = () => undefined;
    const arrived = new Promise<{ event: DomainEvent; trace: TraceContext | undefined }>((resolve) => (delivered = resolve));
    const subscription = await bus.subscribe(channel, (event) => delivered({ event, trace: currentTrace() }));
    return { arrived, close: () => subscription.unsubscribe() };
  };

  it('delivers an event published in a trace to a handler running in a child span of it', async () => {
    // Published once the subscription is in place (a fixed 50 ms wait lost the event on a loaded machine).
    const { arrived, close } = await nextEvent('project:events:created');
    await runInTrace(PUBLISHER, () => bus.publish('project:events:created', { type: 'created', timestamp: 1, projectId: 'p-1' }));
    const { event, trace } = await arrived;
    await close();

    expect(event).toEqual({ type: 'created', timestamp: 1, projectId: 'p-1' });
    expect(trace?.traceId).toBe(PUBLISHER.traceId);
    expect(trace?.spanId).not.toBe(PUBLISHER.spanId);
    expect(lines.find((line) => line['msg'] === 'event delivered' && line['channel'] === 'project:events:created')).toMatchObject({
      trace_id: PUBLISHER.traceId,
      type: 'created',
    });
  });

  it('puts the traceparent in the envelope on the wire', async () => {
    const spy = new Redis(redis.config.kind === 'node' ? redis.config.url : '');
    try {
      await spy.subscribe('wire:check');
      const raw = new Promise<string>((resolve) => spy.once('message', (_channel: string, message: string) => resolve(message)));
      await runInTrace(PUBLISHER, () => bus.publish('wire:check', { type: 'x', timestamp: 2 }));
      expect(JSON.parse(await raw)).toEqual({
        type: 'x',
        timestamp: 2,
        traceparent: expect.stringMatching(new RegExp(`^00-${PUBLISHER.traceId}-[0-9a-f]{16}-01$`)),
      });
    } finally {
      spy.disconnect();
    }
  });

  it('delivers an envelope without traceparent outside any trace', async () => {
    const { arrived, close } = await nextEvent('system:announcements');
    await admin.publish('system:announcements', JSON.stringify({ type: 'maintenance', timestamp: 3 }));
    const { event, trace } = await arrived;
    await close();

    expect(event).toEqual({ type: 'maintenance', timestamp: 3 });
    expect(trace).toBeUndefined();
  });

  it('runs a job in the trace that enqueued it, and a job enqueued outside one outside any', async () => {
    const handled: { job: Job; trace: TraceContext | undefined }[] = [];
    const worker = await jobs.work('async:trace:queue', 'trace-workers', async (job) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      handled.push({ job, trace: currentTrace() });
    });
    try {
      await runInTrace(PUBLISHER, () => jobs.enqueue('async:trace:queue', { type: 'report', payload: { n: 1 } }));
      await jobs.enqueue('async:trace:queue', { type: 'report', payload: { n: 2 } });
      const deadline = Date.now() + 5_000;
      while (handled.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      await worker.stop();
    }

    const [traced, untraced] = [1, 2].map((n) => handled.find(({ job }) => job.payload['n'] === n));
    expect(traced?.trace?.traceId).toBe(PUBLISHER.traceId);
    expect(traced?.job.payload).toEqual({ n: 1 });
    expect(untraced?.trace).toBeUndefined();
  });
});
