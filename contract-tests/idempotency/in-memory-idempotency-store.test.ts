import { InMemoryIdempotencyStore } from '../../adapters/memory/in-memory-idempotency-store.js';
import { describeIdempotencyStoreContract } from './idempotency-store.contract.js';

describeIdempotencyStoreContract('InMemoryIdempotencyStore', async () => ({
  store: new InMemoryIdempotencyStore(),
  close: async () => {},
}));
