import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { meshRedisAclRules } from './redis-mesh-acl.js';

describe('the least-privilege ACL of the mesh', () => {
  it('is the one SECURITY.md tells operators to run', async () => {
    const text = await readFile(new URL('../../SECURITY.md', import.meta.url), 'utf8');
    const block = /ACL SETUSER meshwork ([\s\S]+?)\nACL SETUSER default off/.exec(text)?.[1];
    expect(block, 'the ACL SETUSER meshwork block of SECURITY.md').toBeDefined();
    expect(block!.split(/\s+/).filter((rule) => rule !== '')).toEqual(meshRedisAclRules('CHANGE-ME'));
  });

  it('grants no administrative command', () => {
    const rules = meshRedisAclRules('x');
    for (const forbidden of ['+@all', '+@admin', '+@dangerous', '+config|set', '+flushall', '+flushdb', '+keys', '+debug', '+acl']) {
      expect(rules).not.toContain(forbidden);
    }
    expect(rules).toContain('-@all');
  });
});
