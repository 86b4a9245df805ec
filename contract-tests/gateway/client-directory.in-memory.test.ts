import { InMemoryClientDirectory } from '../../adapters/memory/in-memory-client-directory.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { describeClientDirectoryContract } from './client-directory.contract.js';

// The gateways of one process share one directory.
describeClientDirectoryContract('InMemoryClientDirectory', async () => {
  const directory = new InMemoryClientDirectory(new SystemClock());
  return { open: () => directory, close: async () => {} };
});
