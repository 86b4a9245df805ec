import { describe, expect, it } from 'vitest';
import type { ServiceInstance } from './instance.js';
import { InstanceView } from './instance-view.js';

const anInstance = (instanceId: string, overrides: Partial<ServiceInstance> = {}): ServiceInstance => ({
  service: 'auth',
  instanceId,
  host: '10.0.0.1',
  grpcPort: 9000,
  httpPort: 9001,
  status: 'healthy',
  startedAt: 1_000,
  lastHeartbeat: 2_000,
  ...overrides,
});

const everything = (): boolean => true;

describe('InstanceView', () => {
  it('reports a new instance as added, with when it changed', () => {
    const view = new InstanceView();

    expect(view.upsert(anInstance('a'), 5_000)).toEqual({ type: 'added', instance: anInstance('a'), changedAt: 5_000 });
    expect(view.list('auth')).toEqual([anInstance('a')]);
  });

  it('reports a changed status as updated, with the previous record', () => {
    const view = new InstanceView();
    view.upsert(anInstance('a'));

    const change = view.upsert(anInstance('a', { status: 'draining' }));

    expect(change).toEqual({ type: 'updated', instance: anInstance('a', { status: 'draining' }), previous: anInstance('a') });
  });

  it('keeps a newer heartbeat time without reporting a change', () => {
    const view = new InstanceView();
    view.upsert(anInstance('a'));

    expect(view.upsert(anInstance('a', { lastHeartbeat: 9_000 }))).toBeUndefined();
    expect(view.get('auth', 'a')?.lastHeartbeat).toBe(9_000);
  });

  it('reports the removal of a known instance with its last record, and ignores unknown ones', () => {
    const view = new InstanceView();
    view.upsert(anInstance('a'));

    expect(view.remove('auth', 'a', 'expired')).toEqual({ type: 'removed', instance: anInstance('a'), reason: 'expired' });
    expect(view.remove('auth', 'a', 'expired')).toBeUndefined();
    expect(view.list('auth')).toEqual([]);
  });

  it('lists by instance id, per service and for all', () => {
    const view = new InstanceView();
    view.upsert(anInstance('b'));
    view.upsert(anInstance('a'));
    view.upsert(anInstance('c', { service: 'project' }));

    expect(view.list('auth').map((i) => i.instanceId)).toEqual(['a', 'b']);
    expect(
      view
        .all()
        .map((i) => i.instanceId)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
  });

  describe('reconcile with a listing', () => {
    it('adds what it lists and reports what vanished unseen as expired', () => {
      const view = new InstanceView();
      view.upsert(anInstance('gone'));
      const since = view.mark();

      const changes = view.reconcile(everything, [anInstance('new')], since);

      expect(changes.map((c) => `${c.type}:${c.instance.instanceId}`)).toEqual(['added:new', 'removed:gone']);
      expect(view.list('auth').map((i) => i.instanceId)).toEqual(['new']);
    });

    it('leaves services out of scope alone', () => {
      const view = new InstanceView();
      view.upsert(anInstance('p', { service: 'project' }));

      const changes = view.reconcile((service) => service === 'auth', [], view.mark());

      expect(changes).toEqual([]);
      expect(view.list('project')).toHaveLength(1);
    });

    it('does not bring back an instance removed after the listing started', () => {
      const view = new InstanceView();
      view.upsert(anInstance('a'));
      const since = view.mark();
      view.remove('auth', 'a', 'deregistered'); // arrives while the listing is on its way

      expect(view.reconcile(everything, [anInstance('a')], since)).toEqual([]);
      expect(view.list('auth')).toEqual([]);
    });

    it('does not undo a change made after the listing started', () => {
      const view = new InstanceView();
      view.upsert(anInstance('a', { status: 'starting' }));
      const since = view.mark();
      view.upsert(anInstance('a', { status: 'healthy' }));
      view.upsert(anInstance('b'));

      expect(view.reconcile(everything, [anInstance('a', { status: 'starting' })], since)).toEqual([]);
      expect(view.list('auth').map((i) => `${i.instanceId}:${i.status}`)).toEqual(['a:healthy', 'b:healthy']);
    });

    it('lets a later listing bring back an instance removed before it started', () => {
      const view = new InstanceView();
      view.upsert(anInstance('a'));
      view.remove('auth', 'a', 'expired');
      const since = view.mark();

      expect(view.reconcile(everything, [anInstance('a')], since).map((c) => c.type)).toEqual(['added']);
    });
  });
});
