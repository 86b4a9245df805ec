import { describe, expect, it } from 'vitest';
import { ClientRegistry } from './client-registry.js';
import { connectedClients } from './connected-clients.js';

const registryOf = (clients: readonly { id: string; user: string; topics?: string[]; at: number }[]) => {
  let now = 0;
  let session = 0;
  const registry = new ClientRegistry('gw', { now: () => now }, { next: () => `s${++session}` });
  for (const client of clients) {
    now = client.at;
    registry.register({ clientId: client.id, userId: client.user, subscriptions: client.topics ?? [], connectionType: 'http' });
  }
  return registry.all().map(({ client }) => client);
};

const ids = (page: { clients: readonly { clientId: string }[] }) => page.clients.map((client) => client.clientId);

describe('connectedClients', () => {
  const clients = registryOf([
    { id: 'c', user: 'u1', topics: ['events'], at: 10 },
    { id: 'a', user: 'u2', at: 20 },
    { id: 'b', user: 'u1', topics: ['events'], at: 20 },
    { id: 'd', user: 'u1', at: 30 },
  ]);

  it('pages through clients, oldest connection first, ties by id', () => {
    const first = connectedClients(clients, { pageSize: 2 });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(ids(first.value)).toEqual(['c', 'a']);
    expect(first.value.totalCount).toBe(4);
    expect(first.value.nextPageToken).not.toBe('');

    const second = connectedClients(clients, { pageSize: 2, pageToken: first.value.nextPageToken });
    expect(second).toMatchObject({ ok: true, value: { nextPageToken: '', totalCount: 4 } });
    expect(second.ok && ids(second.value)).toEqual(['b', 'd']);
  });

  it('filters by user and by subscription', () => {
    const byUser = connectedClients(clients, { userId: 'u1' });
    expect(byUser.ok && ids(byUser.value)).toEqual(['c', 'b', 'd']);
    const byTopic = connectedClients(clients, { userId: 'u1', subscription: 'events' });
    expect(byTopic).toMatchObject({ ok: true, value: { totalCount: 2, nextPageToken: '' } });
  });

  it('refuses a page size out of range and a token it did not issue', () => {
    expect(connectedClients(clients, { pageSize: 501 })).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(connectedClients(clients, { pageToken: 'zz' })).toMatchObject({
      ok: false,
      error: { kind: 'invalid', violations: [{ field: 'page_token' }] },
    });
  });

  it('answers an empty page after the last client', () => {
    const all = connectedClients(clients, { pageSize: 3 });
    if (!all.ok) throw new Error('expected a page');
    const rest = connectedClients(
      clients.filter((client) => client.clientId !== 'd'),
      { pageSize: 3, pageToken: all.value.nextPageToken },
    );
    expect(rest).toMatchObject({ ok: true, value: { clients: [], nextPageToken: '' } });
  });
});
