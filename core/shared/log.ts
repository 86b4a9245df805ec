/**
 * Where work that runs unattended (a job, an event handler) reports what it did: structured fields
 * and a short message, one line each. The logger of the adapters (pino) is one.
 */
export interface Log {
  info(fields: Readonly<Record<string, unknown>>, message: string): void;
  warn(fields: Readonly<Record<string, unknown>>, message: string): void;
  error(fields: Readonly<Record<string, unknown>>, message: string): void;
}
