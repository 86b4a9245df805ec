import { describe, expect, it } from 'vitest';
import { InMemoryLoginFailureLog } from '../../adapters/memory/in-memory-login-failure-log.js';
import { describeLoginFailureLogContract } from './login-failure-log.contract.js';

describeLoginFailureLogContract('InMemoryLoginFailureLog', async () => {
  const log = new InMemoryLoginFailureLog();
  return { log, peer: log, close: async () => {} };
});

describe('InMemoryLoginFailureLog', () => {
  const window = { max: 1, windowMs: 1_000 };

  it('keeps at most maxKeys keys, dropping the stalest first', async () => {
    const log = new InMemoryLoginFailureLog(2);
    await log.record('a', 0, window);
    await log.record('b', 1, window);
    await log.record('c', 2, window);
    expect(await log.recent('a', 2, window)).toEqual([]);
    expect(await log.recent('b', 2, window)).toEqual([1]);
    expect(await log.recent('c', 2, window)).toEqual([2]);
  });

  it('drops keys whose failures aged out before keys still counting', async () => {
    const log = new InMemoryLoginFailureLog(2);
    await log.record('counting', 0, { max: 1, windowMs: 60_000 });
    await log.record('aged', 1, window);
    await log.record('new', 5_000, window);
    expect(await log.recent('counting', 5_000, { max: 1, windowMs: 60_000 })).toEqual([0]);
    expect(await log.recent('aged', 1, window)).toEqual([]);
  });
});
