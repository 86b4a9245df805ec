import { describe, expect, it } from 'vitest';
import { EventChannels, Streams } from '../../core/messaging/channels.js';
import type { DomainEvent } from '../../core/messaging/events.js';
import { InMemoryEventBus } from '../../adapters/memory/in-memory-event-bus.js';
import { InMemoryStreamStore } from '../../adapters/memory/in-memory-stream-store.js';
import { waitFor } from './wait.js';
import { recordingAnalytics } from '../../core/messaging/analytics-recorder.js';
import { testLogger } from '../../test-support/test-logger.js';

describe('recordingAnalytics', () => {
  const setUp = () => {
    const bus = new InMemoryEventBus();
    const streams = new InMemoryStreamStore();
    return { bus, streams, publisher: recordingAnalytics(bus, streams, testLogger('test')) };
  };

  it('records logins and project creations on analytics:stream:events and still publishes them', async () => {
    const { bus, streams, publisher } = setUp();
    const seen: DomainEvent[] = [];
    await bus.subscribePattern('*:events:*', (event) => {
      seen.push(event);
    });
    await publisher.publish(EventChannels.authLogin, { type: 'login', user_id: 'u1', session_id: 's1', timestamp: 1000 });
    await publisher.publish(EventChannels.projectCreated, { type: 'created', user_id: 'u1', project_id: 'p1', timestamp: 2000 });
    await publisher.publish(EventChannels.authLogout, { type: 'logout', user_id: 'u1', timestamp: 3000 });

    const entries = await streams.range(Streams.analyticsEvents, '-', '+');
    expect(entries.map((entry) => entry.fields)).toEqual([
      { type: 'login', user_id: 'u1', project_id: '', timestamp: '1000' },
      { type: 'project_created', user_id: 'u1', project_id: 'p1', timestamp: '2000' },
    ]);
    await waitFor(() => seen.length === 3, 2_000, 'the three events');
  });

  it('publishes the event even when the analytics stream cannot be written', async () => {
    const { bus, streams, publisher } = setUp();
    const seen: DomainEvent[] = [];
    await bus.subscribe(EventChannels.authLogin, (event) => {
      seen.push(event);
    });
    await streams.close();
    await publisher.publish(EventChannels.authLogin, { type: 'login', user_id: 'u2', timestamp: 1 });
    await waitFor(() => seen.length === 1, 2_000, 'the login event');
  });
});
