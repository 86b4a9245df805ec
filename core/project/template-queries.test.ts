import { describe, expect, it } from 'vitest';
import { getTemplate, listTemplates } from './template-queries.js';
import { BuiltInTemplates } from './templates.js';

const valueOf = <T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
  return result.value;
};

describe('getTemplate', () => {
  it('finds a template by id', () => {
    expect(valueOf(getTemplate('event-driven'))).toMatchObject({ id: 'event-driven', name: 'Event-driven' });
  });

  it('answers template_not_found for an unknown id and invalid for an empty one', () => {
    expect(getTemplate('mainframe')).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'not_found', code: 'template_not_found' }),
    });
    expect(getTemplate(' ')).toEqual({ ok: false, error: expect.objectContaining({ kind: 'invalid' }) });
  });
});

describe('listTemplates', () => {
  it('lists every template in catalogue order by default', () => {
    const page = valueOf(listTemplates());

    expect(page.templates.map((template) => template.id)).toEqual(BuiltInTemplates.map((template) => template.id));
    expect(page.totalCount).toBe(BuiltInTemplates.length);
    expect(page.nextPageToken).toBeUndefined();
  });

  it('lists only one category when asked, and none for an unknown category', () => {
    const distributed = valueOf(listTemplates({ category: 'distributed' }));

    expect(distributed.templates.map((template) => template.id)).toEqual(['microservices', 'event-driven']);
    expect(distributed.totalCount).toBe(2);
    expect(valueOf(listTemplates({ category: 'quantum' }))).toEqual({ templates: [], totalCount: 0 });
  });

  it('pages through the catalogue with tokens', () => {
    const ids: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = valueOf(listTemplates({ pageSize: 1, ...(token ? { pageToken: token } : {}) }));
      ids.push(...page.templates.map((template) => template.id));
      token = page.nextPageToken;
      pages += 1;
    } while (token);

    expect(ids).toEqual(BuiltInTemplates.map((template) => template.id));
    expect(pages).toBe(BuiltInTemplates.length);
  });

  it('refuses a page size outside 1..100 and a token it did not issue', () => {
    expect(listTemplates({ pageSize: 0 })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'invalid_input', violations: [expect.objectContaining({ field: 'pageSize' })] }),
    });
    expect(listTemplates({ pageToken: 'zz' })).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'invalid_page_token' }),
    });
  });
});
