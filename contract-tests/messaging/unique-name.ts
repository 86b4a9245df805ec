import { randomUUID } from 'node:crypto';

/** A name no other test uses, so suites can share one Redis server: `test:<base>:<random>`. */
export const uniqueName = (base: string): string => `test:${base}:${randomUUID().slice(0, 8)}`;
