import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisNode, type RedisFixture } from '../../test-support/redis-fixture.js';
import { PublishBatcher } from './publish-batcher.js';

let redis: RedisFixture;
let publisher: Redis;
let subscriber: Redis;

beforeAll(async () => {
  redis = await startRedisNode();
  const url = redis.config.kind === 'node' ? redis.config.url : '';
  publisher = new Redis(url);
  subscriber = new Redis(url);
});
afterAll(async () => {
  publisher?.disconnect();
  subscriber?.disconnect();
  await redis?.stop();
});

const received = async (channel: string): Promise<string[]> => {
  const messages: string[] = [];
  subscriber.on('message', (from: string, message: string) => {
    if (from === channel) messages.push(message);
  });
  await subscriber.subscribe(channel);
  return messages;
};

describe('PublishBatcher', () => {
  it('publishes a lone event at once and answers how many subscribers got it', async () => {
    const messages = await received('batcher:lone');
    const batcher = new PublishBatcher(publisher);

    expect(await batcher.publish('batcher:lone', 'one')).toBe(1);
    expect(await batcher.publish('batcher:nobody', 'two')).toBe(0);
    await expect.poll(() => messages).toEqual(['one']);
  });

  it('sends a burst of one tick as one pipeline and keeps its order', async () => {
    const messages = await received('batcher:burst');
    const batcher = new PublishBatcher(publisher);
    const pipelines: number[] = [];
    const pipeline = publisher.pipeline.bind(publisher);
    publisher.pipeline = ((...args: Parameters<typeof pipeline>) => {
      pipelines.push(1);
      return pipeline(...args);
    }) as typeof publisher.pipeline;

    const answers = await Promise.all(Array.from({ length: 50 }, (_, index) => batcher.publish('batcher:burst', `m${index}`)));
    publisher.pipeline = pipeline;

    expect(answers).toEqual(Array(50).fill(1));
    expect(pipelines).toHaveLength(1);
    await expect.poll(() => messages.length).toBe(50);
    expect(messages).toEqual(Array.from({ length: 50 }, (_, index) => `m${index}`));
  });

  it('fails every publish of a batch when the connection is gone', async () => {
    const url = redis.config.kind === 'node' ? redis.config.url : '';
    const closed = new Redis(url, { enableOfflineQueue: false, lazyConnect: true });
    const batcher = new PublishBatcher(closed);

    const outcomes = await Promise.allSettled([batcher.publish('batcher:gone', 'a'), batcher.publish('batcher:gone', 'b')]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    closed.disconnect();
  });
});
