import { describe, expect, it } from 'vitest';
import { ChannelFamilies, channelFamily } from './channel-family.js';

const fixed = new Set(['auth:events:login', 'system:stream:health', 'async:email:queue', 'system:announcements']);

describe('channel families', () => {
  it('keeps the names the code spells in full', () => {
    expect(channelFamily('auth:events:login', fixed)).toBe('auth:events:login');
    expect(channelFamily('system:stream:health', fixed)).toBe('system:stream:health');
    expect(channelFamily('system:announcements', fixed)).toBe('system:announcements');
  });

  it('folds names carrying ids into their family', () => {
    expect(channelFamily('simulation:stream:3f2a-9c', fixed)).toBe('simulation:stream:*');
    expect(channelFamily('notifications:stream:user-1', fixed)).toBe('notifications:stream:*');
    expect(channelFamily('simulation:events:*', fixed)).toBe('simulation:events:*');
    expect(channelFamily('auth:events:anything_new', fixed)).toBe('auth:events:*');
  });

  it('keeps the first segment of a two-segment name, and puts a bare name under other', () => {
    expect(channelFamily('system:*', fixed)).toBe('system:*');
    expect(channelFamily('scratch:42', fixed)).toBe('scratch:*');
    expect(channelFamily('scratch', fixed)).toBe('other');
  });

  it('gives a bounded number of families for unbounded ids', () => {
    const families = new ChannelFamilies(fixed, 100);
    const seen = new Set<string>();
    for (let id = 0; id < 1_000; id += 1) seen.add(families.of(`simulation:stream:${id}`));
    expect([...seen]).toEqual(['simulation:stream:*']);
  });
});
