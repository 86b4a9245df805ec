import type { FastifyInstance } from 'fastify';
import { CONTROL_ANYWHERE, refusedTextFields } from '../../core/shared/control-characters.js';
import { DomainFailureError, failure, type FieldViolation } from '../../core/shared/errors.js';

/**
 * Client input every HTTP port refuses before any schema or handler sees it (docs/adr/0029):
 * JSON nested deeper than `MAX_JSON_DEPTH` (checked by scanning the bytes, without recursion, so a
 * 100,000-deep body cannot overflow the stack), and control characters in any string of the body
 * or query (PostgreSQL refuses NUL; none has a meaning in this API). Tab, line feed and carriage
 * return stay allowed in bodies, where free text (a description) may hold them.
 */

/** Arrays and objects inside one another; the client API's deepest body has 2. */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest nesting of `bytes` read as JSON text, stopping once past `limit`; strings are skipped. */
export const jsonDepth = (bytes: Buffer, limit = MAX_JSON_DEPTH): number => {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < bytes.length; index += 1) {
    const byte = bytes[index];
    if (inString) {
      if (byte === BACKSLASH) index += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth -= 1;
  }
  return deepest;
};

const invalid = (code: string, message: string, violations?: FieldViolation[]) =>
  new DomainFailureError(failure('invalid', code, message, violations));

/** A JSON body as a value, or the 400 failure for a body too deep or holding control characters. */
export const parseClientJson = (bytes: Buffer): unknown => {
  if (jsonDepth(bytes) > MAX_JSON_DEPTH) {
    throw invalid('body_too_deep', `The body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid('malformed_body', 'The request body is not valid JSON.');
  }
  const violations = refusedTextFields(value);
  if (violations.length > 0) throw invalid('refused_characters', 'The body holds control characters or a refused key.', violations);
  return value;
};

/**
 * Installs the JSON body parser and the query check on `app` (and every plugin under it). A body
 * that is empty stays absent, as with fastify's own parser for a bodiless POST.
 */
export const refuseBadClientInput = (app: FastifyInstance): void => {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    if ((body as Buffer).length === 0) {
      done(invalid('malformed_body', 'The request body is empty; send a JSON value or no content type.'), undefined);
      return;
    }
    try {
      done(null, parseClientJson(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addHook('preValidation', async (request) => {
    const violations = refusedTextFields(request.query, CONTROL_ANYWHERE, ['querystring']);
    if (violations.length > 0) throw invalid('refused_characters', 'The query string holds control characters.', violations);
  });
};
