import type { ContainerModule } from 'inversify';
import type { DependencyProbe } from '../core/discovery/dependency-watch.js';

export type StatefulService = 'auth' | 'project' | 'simulation';

/** A service's opened storage: the bindings that replace its in-memory repositories, and how to close it. */
export interface ServiceStorage {
  /** Loaded after the service's own module; undefined when the in-memory repositories stay. */
  readonly module: ContainerModule | undefined;
  /** Whether the database answers (docs/adr/0057); absent for in-memory storage. */
  readonly probe?: DependencyProbe;
  close(): Promise<void>;
}
