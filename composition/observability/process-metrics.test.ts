import { describe, expect, it } from 'vitest';
import { Queues } from '../../core/messaging/channels.js';
import { waitFor } from '../../contract-tests/messaging/wait.js';
import { parsePrometheusText, sampleSum } from '../../test-support/prometheus-text.js';
import { testLogger } from '../../test-support/test-logger.js';
import { createInMemoryMessaging } from '../messaging.js';
import { ProcessMetrics } from './process-metrics.js';

describe('ProcessMetrics channel families', () => {
  it("counts a queue's dead letters under their own family, not folded into the queue's prefix", async () => {
    const metrics = new ProcessMetrics();
    const messaging = createInMemoryMessaging(testLogger('process-metrics'), metrics);
    try {
      const worker = await messaging.jobs.work(Queues.email, 'senders', () => Promise.reject(new Error('smtp down')), { maxAttempts: 1 });
      await messaging.jobs.enqueue(Queues.email, { type: 'welcome', payload: { to: 'x@example.com' } });
      await waitFor(async () => (await messaging.jobs.deadLetters(Queues.email)).length === 1, 5_000, 'the job dead-lettered');
      await worker.stop();
      const text = parsePrometheusText(await metrics.text());
      expect(sampleSum(text, 'meshwork_messages_published_total', { family: 'async:email:queue:dead', transport: 'stream' })).toBe(1);
      expect(sampleSum(text, 'meshwork_messages_published_total', { family: 'async:email:queue', transport: 'stream' })).toBe(1);
      expect(sampleSum(text, 'meshwork_messages_published_total', { family: 'async:email:*' })).toBe(0);
    } finally {
      await messaging.close();
    }
  });
});
