import { Counter, Gauge, type Registry } from 'prom-client';
import { MeshMetricFamilies, type Emit, type MeshMetricsSource } from './mesh-metric-families.js';

/** Snapshots taken for one scrape serve every family of it; a later scrape takes new ones. */
const SNAPSHOT_REUSE_MS = 250;

/**
 * Registers the mesh metric families on `registry`. Nothing is counted on the call path: at each
 * scrape every family reads the mesh snapshots of `sources()` (one per mesh of the process) in its
 * `collect()`, replacing its previous values, so instances that went away leave no stale series.
 */
export const registerMeshCollectors = (
  registry: Registry,
  sources: () => readonly MeshMetricsSource[],
  now: () => number = Date.now,
): void => {
  let taken: { readonly at: number; readonly sources: readonly MeshMetricsSource[] } | undefined;
  const current = (): readonly MeshMetricsSource[] => {
    const at = now();
    if (!taken || at - taken.at > SNAPSHOT_REUSE_MS) taken = { at, sources: sources() };
    return taken.sources;
  };
  for (const family of MeshMetricFamilies) {
    const common = { name: family.name, help: family.help, labelNames: family.labelNames, registers: [registry] };
    if (family.type === 'gauge') {
      new Gauge({
        ...common,
        collect() {
          this.reset();
          const emit: Emit = (labels, value) => this.set(labels, value);
          for (const source of current()) family.read(source, emit);
        },
      });
    } else {
      new Counter({
        ...common,
        collect() {
          this.reset();
          const emit: Emit = (labels, value) => this.inc(labels, Math.max(0, value));
          for (const source of current()) family.read(source, emit);
        },
      });
    }
  }
};
