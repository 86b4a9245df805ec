import type { FastifyRequest } from 'fastify';
import { ProjectLimits } from '../../../core/project/index.js';
import { DomainFailureError, failure, type FieldViolation } from '../../../core/shared/errors.js';

/**
 * The JSON schema pieces of the client API, shared by the gateway and every service's own HTTP
 * port (docs/adr/0029): one shape per field, every string, array, map and number bounded. Bodies
 * are validated without type coercion; query strings arrive as text and their numbers and booleans
 * are read here (`readQuery`), so `?page_size=1e309` is a 400, not an overflow further down.
 */

/** One line of text: no control character at all. */
const SINGLE_LINE = '^[^\\u0000-\\u001f\\u007f]*$';

export const idSchema = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' } as const;

export const idParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id: idSchema } } as const;

export interface IdParams {
  readonly id: string;
}

/** A single line of at most `maxLength` characters (at least `minLength`). */
export const lineSchema = (maxLength: number, minLength = 0) => ({ type: 'string', minLength, maxLength, pattern: SINGLE_LINE }) as const;

/** Free text of at most `maxLength` characters: line breaks and tabs allowed (other control characters never reach a schema). */
export const textSchema = (maxLength: number) => ({ type: 'string', maxLength }) as const;

export const emailSchema = lineSchema(254, 3);

/** A whole number for JSON bodies: no coercion, bounded so no store overflows. */
export const integerSchema = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum }) as const;

/** Epoch milliseconds: the largest a JavaScript `Date` holds. */
export const EPOCH_MS_MAX = 8_640_000_000_000_000;

export const booleanSchema = { type: 'boolean' } as const;

/** A body object of exactly these optional properties. */
export const bodyOf = (properties: Record<string, object>, required: readonly string[] = []) =>
  ({ type: 'object', required, additionalProperties: false, properties }) as const;

/** An optional body: absent, or an object of these properties. */
export const optionalBodyOf = (properties: Record<string, object>) =>
  ({ type: ['object', 'null'], additionalProperties: false, properties }) as const;

// Query strings: text in, typed values out.

/** A query parameter holding a whole number in decimal digits (`readQuery` checks its range). */
export const queryIntegerSchema = { type: 'string', pattern: '^[0-9]{1,16}$' } as const;
export const queryBooleanSchema = { type: 'string', enum: ['true', 'false'] } as const;

/** A query string of named parameters, nothing else. */
export const queryOf = (properties: Record<string, object>) => ({ type: 'object', additionalProperties: false, properties }) as const;

export interface IntegerRange {
  readonly minimum: number;
  readonly maximum: number;
}

/** How to read the numbers and booleans of a query string; other parameters stay text. */
export interface QueryTypes {
  readonly integers?: Readonly<Record<string, IntegerRange>>;
  readonly booleans?: readonly string[];
}

export type RawQuery = Readonly<Record<string, string | undefined>>;

/**
 * The query of `request` with its numbers and booleans read, after its schema checked their form;
 * a number out of range is a 400 naming the parameter as a schema error would (`querystring.x`).
 */
export const readQuery = <T>(request: FastifyRequest, types: QueryTypes): T => {
  const raw = (request.query ?? {}) as RawQuery;
  const read: Record<string, unknown> = { ...raw };
  const violations: FieldViolation[] = [];
  for (const [name, range] of Object.entries(types.integers ?? {})) {
    const text = raw[name];
    if (text === undefined) continue;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < range.minimum || value > range.maximum) {
      violations.push({ field: `querystring.${name}`, message: `must be a whole number from ${range.minimum} to ${range.maximum}` });
    }
    read[name] = value;
  }
  for (const name of types.booleans ?? []) {
    if (raw[name] !== undefined) read[name] = raw[name] === 'true';
  }
  if (violations.length > 0) {
    throw new DomainFailureError(failure('invalid', 'validation_failed', 'The request does not match its schema.', violations));
  }
  return read as T;
};

export const pageTokenSchema = lineSchema(512);
export const PAGE_SIZE: IntegerRange = { minimum: 1, maximum: ProjectLimits.pageSizeMax };

export interface PageQuery {
  readonly page_size?: number;
  readonly page_token?: string;
}

/** A map of user keys to text values (a project's or a run's configuration), with the project domain's bounds. */
export const configurationSchema = {
  type: 'object',
  maxProperties: ProjectLimits.configurationKeysMax,
  propertyNames: { minLength: 1, maxLength: ProjectLimits.configurationKeyMax, pattern: SINGLE_LINE },
  additionalProperties: { type: 'string', maxLength: ProjectLimits.configurationValueMax },
} as const;

export type StringMap = Record<string, string>;
