/** A statement as its span shows it (docs/adr/0048). */
export interface QueryDescription {
  /** `SELECT`, `INSERT`, ... (the first keyword; `WITH` for a common table expression). */
  readonly operation: string;
  /** The table a simple statement is about, when it names one. */
  readonly collection?: string;
  /** The span's name: `INSERT projects`, or the operation alone. */
  readonly summary: string;
  /** `db.query.text`: the statement with every literal (string, number) replaced by `?`. */
  readonly text: string;
}

const MAX_TEXT = 2_000;
const MAX_REMEMBERED = 1_000;

// A string literal ('' inside is an escaped quote; in the E'' form a backslash escapes too), a dollar-quoted
// string, or a number that is not part of a name or a `$1` placeholder.
const LITERALS =
  /\b[Ee]'(?:[^'\\]|\\[\s\S]|'')*'|'(?:[^']|'')*'|\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$|(?<![\w$."])-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b/g;

const WRITE_IN_WITH = /^WITH\s+"?[A-Za-z_][\w$]*"?\s+AS\s+\(\s*(INSERT|UPDATE|DELETE)\b/i;

const TABLE_AFTER = /\b(?:INTO|UPDATE|FROM)\s+("?[A-Za-z_][\w$]*"?(?:\."?[A-Za-z_][\w$]*"?)?)/i;

/**
 * Replaces literals by `?`: kysely sends values as parameters (`$1`), but a raw statement may
 * inline some, and a span must not carry a value (an e-mail, a token) to the tracing backend.
 */
export const sanitiseQuery = (sql: string): string => {
  const text = sql.replace(LITERALS, '?').replace(/\s+/g, ' ').trim();
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}...` : text;
};

const remembered = new Map<string, QueryDescription>();

/** The description of `sql`, remembered: kysely's statements are few and repeat. */
export const describeQuery = (sql: string): QueryDescription => {
  const known = remembered.get(sql);
  if (known) return known;
  const text = sanitiseQuery(sql);
  // A write with what it records (`WITH changed AS (INSERT ...) ...`, docs/adr/0076) is named after its first change.
  const change = WRITE_IN_WITH.exec(text);
  const operation = change ? change[1]!.toUpperCase() : (/^\(?\s*([A-Za-z]+)/.exec(text)?.[1] ?? 'QUERY').toUpperCase();
  const named = change ? text.slice(change.index + change[0].length - change[1]!.length) : text;
  const table = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'].includes(operation)
    ? TABLE_AFTER.exec(named)?.[1]?.replaceAll('"', '')
    : undefined;
  const description: QueryDescription = {
    operation,
    ...(table !== undefined && { collection: table }),
    summary: table === undefined ? operation : `${operation} ${table}`,
    text,
  };
  if (remembered.size >= MAX_REMEMBERED) remembered.clear();
  remembered.set(sql, description);
  return description;
};
