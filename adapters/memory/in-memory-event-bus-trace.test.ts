import { describe, expect, it } from 'vitest';
import { createLogger } from '../observability/logger.js';
import { currentTrace, runInTrace } from '../observability/trace-context-scope.js';
import { InMemoryEventBus } from './in-memory-event-bus.js';

const trace = (digit: string) => ({ traceId: digit.repeat(32), spanId: digit.repeat(16), flags: '01' });

describe('InMemoryEventBus in a trace', () => {
  it('runs each delivery in the trace of its own publisher, even when one drain delivers several', async () => {
    const bus = new InMemoryEventBus(createLogger('bus-test', 'silent'));
    const seen: (string | undefined)[] = [];
    let delivered = () => undefined as void;
    const allThree = new Promise<void>((resolve) => (delivered = () => (seen.length === 3 ? resolve() : undefined)));
    await bus.subscribe('c', () => {
      seen.push(currentTrace()?.traceId);
      delivered();
    });

    // Three publishes in one tick: one drain, scheduled by the first publisher, delivers all three.
    void runInTrace(trace('a'), () => bus.publish('c', { type: 'x', timestamp: 1 }));
    void runInTrace(trace('b'), () => bus.publish('c', { type: 'x', timestamp: 2 }));
    void runInTrace(undefined, () => bus.publish('c', { type: 'x', timestamp: 3 }));
    await allThree;

    expect(seen).toEqual(['a'.repeat(32), 'b'.repeat(32), undefined]);
  });
});
