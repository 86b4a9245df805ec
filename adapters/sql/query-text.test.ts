import { describe, expect, it } from 'vitest';
import { describeQuery, sanitiseQuery } from './query-text.js';

describe('a statement as a span shows it', () => {
  it('replaces every literal by ?, keeps placeholders, names and layout-free text', () => {
    expect(sanitiseQuery(`select "t1"."id" from "t1" where a = 'it''s' and b = E'x\\'y' and c = 42 and d = -1.5e3 and e = $1`)).toBe(
      'select "t1"."id" from "t1" where a = ? and b = ? and c = ? and d = ? and e = $1',
    );
    expect(sanitiseQuery('SELECT $tag$secret$tag$, $$other$$ FROM x\n   LIMIT 5')).toBe('SELECT ?, ? FROM x LIMIT ?');
  });

  it('names the operation and the table of simple statements', () => {
    expect(describeQuery('insert into "projects" ("id") values ($1)')).toMatchObject({
      operation: 'INSERT',
      collection: 'projects',
      summary: 'INSERT projects',
    });
    expect(describeQuery('update outbox set sent_at = $1 where id in ($2)').summary).toBe('UPDATE outbox');
    expect(describeQuery('select count(*) from "auth"."users" where id = $1').summary).toBe('SELECT auth.users');
    expect(describeQuery('delete from "sessions" where "expires_at" < $1').summary).toBe('DELETE sessions');
    expect(describeQuery('SET search_path TO "auth"')).toMatchObject({ operation: 'SET', summary: 'SET' });
    expect(describeQuery('BEGIN').summary).toBe('BEGIN');
  });

  it('names a write with what it records after its first change, and a reading WITH as WITH', () => {
    expect(
      describeQuery(
        'WITH changed AS (delete from "resource_grants" where "user_id" = $1 returning "user_id"), recorded AS (INSERT INTO outbox (id) SELECT 1) SELECT count(*) FROM changed',
      ),
    ).toMatchObject({ operation: 'DELETE', collection: 'resource_grants', summary: 'DELETE resource_grants' });
    expect(describeQuery('with recent as (select id from projects) select * from recent').summary).toBe('WITH');
  });
});
