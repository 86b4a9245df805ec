import type { ExportRecord } from '../../core/exports/model.js';
import type { ExportRepository } from '../../core/exports/ports.js';
import type { OutboxMessage } from '../../core/messaging/outbox.js';
import type { InMemoryOutbox } from './in-memory-outbox.js';

/** Exports in a Map, for tests and the embedded defaults. Stores and hands out copies only. Give it the project repository's outbox. */
export class InMemoryExportRepository implements ExportRepository {
  private readonly exports = new Map<string, ExportRecord>();

  constructor(readonly outbox: InMemoryOutbox) {}

  async create(record: ExportRecord, outbox: readonly OutboxMessage[] = []): Promise<boolean> {
    if (this.exports.has(record.id)) return false;
    this.exports.set(record.id, structuredClone(record));
    this.outbox.record(`export:${record.id}`, outbox);
    return true;
  }

  async findById(id: string): Promise<ExportRecord | undefined> {
    const record = this.exports.get(id);
    return record && structuredClone(record);
  }

  async update(record: ExportRecord, outbox: readonly OutboxMessage[] = []): Promise<boolean> {
    if (!this.exports.has(record.id)) return false;
    this.exports.set(record.id, structuredClone(record));
    this.outbox.record(`export:${record.id}`, outbox);
    return true;
  }

  async deleteExpired(now: number): Promise<number> {
    let deleted = 0;
    for (const [id, record] of this.exports) {
      if (record.expiresAt <= now && this.exports.delete(id)) deleted += 1;
    }
    return deleted;
  }
}
