import { SIMULATION_STATUSES } from '../../../core/simulation/index.js';

/**
 * JSON schemas of the simulation routes: shapes and types only. Ranges and rules (duration
 * 1..3600, configuration values) are the domain's, which names every offending field itself.
 */

const id = { type: 'string', minLength: 1, maxLength: 200 } as const;
const configuration = { type: 'object', maxProperties: 100, additionalProperties: { type: 'string', maxLength: 1_000 } } as const;
const components = { type: 'array', maxItems: 1_000, items: { type: 'string', maxLength: 1_000 } } as const;
const durationSeconds = { type: 'integer' } as const;
const enableRealTime = { type: 'boolean' } as const;

export const idParams = { type: 'object', required: ['id'], properties: { id } } as const;

export interface StartBody {
  project_id: string;
  configuration?: Record<string, string>;
  components?: string[];
  duration_seconds?: number;
  /** Default true: the HTTP API's runs stream to `simulation:stream:{id}` unless told otherwise. */
  enable_real_time?: boolean;
}

export const startBody = {
  type: 'object',
  required: ['project_id'],
  additionalProperties: false,
  properties: { project_id: id, configuration, components, duration_seconds: durationSeconds, enable_real_time: enableRealTime },
} as const;

export interface ValidateBody {
  project_id?: string;
  configuration: Record<string, string>;
  components?: string[];
  duration_seconds?: number;
  enable_real_time?: boolean;
}

export const validateBody = {
  type: 'object',
  required: ['configuration'],
  additionalProperties: false,
  properties: { project_id: id, configuration, components, duration_seconds: durationSeconds, enable_real_time: enableRealTime },
} as const;

export interface StopBody {
  reason?: string;
}

/** The body is optional: an empty one reaches the schema as null. */
export const stopBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { reason: { type: 'string', maxLength: 500 } },
} as const;

export interface ResultsQuery {
  include_samples?: boolean;
  /** Newest samples kept when `include_samples`; 0 or absent: DEFAULT_RESULT_SAMPLES. */
  max_samples?: number;
}

export const resultsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { include_samples: { type: 'boolean' }, max_samples: { type: 'integer', minimum: 0 } },
} as const;

export interface MetricsQuery {
  /** Epoch ms: only samples after it. */
  since?: number;
  max_samples?: number;
}

export const metricsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { since: { type: 'integer', minimum: 0 }, max_samples: { type: 'integer', minimum: 0 } },
} as const;

export interface HistoryQuery {
  status?: string;
  page_size?: number;
  page_token?: string;
}

export const historyQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...SIMULATION_STATUSES] },
    page_size: { type: 'integer', minimum: 1, maximum: 100 },
    page_token: { type: 'string', minLength: 1, maxLength: 500 },
  },
} as const;
