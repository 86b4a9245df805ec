import type { Clock } from '../shared/clock.js';
import type { IdGenerator } from '../shared/ids.js';
import type { EventPublisher } from '../messaging/events.js';
import type { StreamProducer } from '../messaging/streams.js';
import type { AuthorizationPort, CollaborationPresence, CollaboratorNotices, ProjectRepository, UserDirectory } from './ports.js';

/** Everything the project use cases need; each use case takes only the part it uses. */
export interface ProjectDeps {
  readonly projects: ProjectRepository;
  readonly authorization: AuthorizationPort;
  readonly users: UserDirectory;
  readonly events: EventPublisher;
  readonly streams: StreamProducer;
  /** The collaborators' live clients on the gateways; absent: the project service runs without gateways to tell. */
  readonly notices?: CollaboratorNotices;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly presence: CollaborationPresence;
  /** How long a collaboration client stays in the session unless it joins again (docs/adr/0050). */
  readonly presenceTtlMs: number;
  /**
   * How many versions back a collaborator's edit may be made against: the entries the collaboration
   * stream keeps (`STREAM_RETENTION_COLLABORATION`). Revisions of older changes are pruned (docs/adr/0063).
   */
  readonly editWindow: number;
}
