import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken } from './page-token.js';

describe('page tokens', () => {
  it('give back the parts they were made from, whatever characters they hold', () => {
    const parts = ['1767225600000', 'prøject|42 %zz €'];

    expect(decodePageToken('projects', encodePageToken('projects', parts))).toEqual(parts);
  });

  it('do not show their content in clear', () => {
    const token = encodePageToken('projects', ['1767225600000', 'project-1']);

    expect(token).toMatch(/^[0-9a-f]+$/);
    expect(token).not.toContain('project-1');
  });

  it('are refused where another kind of token is expected', () => {
    expect(decodePageToken('projects', encodePageToken('templates', ['20']))).toBeUndefined();
  });

  it('refuse anything this module did not make', () => {
    for (const token of ['', 'not-a-token', 'abc', 'ZZ', '25', '7c25']) {
      expect(decodePageToken('projects', token)).toBeUndefined();
    }
  });
});
