import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientDirectory, ConnectedClient } from '../../core/gateway/index.js';
import { delay, waitFor } from '../messaging/wait.js';

export interface ClientDirectoryFixture {
  /** The directory as one more gateway process opens it (its own connections, the same store). */
  open(): ClientDirectory;
  close(): Promise<void>;
}

const TTL_MS = 60_000;
/** Short enough for a test to wait out, long enough that a loaded machine refreshes in time. */
const SHORT_TTL_MS = 600;

let clients = 0;
const aClient = (instanceId: string, overrides: Partial<ConnectedClient> = {}): ConnectedClient => {
  clients += 1;
  return {
    clientId: `client-${clients}`,
    userId: 'u1',
    sessionId: 's1',
    subscriptions: ['events', 'user:u1'],
    connectionType: 'websocket',
    connectedAt: 1_000 + clients,
    lastSeenAt: 1_000 + clients,
    instanceId,
    ...overrides,
  };
};

const ids = (list: readonly ConnectedClient[]): string[] => list.map((client) => client.clientId).sort();

/** One suite for every ClientDirectory adapter: what the gateway instances see of each other's clients. */
export function describeClientDirectoryContract(adapterName: string, createFixture: () => Promise<ClientDirectoryFixture>): void {
  describe(`ClientDirectory contract: ${adapterName}`, () => {
    let fixture: ClientDirectoryFixture;
    let gwA: ClientDirectory;
    let gwB: ClientDirectory;
    let reader: ClientDirectory;
    // Unique instance ids per test: the Redis suites share one server.
    let a: string;
    let b: string;

    beforeEach(async () => {
      fixture = await createFixture();
      [gwA, gwB, reader] = [fixture.open(), fixture.open(), fixture.open()];
      a = `gw-a-${clients}`;
      b = `gw-b-${clients}`;
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('shows every instance the clients each one put, as they were put', async () => {
      const onA = [aClient(a), aClient(a, { userId: 'u2', subscriptions: [] })];
      const onB = aClient(b, { connectionType: 'http', subscriptions: ['simulation:s1'] });
      await gwA.put(a, onA, TTL_MS);
      await gwB.put(b, [onB], TTL_MS);

      const listed = (await reader.list()).filter((client) => [a, b].includes(client.instanceId));
      expect(ids(listed)).toEqual(ids([...onA, onB]));
      expect(listed.find((client) => client.clientId === onB.clientId)).toEqual(onB);
      expect(await reader.find(onA[1]!.clientId)).toEqual(onA[1]);
      expect(await reader.find('nobody-has-this-client')).toBeUndefined();
    });

    it('replaces a client put again under the same id (new subscriptions, a later sign of life)', async () => {
      const client = aClient(a);
      await gwA.put(a, [client], TTL_MS);
      const seen = { ...client, subscriptions: ['events'], lastSeenAt: client.lastSeenAt + 5_000 };
      await gwA.put(a, [seen], TTL_MS);

      expect(await reader.find(client.clientId)).toEqual(seen);
      expect((await reader.list()).filter((entry) => entry.clientId === client.clientId)).toHaveLength(1);
    });

    it('forgets a removed client, and removing one it does not know is harmless', async () => {
      const [kept, removed] = [aClient(a), aClient(a)];
      await gwA.put(a, [kept, removed], TTL_MS);
      await gwA.remove(a, removed.clientId);
      await gwA.remove(a, 'never-put');
      await gwA.remove(`never-written-${a}`, removed.clientId);

      expect(await reader.find(removed.clientId)).toBeUndefined();
      expect(ids((await reader.list()).filter((client) => client.instanceId === a))).toEqual([kept.clientId]);
    });

    it('replaces every entry of one instance at once, and an empty replacement takes the instance out', async () => {
      const [old, onB] = [aClient(a), aClient(b)];
      await gwA.put(a, [old], TTL_MS);
      await gwB.put(b, [onB], TTL_MS);
      const fresh = [aClient(a), aClient(a)];

      await gwA.replace(a, fresh, TTL_MS);
      expect(ids((await reader.list()).filter((client) => client.instanceId === a))).toEqual(ids(fresh));

      await gwA.replace(a, [], TTL_MS);
      expect((await reader.list()).filter((client) => client.instanceId === a)).toEqual([]);
      expect(await reader.find(onB.clientId)).toEqual(onB);
      expect(await gwA.refresh(a, TTL_MS)).toBe(false);
    });

    it('says whether a refresh found entries to keep', async () => {
      expect(await gwA.refresh(a, TTL_MS)).toBe(false);
      const client = aClient(a);
      await gwA.put(a, [client], TTL_MS);
      expect(await gwA.refresh(a, TTL_MS)).toBe(true);
      await gwA.remove(a, client.clientId);
      expect(await gwA.refresh(a, TTL_MS)).toBe(false);
    });

    it('drops the clients of an instance that stops refreshing once its expiry passes, and keeps those of one that refreshes', async () => {
      const [living, dying] = [aClient(a), aClient(b)];
      await gwA.put(a, [living], SHORT_TTL_MS);
      await gwB.put(b, [dying], SHORT_TTL_MS);
      let refreshing = true;
      const heartbeat = (async () => {
        while (refreshing) {
          expect(await gwA.refresh(a, SHORT_TTL_MS)).toBe(true);
          await delay(SHORT_TTL_MS / 6);
        }
      })();
      try {
        expect(await reader.find(dying.clientId)).toEqual(dying);
        await waitFor(async () => (await reader.find(dying.clientId)) === undefined, 10_000, 'the silent instance to expire');
        expect((await reader.list()).some((client) => client.instanceId === b)).toBe(false);
        // Well past the first expiry, the refreshed instance is still there.
        await delay(SHORT_TTL_MS);
        expect(await reader.find(living.clientId)).toEqual(living);
      } finally {
        refreshing = false;
        await heartbeat;
      }
    });

    it('answers the later connection when two instances hold one client id', async () => {
      const earlier = aClient(a);
      const later = { ...earlier, instanceId: b, connectedAt: earlier.connectedAt + 10 };
      await gwA.put(a, [earlier], TTL_MS);
      await gwB.put(b, [later], TTL_MS);
      expect(await reader.find(earlier.clientId)).toEqual(later);
    });
  });
}
