/** JSON schema pieces of the client API: every string, array and map has a bound. */

export const idSchema = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' } as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: idSchema },
} as const;

export const stringMapSchema = {
  type: 'object',
  maxProperties: 200,
  propertyNames: { maxLength: 100 },
  additionalProperties: { type: 'string', maxLength: 2_000 },
} as const;

export const componentsSchema = { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 100 } } as const;

export const shortText = (maxLength: number) => ({ type: 'string', maxLength }) as const;

export const pageSizeSchema = { type: 'integer', minimum: 1, maximum: 100 } as const;
export const pageTokenSchema = { type: 'string', maxLength: 512 } as const;

/** A query string of named parameters, nothing else. */
export const query = (properties: Record<string, object>) => ({ type: 'object', additionalProperties: false, properties }) as const;
