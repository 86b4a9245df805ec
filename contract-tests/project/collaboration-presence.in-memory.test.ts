import { InMemoryCollaborationPresence } from '../../adapters/memory/in-memory-collaboration-presence.js';
import { describeCollaborationPresenceContract } from './collaboration-presence.contract.js';

describeCollaborationPresenceContract('InMemoryCollaborationPresence', async () => {
  const presence = new InMemoryCollaborationPresence();
  return { presence, peer: presence, close: async () => {} };
});
