import type { FieldViolation } from './errors.js';

/**
 * Control characters in client input (docs/adr/0029): none has a meaning in this API and
 * PostgreSQL refuses NUL in text, so any transport refuses them before a use case runs. Tab, line
 * feed and carriage return stay allowed where free text (a description) may hold them.
 */

export const CONTROL_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** For single-line values (query parameters): tab and line breaks too. */
export const CONTROL_ANYWHERE = /[\u0000-\u001f\u007f]/;

/** Where a value sits in a body, as schema errors name it (`configuration.key`), `body` for the root. */
const fieldName = (path: readonly string[]): string => (path.length === 0 ? 'body' : path.join('.'));

/**
 * The fields of `value` (keys and strings, walked without recursion) holding a character `pattern`
 * refuses, and `__proto__` keys (refused as fastify's own JSON parser does). Bytes are not text.
 */
export const refusedTextFields = (value: unknown, pattern: RegExp = CONTROL_IN_TEXT, root: readonly string[] = []): FieldViolation[] => {
  const violations: FieldViolation[] = [];
  const pending: { readonly value: unknown; readonly path: readonly string[] }[] = [{ value, path: root }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: current, path } = next;
    if (typeof current === 'string') {
      if (pattern.test(current)) violations.push({ field: fieldName(path), message: 'must not contain control characters' });
    } else if (ArrayBuffer.isView(current)) {
      continue;
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => pending.push({ value: item, path: [...path, String(index)] }));
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, item] of Object.entries(current)) {
        if (pattern.test(key)) violations.push({ field: fieldName([...path, key]), message: 'must not contain control characters' });
        if (key === '__proto__') violations.push({ field: fieldName([...path, key]), message: 'is not allowed' });
        pending.push({ value: item, path: [...path, key] });
      }
    }
  }
  return violations;
};
