import type { DomainFailure } from '../../../core/shared/errors.js';
import { ok, type Result } from '../../../core/shared/result.js';

/**
 * Generated messages as clients see them: snake_case keys (ts-proto made them camelCase), as on
 * every other wire of the mesh. Map fields carry user keys (configuration entries, metric names)
 * and are copied untouched.
 */
const OPAQUE_MAPS = new Set(['configuration', 'currentMetrics', 'summary', 'details']);

const snake = (key: string): string => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

export const toClientJson = (message: unknown): unknown => {
  if (Array.isArray(message)) return message.map(toClientJson);
  if (message === null || typeof message !== 'object') return message;
  const json: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) {
    if (value === undefined) continue;
    json[snake(key)] = OPAQUE_MAPS.has(key) ? value : toClientJson(value);
  }
  return json;
};

/** A downstream answer in the clients' JSON; failures pass through. */
export const jsonAnswer = <Res extends object>(answer: Result<Res, DomainFailure>): Result<Record<string, unknown>, DomainFailure> =>
  answer.ok ? ok(toClientJson(answer.value) as Record<string, unknown>) : answer;
