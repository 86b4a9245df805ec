import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../adapters/observability/logger.js';
import { StreamJobQueue } from '../../adapters/streams/stream-job-queue.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { deliverNotifyJob, NOTIFY_JOB } from '../../core/gateway/index.js';
import { Queues } from '../../core/messaging/channels.js';
import type { Worker } from '../../core/messaging/work-queue.js';
import { delay, waitFor } from '../messaging/wait.js';
import { createGatewayHarness, type GatewayHarness } from './gateway-harness.js';

describe('notify jobs of async:notifications:queue', () => {
  let h: GatewayHarness;
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await h.close();
  });

  it('reach the user sockets on every instance: each instance consumes with a pool of its own', async () => {
    h = createGatewayHarness();
    const queue = new StreamJobQueue(h.streams, new SystemClock(), createLogger('test', 'silent'), { blockMs: 50 });
    const [first, second] = [h.instance('gw-1'), h.instance('gw-2')];
    const [onFirst, onSecond] = [h.eventsClient(first, 'ada'), h.eventsClient(second, 'ada')];
    const other = h.eventsClient(first, 'bob');
    for (const instance of [first, second]) {
      workers.push(
        await queue.work(Queues.notifications, `gateway-notifications-${instance.registry.instanceId}`, async (job) => {
          deliverNotifyJob(instance.registry, job, 0);
        }),
      );
    }

    await queue.enqueue(Queues.notifications, { type: NOTIFY_JOB, payload: { user_id: 'ada', notification: { text: 'build done' } } });

    for (const socket of [onFirst, onSecond]) {
      await waitFor(() => socket.ofType('notify').length === 1, 5_000, 'the notification on each instance');
      expect(socket.ofType('notify')).toEqual([{ type: 'notify', user_id: 'ada', notification: { text: 'build done' } }]);
    }
    await delay(50);
    expect(other.ofType('notify')).toEqual([]);
  });

  it('ignores jobs of other types, without a user, or enqueued before the instance started', () => {
    h = createGatewayHarness();
    const gw = h.instance();
    const socket = h.eventsClient(gw, 'ada');
    const job = (type: string, payload: Record<string, unknown>, enqueuedAt = 100) => ({
      id: '1-0',
      queue: Queues.notifications,
      type,
      payload,
      enqueuedAt,
      attempt: 1,
    });

    expect(deliverNotifyJob(gw.registry, job('digest', { user_id: 'ada' }), 0)).toBe('ignored');
    expect(deliverNotifyJob(gw.registry, job(NOTIFY_JOB, { notification: {} }), 0)).toBe('ignored');
    expect(deliverNotifyJob(gw.registry, job(NOTIFY_JOB, { user_id: 'ada' }, 50), 60)).toBe('ignored');
    expect(deliverNotifyJob(gw.registry, job(NOTIFY_JOB, { user_id: 'ada' }), 60)).toEqual({ delivered: true, clientCount: 1 });
    expect(socket.ofType('notify')).toEqual([{ type: 'notify', user_id: 'ada', notification: null }]);
  });
});
