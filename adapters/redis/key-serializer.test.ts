import { describe, expect, it } from 'vitest';
import { KeySerializer } from './key-serializer.js';

const later = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));

describe('KeySerializer', () => {
  it('runs the tasks of one key one after another, in call order', async () => {
    const serializer = new KeySerializer();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await later(ms, undefined);
      log.push(`end ${name}`);
      return name;
    };

    const results = await Promise.all([serializer.run('k', task('slow', 30)), serializer.run('k', task('fast', 1))]);

    expect(results).toEqual(['slow', 'fast']);
    expect(log).toEqual(['start slow', 'end slow', 'start fast', 'end fast']);
  });

  it('runs tasks of different keys at the same time', async () => {
    const serializer = new KeySerializer();
    const log: string[] = [];

    await Promise.all([
      serializer.run('a', async () => (log.push('start a'), await later(30, undefined), log.push('end a'))),
      serializer.run('b', async () => (log.push('start b'), await later(1, undefined), log.push('end b'))),
    ]);

    expect(log).toEqual(['start a', 'start b', 'end b', 'end a']);
  });

  it('goes on with the next task of a key after one fails', async () => {
    const serializer = new KeySerializer();

    const failing = serializer.run('k', async () => {
      throw new Error('boom');
    });
    const next = serializer.run('k', async () => 'next');

    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });
});
