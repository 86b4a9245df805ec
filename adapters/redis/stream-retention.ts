import { StreamRetention, Streams } from '../../core/messaging/channels.js';

/** How many entries a stream keeps (MAXLEN ~) when the producer does not say; undefined: no trimming. */
export type RetentionPolicy = (stream: string) => number | undefined;

const families: readonly (readonly [prefixOrName: string, exact: boolean, maxLen: number])[] = [
  [Streams.simulation(''), false, StreamRetention.simulation],
  [Streams.collaboration(''), false, StreamRetention.collaboration],
  [Streams.notifications(''), false, StreamRetention.notifications],
  [Streams.monitoringMetrics, true, StreamRetention.monitoringMetrics],
  [Streams.analyticsEvents, true, StreamRetention.analyticsEvents],
  [Streams.systemHealth, true, StreamRetention.systemHealth],
];

/**
 * The specification's stream families with their retention (docs/specification.md#streams; `simulation:stream:{id}` keeps
 * 50,000, ...); any other stream, work queues included, is never trimmed.
 */
export const specificationRetention: RetentionPolicy = (stream) =>
  families.find(([name, exact]) => (exact ? stream === name : stream.startsWith(name) && stream.length > name.length))?.[2];

/**
 * The specification's retention (docs/specification.md#streams) with some families overridden, e.g.
 * `{ 'simulation:stream:': 10_000 }`.
 */
export const retentionWith =
  (overrides: Readonly<Record<string, number>>): RetentionPolicy =>
  (stream) => {
    const match = Object.keys(overrides)
      .filter((prefix) => stream.startsWith(prefix))
      .sort((a, b) => b.length - a.length)[0];
    return match !== undefined ? overrides[match] : specificationRetention(stream);
  };
