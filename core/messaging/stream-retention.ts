import { Streams } from './channels.js';

/** How many entries a stream keeps (MAXLEN ~) when the producer does not say; undefined: no trimming. */
export type RetentionPolicy = (stream: string) => number | undefined;

/** Entries kept by each stream family of the specification (docs/specification.md#streams). */
export interface StreamFamilyRetention {
  readonly simulation: number;
  readonly collaboration: number;
  readonly notifications: number;
  readonly monitoring: number;
  readonly health: number;
  readonly analytics: number;
}

/**
 * The defaults: simulation streams keep the specification's 50,000 entries ("~1.4 hours at 10/sec"),
 * the other families what docs/specification.md#streams gives them.
 */
export const DEFAULT_STREAM_RETENTION: StreamFamilyRetention = {
  simulation: 50_000,
  collaboration: 10_000,
  notifications: 1_000,
  monitoring: 100_000,
  health: 10_000,
  analytics: 100_000,
};

const families = (retention: StreamFamilyRetention): readonly (readonly [prefixOrName: string, exact: boolean, maxLen: number])[] => [
  [Streams.simulation(''), false, retention.simulation],
  [Streams.collaboration(''), false, retention.collaboration],
  [Streams.notifications(''), false, retention.notifications],
  [Streams.monitoringMetrics, true, retention.monitoring],
  [Streams.analyticsEvents, true, retention.analytics],
  [Streams.systemHealth, true, retention.health],
];

/**
 * The retention of the specification's stream families, each as given (the settings
 * `STREAM_RETENTION_*`); any other stream, work queues included, is never trimmed.
 */
export const familyRetention = (retention: StreamFamilyRetention): RetentionPolicy => {
  const known = families(retention);
  return (stream) => known.find(([name, exact]) => (exact ? stream === name : stream.startsWith(name) && stream.length > name.length))?.[2];
};

/**
 * The specification's stream families with their retention (docs/specification.md#streams; `simulation:stream:{id}` keeps
 * 50,000, ...); any other stream, work queues included, is never trimmed.
 */
export const specificationRetention: RetentionPolicy = familyRetention(DEFAULT_STREAM_RETENTION);

/**
 * A retention policy with some streams overridden by prefix, e.g. `{ 'simulation:stream:': 10_000 }`
 * (the longest matching prefix wins); the others keep `base` (the specification's by default).
 */
export const retentionWith =
  (overrides: Readonly<Record<string, number>>, base: RetentionPolicy = specificationRetention): RetentionPolicy =>
  (stream) => {
    const match = Object.keys(overrides)
      .filter((prefix) => stream.startsWith(prefix))
      .sort((a, b) => b.length - a.length)[0];
    return match !== undefined ? overrides[match] : base(stream);
  };
