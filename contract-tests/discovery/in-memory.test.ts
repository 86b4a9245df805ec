import { InMemoryServiceRegistry } from '../../adapters/memory/in-memory-service-registry.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { describeServiceRegistryContract } from './service-registry.contract.js';

describeServiceRegistryContract('InMemoryServiceRegistry', async () => {
  const registry = new InMemoryServiceRegistry(new SystemClock());
  return { writer: registry, reader: registry, close: async () => registry.close() };
});
