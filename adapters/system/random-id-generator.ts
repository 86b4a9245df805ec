import { randomUUID } from 'node:crypto';
import type { IdGenerator } from '../../core/shared/ids.js';

/** Random version-4 UUIDs from the system's cryptographic generator. */
export class RandomIdGenerator implements IdGenerator {
  next(): string {
    return randomUUID();
  }
}
