import { describe, expect, it } from 'vitest';
import { PendingQueue } from './pending-queue.js';

describe('PendingQueue', () => {
  it('hands entries out oldest first', () => {
    const queue = new PendingQueue<string>(3);
    queue.offer('a');
    queue.offer('b');

    expect([queue.poll(), queue.poll(), queue.poll()]).toEqual(['a', 'b', undefined]);
  });

  it('refuses an entry once full', () => {
    const queue = new PendingQueue<string>(2);

    expect([queue.offer('a'), queue.offer('b'), queue.offer('c')]).toEqual([true, true, false]);
    expect(queue.size).toBe(2);
  });

  it('lets an entry leave from the middle, making room', () => {
    const queue = new PendingQueue<string>(2);
    queue.offer('a');
    queue.offer('b');

    expect(queue.remove('a')).toBe(true);
    expect(queue.remove('a')).toBe(false);
    expect(queue.offer('c')).toBe(true);
    expect(queue.drain()).toEqual(['b', 'c']);
    expect(queue.size).toBe(0);
  });
});
