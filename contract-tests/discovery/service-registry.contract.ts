import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AllServices, type ServiceRegistry } from '../../core/discovery/ports.js';
import { delay, waitFor } from '../messaging/wait.js';
import { anInstance, recordChanges, uniqueService } from './builders.js';

export interface ServiceRegistryFixture {
  /** What a registering instance uses. */
  readonly writer: ServiceRegistry;
  /** What another process's discovery uses: the same object in memory, other connections for Redis. */
  readonly reader: ServiceRegistry;
  close(): Promise<void>;
}

export interface ServiceRegistryCapabilities {
  /** Longest wait, past a record's TTL, for a watcher to hear of its expiry. Default 2 s. */
  readonly expiryNoticeMs?: number;
}

/** Every ServiceRegistry adapter runs this suite (STYLE.md 14). Service names are unique per test. */
export function describeServiceRegistryContract(
  adapterName: string,
  createFixture: () => Promise<ServiceRegistryFixture>,
  capabilities: ServiceRegistryCapabilities = {},
): void {
  const expiryNoticeMs = capabilities.expiryNoticeMs ?? 2_000;

  describe(`ServiceRegistry contract: ${adapterName}`, () => {
    let fixture: ServiceRegistryFixture;
    let service: string;

    beforeEach(async () => {
      fixture = await createFixture();
      service = uniqueService();
    });
    afterEach(async () => {
      await fixture.close();
    });

    describe('records', () => {
      it('lists a registered instance with its record and the time of the write', async () => {
        const record = anInstance(service, { grpcPort: 9100, httpPort: 9101, version: '1.2.3', metadata: { zone: 'a' } });
        const before = Date.now();

        await fixture.writer.register(record, 10_000);

        const listed = await fixture.reader.list(service);
        expect(listed).toEqual([{ ...record, lastHeartbeat: expect.any(Number) }]);
        expect(listed[0]!.lastHeartbeat).toBeGreaterThanOrEqual(before);
      });

      it('lists only the instances of the service asked for, ordered by instance id', async () => {
        const other = uniqueService();
        await fixture.writer.register(anInstance(service, { instanceId: 'b' }), 10_000);
        await fixture.writer.register(anInstance(service, { instanceId: 'a' }), 10_000);
        await fixture.writer.register(anInstance(other, { instanceId: 'c' }), 10_000);

        expect((await fixture.reader.list(service)).map((i) => i.instanceId)).toEqual(['a', 'b']);
        expect(await fixture.reader.list(uniqueService())).toEqual([]);
      });

      it('replaces the record when the same instance registers again', async () => {
        const record = anInstance(service, { status: 'starting' });
        await fixture.writer.register(record, 10_000);

        await fixture.writer.register({ ...record, status: 'healthy', grpcPort: 9200 }, 10_000);

        expect(await fixture.reader.list(service)).toMatchObject([{ instanceId: record.instanceId, status: 'healthy', grpcPort: 9200 }]);
      });

      it('removes an instance at once on deregister, and says whether it was there', async () => {
        const record = anInstance(service);
        await fixture.writer.register(record, 10_000);

        expect(await fixture.writer.deregister(service, record.instanceId)).toBe(true);
        expect(await fixture.reader.list(service)).toEqual([]);
        expect(await fixture.writer.deregister(service, record.instanceId)).toBe(false);
      });
    });

    describe('time to live', () => {
      it('forgets an instance that stops heartbeating once its TTL has passed', async () => {
        const ttlMs = 300;
        // Taken before the call: the TTL starts when the store applies it, which is after this
        // instant and before the reply reaches a busy event loop.
        const registeredAt = Date.now();
        await fixture.writer.register(anInstance(service), ttlMs);
        expect(await fixture.reader.list(service)).toHaveLength(1);

        await waitFor(async () => (await fixture.reader.list(service)).length === 0, 5_000, 'the record to expire');

        expect(Date.now() - registeredAt).toBeGreaterThanOrEqual(ttlMs - 20);
      });

      it('keeps an instance that heartbeats, well past its TTL', async () => {
        const ttlMs = 400;
        const record = anInstance(service);
        await fixture.writer.register(record, ttlMs);

        const outcomes: string[] = [];
        const until = Date.now() + 3 * ttlMs;
        while (Date.now() < until) {
          await delay(80);
          outcomes.push(await fixture.writer.heartbeat(record, ttlMs));
        }

        expect(new Set(outcomes)).toEqual(new Set(['refreshed']));
        expect(await fixture.reader.list(service)).toHaveLength(1);
      });

      it('refreshes the heartbeat time and writes a changed status on heartbeat', async () => {
        const record = anInstance(service);
        await fixture.writer.register(record, 10_000);
        const [first] = await fixture.reader.list(service);
        await delay(5);

        expect(await fixture.writer.heartbeat({ ...record, status: 'draining' }, 10_000)).toBe('refreshed');

        const [second] = await fixture.reader.list(service);
        expect(second!.status).toBe('draining');
        expect(second!.lastHeartbeat).toBeGreaterThan(first!.lastHeartbeat);
      });

      it('writes an expired instance again on its next heartbeat', async () => {
        const record = anInstance(service);
        await fixture.writer.register(record, 200);
        await waitFor(async () => (await fixture.reader.list(service)).length === 0, 5_000, 'the record to expire');

        expect(await fixture.writer.heartbeat(record, 10_000)).toBe('restored');

        expect(await fixture.reader.list(service)).toMatchObject([{ instanceId: record.instanceId }]);
      });
    });

    describe('reports of ill health', () => {
      const report = { reason: 'UNAVAILABLE: connect ECONNREFUSED', reportedBy: 'checker-host:4242' };

      it('marks a healthy record unhealthy with the reason and the reporter, for every reader', async () => {
        const record = anInstance(service, { metadata: { pid: '17' } });
        await fixture.writer.register(record, 10_000);
        const [before] = await fixture.reader.list(service);

        expect(await fixture.reader.reportUnhealthy(service, record.instanceId, report)).toBe(true);

        expect(await fixture.writer.list(service)).toEqual([
          { ...before, status: 'unhealthy', statusReason: report.reason, statusReportedBy: report.reportedBy },
        ]);
      });

      it('leaves a draining, an unhealthy or a missing record as it is', async () => {
        const draining = anInstance(service, { instanceId: 'a', status: 'draining' });
        const unhealthy = anInstance(service, { instanceId: 'b', status: 'unhealthy', statusReason: 'database: timeout' });
        await fixture.writer.register(draining, 10_000);
        await fixture.writer.register(unhealthy, 10_000);

        expect(await fixture.reader.reportUnhealthy(service, 'a', report)).toBe(false);
        expect(await fixture.reader.reportUnhealthy(service, 'b', report)).toBe(false);
        expect(await fixture.reader.reportUnhealthy(service, 'nobody', report)).toBe(false);

        expect(await fixture.reader.list(service)).toMatchObject([
          { instanceId: 'a', status: 'draining' },
          { instanceId: 'b', status: 'unhealthy', statusReason: 'database: timeout' },
        ]);
        expect(await fixture.reader.list(service)).not.toContainEqual(expect.objectContaining({ statusReportedBy: report.reportedBy }));
      });

      it('does not keep a dead instance alive: its record still expires with its TTL', async () => {
        const ttlMs = 400;
        const record = anInstance(service);
        const registeredAt = Date.now();
        await fixture.writer.register(record, ttlMs);
        await delay(200);

        await fixture.reader.reportUnhealthy(service, record.instanceId, report);

        await waitFor(async () => (await fixture.reader.list(service)).length === 0, 5_000, 'the reported record to expire');
        expect(Date.now() - registeredAt).toBeLessThan(ttlMs + 1_500);
        expect(await fixture.reader.reportUnhealthy(service, record.instanceId, report)).toBe(false);
        expect(await fixture.reader.list(service)).toEqual([]);
      });

      it('tells watchers, and lets the instance say it is healthy again with its next heartbeat', async () => {
        const record = anInstance(service);
        await fixture.writer.register(record, 10_000);
        const recorder = await recordChanges(fixture.reader, service);

        await fixture.reader.reportUnhealthy(service, record.instanceId, report);
        await waitFor(() => recorder.changes.length === 1, 5_000, 'the report to reach the watcher');
        await fixture.writer.heartbeat(record, 10_000);
        await waitFor(() => recorder.changes.length === 2, 5_000, 'the heartbeat to reach the watcher');

        expect(recorder.changes.map((change) => [change.type, change.instance.status, change.instance.statusReportedBy])).toEqual([
          ['updated', 'unhealthy', report.reportedBy],
          ['updated', 'healthy', undefined],
        ]);
        await recorder.watch.close();
      });
    });

    describe('watch', () => {
      it('starts with the instances already registered', async () => {
        const record = anInstance(service);
        await fixture.writer.register(record, 10_000);

        const recorder = await recordChanges(fixture.reader, service);

        expect(recorder.watch.initial).toMatchObject([{ instanceId: record.instanceId, status: 'healthy' }]);
        await recorder.watch.close();
      });

      it('reports an added, an updated and a deregistered instance, in order, with when they changed', async () => {
        const recorder = await recordChanges(fixture.reader, service);
        const record = anInstance(service, { status: 'starting' });
        const before = Date.now();

        await fixture.writer.register(record, 10_000);
        await fixture.writer.heartbeat({ ...record, status: 'healthy' }, 10_000);
        await fixture.writer.deregister(service, record.instanceId);

        await waitFor(() => recorder.changes.length >= 3, 5_000, 'three changes');
        const id = record.instanceId;
        expect(recorder.summary()).toEqual([`added:${id}`, `updated:${id}`, `removed(deregistered):${id}`]);
        expect(recorder.changes.map((c) => c.instance.status)).toEqual(['starting', 'healthy', 'healthy']);
        const updated = recorder.changes[1]!;
        expect(updated.type === 'updated' && updated.previous.status).toBe('starting');
        for (const change of recorder.changes) expect(change.changedAt).toBeGreaterThanOrEqual(before);
        await recorder.watch.close();
      });

      it('does not report a heartbeat that changes nothing', async () => {
        const recorder = await recordChanges(fixture.reader, service);
        const record = anInstance(service, { instanceId: 'a' });
        await fixture.writer.register(record, 10_000);
        for (let i = 0; i < 3; i += 1) await fixture.writer.heartbeat(record, 10_000);

        await fixture.writer.register(anInstance(service, { instanceId: 'marker' }), 10_000);

        await waitFor(() => recorder.changes.some((c) => c.instance.instanceId === 'marker'), 5_000, 'the marker');
        expect(recorder.summary()).toEqual(['added:a', 'added:marker']);
        await recorder.watch.close();
      });

      it('reports an instance whose TTL ran out as removed, expired', async () => {
        const recorder = await recordChanges(fixture.reader, service);
        const record = anInstance(service);
        await fixture.writer.register(record, 250);

        await waitFor(() => recorder.changes.length >= 2, 250 + expiryNoticeMs + 1_000, 'the expiry');

        expect(recorder.summary()).toEqual([`added:${record.instanceId}`, `removed(expired):${record.instanceId}`]);
        await recorder.watch.close();
      });

      it('reports an expired instance that heartbeats again as added', async () => {
        const recorder = await recordChanges(fixture.reader, service);
        const record = anInstance(service);
        await fixture.writer.register(record, 200);
        await waitFor(() => recorder.changes.length >= 2, 200 + expiryNoticeMs + 1_000, 'the expiry');

        await fixture.writer.heartbeat(record, 10_000);

        await waitFor(() => recorder.changes.length >= 3, 5_000, 'the return');
        expect(recorder.summary().at(-1)).toBe(`added:${record.instanceId}`);
        await recorder.watch.close();
      });

      it('reports the changes of one service to its watchers, and of every service to those of all', async () => {
        const other = uniqueService();
        const one = await recordChanges(fixture.reader, service);
        const all = await recordChanges(fixture.reader, AllServices);

        await fixture.writer.register(anInstance(other, { instanceId: 'elsewhere' }), 10_000);
        await fixture.writer.register(anInstance(service, { instanceId: 'here' }), 10_000);

        await waitFor(
          () => one.changes.length >= 1 && all.changes.filter((c) => [service, other].includes(c.instance.service)).length >= 2,
          5_000,
          'the changes',
        );
        expect(one.summary()).toEqual(['added:here']);
        expect(all.changes.filter((c) => [service, other].includes(c.instance.service)).map((c) => c.instance.instanceId)).toEqual([
          'elsewhere',
          'here',
        ]);
        await Promise.all([one.watch.close(), all.watch.close()]);
      });

      it('stops reporting to a closed watch', async () => {
        const closed = await recordChanges(fixture.reader, service);
        const open = await recordChanges(fixture.reader, service);
        await closed.watch.close();

        await fixture.writer.register(anInstance(service, { instanceId: 'late' }), 10_000);

        await waitFor(() => open.changes.length === 1, 5_000, 'the change on the open watch');
        expect(closed.changes).toEqual([]);
        await open.watch.close();
      });

      it('keeps reporting to other watchers when one throws', async () => {
        await fixture.reader.watch(service, () => {
          throw new Error('a broken watcher');
        });
        const healthy = await recordChanges(fixture.reader, service);

        await fixture.writer.register(anInstance(service, { instanceId: 'one' }), 10_000);
        await fixture.writer.register(anInstance(service, { instanceId: 'two' }), 10_000);

        await waitFor(() => healthy.changes.length === 2, 5_000, 'both changes');
        expect(healthy.summary()).toEqual(['added:one', 'added:two']);
      });
    });
  });
}
