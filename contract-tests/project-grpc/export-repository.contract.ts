import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExportRecord } from '../../core/exports/model.js';
import type { ExportRepository } from '../../core/exports/ports.js';
import { outboxJob, type OutboxStore } from '../../core/messaging/outbox.js';
import { takePending } from '../support/outbox-relay.js';

export interface ExportRepositoryFixture {
  readonly repo: ExportRepository;
  /** Where the repository records the messages of its writes (docs/adr/0038). */
  readonly outbox: OutboxStore;
  close(): Promise<void>;
}

const job = (type: string) => outboxJob('async:test:queue', { type, payload: {} });

/** A queued export of a simulation's results, with a fresh id. */
export const anExport = (overrides: Partial<ExportRecord> = {}): ExportRecord => ({
  id: `export-${randomUUID()}`,
  userId: 'user-1',
  kind: 'simulation_results',
  format: 'csv',
  subjectId: 'simulation-1',
  status: 'queued',
  createdAt: 1_000,
  updatedAt: 1_000,
  expiresAt: 10_000,
  ...overrides,
});

/** The ExportRepository port's contract, for every adapter of it (in-memory, SQL). */
export const describeExportRepositoryContract = (name: string, open: () => Promise<ExportRepositoryFixture>): void => {
  describe(`ExportRepository: ${name}`, () => {
    let fixture: ExportRepositoryFixture;
    beforeEach(async () => {
      fixture = await open();
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('stores an export once and finds it by id', async () => {
      const record = anExport();

      expect(await fixture.repo.create(record)).toBe(true);
      expect(await fixture.repo.create({ ...record, status: 'running' })).toBe(false);
      expect(await fixture.repo.findById(record.id)).toEqual(record);
      expect(await fixture.repo.findById('export-unknown')).toBeUndefined();
    });

    it('replaces a stored export with its file, and refuses to update an unknown one', async () => {
      const record = anExport();
      await fixture.repo.create(record);
      const ready: ExportRecord = {
        ...record,
        status: 'ready',
        updatedAt: 2_000,
        file: { fileName: 'results.csv', contentType: 'text/csv', content: 'timestamp\r\n1\r\n' },
      };

      expect(await fixture.repo.update(ready)).toBe(true);
      expect(await fixture.repo.findById(record.id)).toEqual(ready);
      expect(await fixture.repo.update(anExport())).toBe(false);
    });

    it('records the messages of a create and an update that stored something, under the export, and none otherwise', async () => {
      const record = anExport();
      expect(await fixture.repo.create(record, [job('produce')])).toBe(true);
      expect(await fixture.repo.create(record, [job('produce again')])).toBe(false);
      expect(await fixture.repo.update({ ...record, status: 'ready' }, [job('notify')])).toBe(true);
      expect(await fixture.repo.update(anExport(), [job('unknown')])).toBe(false);

      const taken = await takePending(fixture.outbox);
      expect(taken.map((entry) => (entry.message.kind === 'job' ? entry.message.job.type : ''))).toEqual(['produce', 'notify']);
      expect(taken.map((entry) => entry.aggregate)).toEqual([`export:${record.id}`, `export:${record.id}`]);
    });

    it('keeps what it stored apart from the objects it was given and returned', async () => {
      const record = anExport();
      await fixture.repo.create(record);
      const found = (await fixture.repo.findById(record.id)) as { status: string };
      found.status = 'ready';

      expect((await fixture.repo.findById(record.id))?.status).toBe('queued');
    });

    it('deletes exports at or past their expiry and keeps the others', async () => {
      const expired = anExport({ expiresAt: 5_000 });
      const expiringNow = anExport({ expiresAt: 6_000 });
      const live = anExport({ expiresAt: 6_001 });
      for (const record of [expired, expiringNow, live]) await fixture.repo.create(record);

      expect(await fixture.repo.deleteExpired(6_000)).toBe(2);
      expect(await fixture.repo.findById(expired.id)).toBeUndefined();
      expect(await fixture.repo.findById(expiringNow.id)).toBeUndefined();
      expect(await fixture.repo.findById(live.id)).toEqual(live);
      expect(await fixture.repo.deleteExpired(6_000)).toBe(0);
    });
  });
};
