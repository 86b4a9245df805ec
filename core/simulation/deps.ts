import type { Clock } from '../shared/clock.js';
import type { IdGenerator } from '../shared/ids.js';
import type { StreamProducer, StreamStore } from '../messaging/streams.js';
import type { AuthorizationPort, ProjectDirectory, Scheduler, SimulationRepository, WatcherNotices } from './ports.js';
import type { FinishedStreams } from './run/finished-streams.js';
import type { MaintenanceWindows } from './maintenance.js';
import type { RunRegistry } from './run/run-registry.js';
import type { FaultReporter, SimulationSettings } from './settings.js';

/** Everything the use cases may need; each use case names the part it uses. */
export interface SimulationDeps {
  readonly repository: SimulationRepository;
  readonly projects: ProjectDirectory;
  readonly authorization: AuthorizationPort;
  /** Runs append to their stream; a finished run's stream is removed after a grace (`finishedStreams`). */
  readonly streams: StreamProducer & Pick<StreamStore, 'remove'>;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly runs: RunRegistry;
  /** Announced maintenance windows: no new run inside one (docs/adr/0056). */
  readonly maintenance: MaintenanceWindows;
  readonly finishedStreams: FinishedStreams;
  /** The watchers' sockets on the gateways, told of a stop; absent: the service runs without gateways to tell. */
  readonly watchers?: WatcherNotices;
  readonly settings: SimulationSettings;
  readonly reportFault: FaultReporter;
}
