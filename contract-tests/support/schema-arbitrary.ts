import { Ajv } from 'ajv';
import fc from 'fast-check';

/**
 * Values a JSON schema of the client API accepts, as fast-check arbitraries: the subset the route
 * schemas use (objects with `required`, `oneOf`, `allOf`/`if`, maps with `propertyNames`, strings
 * with bounds, patterns and enums, bounded integers, booleans, arrays). Each value is checked with
 * ajv as fastify checks requests (no coercion), so a value the generator gets wrong is dropped, not sent.
 */

type Schema = Readonly<Record<string, unknown>>;

/** Values worth trying for properties of these names (a real project's id, a registered email), mixed with generated ones. */
export type Hints = Readonly<Record<string, fc.Arbitrary<unknown>>>;

const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false });

/** Strings of a property named like an email are emails half of the time, so registrations and shares can pass. */
const stringOf = (schema: Schema, name: string): fc.Arbitrary<string> => {
  const minLength = (schema.minLength as number | undefined) ?? 0;
  const maxLength = Math.min((schema.maxLength as number | undefined) ?? 64, 64);
  const base =
    typeof schema.pattern === 'string'
      ? fc.stringMatching(new RegExp(schema.pattern))
      : fc.string({ minLength, maxLength, unit: 'grapheme' });
  const sized = base.filter((text) => text.length >= minLength && text.length <= ((schema.maxLength as number | undefined) ?? Infinity));
  return name.includes('email')
    ? fc.oneof(
        fc.emailAddress().filter((email) => email.length <= 254),
        sized,
      )
    : sized;
};

const integerOf = (schema: Schema): fc.Arbitrary<number> => {
  const min = (schema.minimum as number | undefined) ?? 0;
  const max = (schema.maximum as number | undefined) ?? Number.MAX_SAFE_INTEGER;
  return fc.oneof(
    fc.constantFrom(min, max),
    fc.integer({ min, max: Math.min(max, min + 1_000) }),
    fc.maxSafeNat().map((n) => min + (n % (max - min + 1))),
  );
};

const objectOf = (schema: Schema, hints: Hints): fc.Arbitrary<Record<string, unknown>> => {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  if (Object.keys(properties).length === 0 && typeof schema.additionalProperties === 'object') {
    const names = stringOf({ minLength: 1, maxLength: 12, ...(schema.propertyNames as Schema) }, '');
    return fc.dictionary(names, valueOf(schema.additionalProperties as Schema, hints), {
      maxKeys: Math.min((schema.maxProperties as number) ?? 4, 4),
    });
  }
  const record = Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, valueOf(property, hints, name)]));
  return fc.record(record, { requiredKeys: (schema.required ?? []) as string[] }) as fc.Arbitrary<Record<string, unknown>>;
};

const valueOf = (schema: Schema, hints: Hints, name = ''): fc.Arbitrary<unknown> => {
  const hint = hints[name];
  const generated = generatedValueOf(schema, hints, name);
  return hint ? fc.oneof(hint, generated) : generated;
};

const generatedValueOf = (schema: Schema, hints: Hints, name: string): fc.Arbitrary<unknown> => {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if ('const' in schema) return fc.constant(schema.const);
  const type = Array.isArray(schema.type) ? (schema.type as string[]).filter((t) => t !== 'null')[0] : schema.type;
  switch (type) {
    case 'string':
      return stringOf(schema, name);
    case 'integer':
      return integerOf(schema);
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valueOf((schema.items ?? {}) as Schema, hints), { maxLength: Math.min((schema.maxItems as number) ?? 3, 3) });
    default:
      return objectOf(schema, hints);
  }
};

/** Values `schema` accepts. */
export const validValueOf = (schema: object, hints: Hints = {}): fc.Arbitrary<unknown> => {
  const accepts = ajv.compile(schema);
  return valueOf(schema as Schema, hints).filter((value) => accepts(value));
};

/** Whether `schema` accepts `value`, as fastify's validation would decide. */
export const accepts = (schema: object, value: unknown): boolean => ajv.compile(schema)(value);
