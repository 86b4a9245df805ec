import type { DestinationStream } from 'pino';
import { createLogger, LogLevels, type LogLevel, type Logger } from '../adapters/observability/logger.js';

/** Tests log nothing unless `LOG_LEVEL` asks for it (`LOG_LEVEL=debug npx vitest run ...`). */
export const testLogLevel = (): LogLevel => {
  const level = process.env.LOG_LEVEL;
  return (LogLevels as readonly string[]).includes(level ?? '') ? (level as LogLevel) : 'silent';
};

export const testLogger = (name: string, destination?: DestinationStream): Logger => createLogger(name, testLogLevel(), destination);
