/** SQLSTATE codes the repositories turn into expected outcomes. */
export const SqlState = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
} as const;

interface DatabaseErrorFields {
  readonly code?: unknown;
  readonly constraint?: unknown;
}

/**
 * Whether `error` is PostgreSQL's `sqlState`, raised by `constraint` when given. Both drivers
 * throw errors carrying the server's `code` and `constraint` fields (pg's and PGlite's DatabaseError).
 */
export const isSqlError = (error: unknown, sqlState: string, constraint?: string): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const fields = error as DatabaseErrorFields;
  return fields.code === sqlState && (constraint === undefined || fields.constraint === constraint);
};
