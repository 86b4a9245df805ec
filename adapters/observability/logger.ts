import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The root logger: structured JSON lines on stdout. `LOG_LEVEL` sets the level (default `info`;
 * tests run with `silent` unless they set it).
 */
export const createLogger = (name: string, level: string = process.env.LOG_LEVEL ?? defaultLevel()): Logger =>
  pino({ name, level });

const defaultLevel = (): string => (process.env.VITEST ? 'silent' : 'info');
