import { describe, expect, it } from 'vitest';
import { applyStoredOps, decideEdit, oldestEditableBase, stamped, type EditTarget } from './collaborative-edit.js';
import { diffDocuments, parsePatch, parsePath, pointerOf, type PatchOperation } from './document-patch.js';

const target = (overrides: Partial<EditTarget> = {}): EditTarget => ({
  document: { name: 'Shop', description: 'v1', configuration: { nodes: '3', rps: '100' } },
  version: 5,
  revisions: {},
  revisionsPrunedThrough: 0,
  editWindow: 100,
  ...overrides,
});

const set = (path: string, value: string): PatchOperation => ({ op: 'replace', path, value });

describe('parsePatch', () => {
  it('takes add, replace and remove on the editable paths, with canonical pointers', () => {
    expect(
      parsePatch([
        { op: 'replace', path: '/name', value: 'Shop 2' },
        { op: 'add', path: '/configuration/a~1b', value: 'x' },
        { op: 'remove', path: '/configuration/nodes' },
      ]),
    ).toEqual({
      ops: [
        { op: 'replace', path: '/name', value: 'Shop 2' },
        { op: 'add', path: '/configuration/a~1b', value: 'x' },
        { op: 'remove', path: '/configuration/nodes' },
      ],
    });
  });

  it.each([
    ['not a list', { op: 'replace' }, 'patch'],
    ['an empty list', [], 'patch'],
    ['an unknown op', [{ op: 'move', path: '/name', from: '/description' }], 'patch[0].op'],
    ['a path outside the content', [{ op: 'replace', path: '/owner_id', value: 'me' }], 'patch[0].path'],
    ['a nested configuration path', [{ op: 'add', path: '/configuration/a/b', value: '1' }], 'patch[0].path'],
    ['a bad escape', [{ op: 'add', path: '/configuration/a~2', value: '1' }], 'patch[0].path'],
    ['a value that is not text', [{ op: 'replace', path: '/name', value: 3 }], 'patch[0].value'],
    ['removing the name', [{ op: 'remove', path: '/name' }], 'patch[0].op'],
  ])('refuses %s', (_, input, field) => {
    const parsed = parsePatch(input);
    expect('violations' in parsed && parsed.violations[0]?.field).toBe(field);
  });

  it('round-trips keys with / and ~ through pointers', () => {
    const path = { field: 'configuration', key: 'a/b~c' } as const;
    expect(parsePath(pointerOf(path))).toEqual(path);
  });
});

describe('decideEdit', () => {
  it('applies an edit made against the current version and stamps its paths', () => {
    const decision = decideEdit(target(), { baseVersion: 5, clientId: 'c1', ops: [set('/configuration/nodes', '6')] });

    expect(decision).toEqual({
      kind: 'apply',
      document: { name: 'Shop', description: 'v1', configuration: { nodes: '6', rps: '100' } },
      ops: [set('/configuration/nodes', '6')],
      history: { revisions: { '/configuration/nodes': { version: 6, clientId: 'c1' } }, revisionsPrunedThrough: 0 },
      rebased: false,
    });
  });

  it('rebases an older edit whose paths nobody changed since its base version', () => {
    const current = target({
      version: 6,
      document: { name: 'Shop', description: 'v1', configuration: { nodes: '6', rps: '100' } },
      revisions: { '/configuration/nodes': { version: 6, clientId: 'c1' } },
    });

    const decision = decideEdit(current, { baseVersion: 5, clientId: 'c2', ops: [set('/configuration/rps', '200')] });

    expect(decision).toMatchObject({ kind: 'apply', rebased: true, document: { configuration: { nodes: '6', rps: '200' } } });
  });

  it('refuses an edit of an entry another client changed since its base version, with the current value', () => {
    const current = target({
      version: 6,
      document: { name: 'Shop', description: 'v1', configuration: { nodes: '6', rps: '100' } },
      revisions: { '/configuration/nodes': { version: 6, clientId: 'c1' } },
    });

    const decision = decideEdit(current, { baseVersion: 5, clientId: 'c2', ops: [set('/configuration/nodes', '9')] });

    expect(decision).toEqual({
      kind: 'conflict',
      path: '/configuration/nodes',
      currentValue: '6',
      revision: { version: 6, clientId: 'c1' },
    });
  });

  it('reports a removed entry as a conflict with no current value', () => {
    const current = target({
      version: 6,
      document: { name: 'Shop', description: 'v1', configuration: { rps: '100' } },
      revisions: { '/configuration/nodes': { version: 6, clientId: 'c1' } },
    });

    expect(decideEdit(current, { baseVersion: 5, clientId: 'c2', ops: [set('/configuration/nodes', '9')] })).toMatchObject({
      kind: 'conflict',
      currentValue: undefined,
    });
  });

  it("never lets a client's own later change conflict with its earlier one", () => {
    const current = target({ version: 6, revisions: { '/name': { version: 6, clientId: 'c1' } } });

    expect(decideEdit(current, { baseVersion: 5, clientId: 'c1', ops: [set('/name', 'Shop 3')] })).toMatchObject({ kind: 'apply' });
  });

  it('treats a change made outside a session as everybody else’s', () => {
    const current = target({ version: 6, revisions: { '/name': { version: 6, clientId: '' } } });

    expect(decideEdit(current, { baseVersion: 5, clientId: '', ops: [set('/name', 'Shop 3')] })).toMatchObject({ kind: 'conflict' });
  });

  it('answers unchanged for an edit that sets what is already there', () => {
    expect(decideEdit(target(), { baseVersion: 5, clientId: 'c1', ops: [set('/name', 'Shop')] })).toEqual({ kind: 'unchanged' });
  });

  it.each([
    ['a base version from the future', { baseVersion: 6, ops: [set('/name', 'x')] }, 'base_version'],
    ['replacing an entry that is not there', { baseVersion: 5, ops: [set('/configuration/zones', '2')] }, 'patch[0].path'],
    ['an empty name', { baseVersion: 5, ops: [set('/name', '  ')] }, 'name'],
  ])('refuses %s as invalid', (_, edit, field) => {
    const decision = decideEdit(target(), { clientId: 'c1', ...edit });
    expect(decision.kind === 'invalid' && decision.violations[0]?.field).toBe(field);
  });
});

describe('the edit window', () => {
  it('prunes the revisions of changes the window of the new version leaves out, and stamps the new ones', () => {
    const history = {
      revisions: {
        '/name': { version: 7, clientId: 'a' },
        '/configuration/old': { version: 8, clientId: 'b' },
        '/configuration/kept': { version: 9, clientId: 'c' },
      },
      revisionsPrunedThrough: 5,
    };

    expect(stamped(history, [set('/description', 'd')], { version: 11, clientId: 'd' }, 3)).toEqual({
      revisions: { '/configuration/kept': { version: 9, clientId: 'c' }, '/description': { version: 11, clientId: 'd' } },
      revisionsPrunedThrough: 8,
    });
  });

  it('never brings pruned revisions back when the window is set wider', () => {
    const history = { revisions: { '/name': { version: 9, clientId: 'a' } }, revisionsPrunedThrough: 8 };

    expect(stamped(history, [], { version: 11, clientId: 'd' }, 100)).toEqual(history);
    expect(oldestEditableBase({ ...history, version: 10 }, 100)).toBe(8);
  });

  it('lets an edit be made against the oldest version of the window, not one before it', () => {
    const current = target({ version: 10, editWindow: 3 });
    expect(oldestEditableBase(current, 3)).toBe(7);
    expect(oldestEditableBase({ ...current, version: 2 }, 3)).toBe(1);

    expect(decideEdit(current, { baseVersion: 7, clientId: 'c1', ops: [set('/name', 'New')] })).toMatchObject({
      kind: 'apply',
      rebased: true,
    });
    expect(decideEdit(current, { baseVersion: 6, clientId: 'c1', ops: [set('/name', 'New')] })).toEqual({
      kind: 'conflict',
      path: '/name',
      currentValue: 'Shop',
      revision: undefined,
    });
  });

  it('keeps every revision an edit within the window is checked against', () => {
    let stored = target({ version: 1, editWindow: 3 });
    for (let n = 1; n <= 10; n += 1) {
      const ops = [{ op: 'add', path: `/configuration/k${n % 4}`, value: String(n) } as const];
      const decision = decideEdit(stored, { baseVersion: stored.version, clientId: 'a', ops });
      if (decision.kind !== 'apply') throw new Error(`edit ${n}: ${decision.kind}`);
      stored = { ...stored, ...decision.history, document: decision.document, version: stored.version + 1 };
    }
    // Every base of the window still sees the change made right after it (edit n stored version n + 1).
    for (let base = oldestEditableBase(stored, 3); base < stored.version; base += 1) {
      const path = `/configuration/k${base % 4}`;
      expect(decideEdit(stored, { baseVersion: base, clientId: 'b', ops: [set(path, 'x')] })).toMatchObject({ kind: 'conflict', path });
    }
  });
});

describe('collaborators converge', () => {
  it('on the stored document by applying the canonical operations of every stored version in order', () => {
    let stored = target();
    let copy = stored.document;
    const edits = [
      { baseVersion: 5, clientId: 'a', ops: [set('/configuration/nodes', '6')] },
      { baseVersion: 5, clientId: 'b', ops: [{ op: 'add', path: '/configuration/zones', value: '2' } as const] },
      { baseVersion: 5, clientId: 'b', ops: [{ op: 'remove', path: '/configuration/rps' } as const, set('/name', ' Shop B ')] },
      { baseVersion: 5, clientId: 'a', ops: [set('/name', 'Shop A')] },
    ];
    const outcomes: string[] = [];
    for (const edit of edits) {
      const decision = decideEdit(stored, edit);
      outcomes.push(decision.kind);
      if (decision.kind !== 'apply') continue;
      stored = { ...stored, ...decision.history, document: decision.document, version: stored.version + 1 };
      copy = applyStoredOps(copy, decision.ops);
    }

    expect(outcomes).toEqual(['apply', 'apply', 'apply', 'conflict']);
    expect(copy).toEqual(stored.document);
    expect(stored.document).toEqual({ name: 'Shop B', description: 'v1', configuration: { nodes: '6', zones: '2' } });
  });

  it('diffDocuments gives operations that rebuild the target', () => {
    const before = { name: 'a', description: 'b', configuration: { x: '1', y: '2' } };
    const after = { name: 'a2', description: 'b', configuration: { y: '3', z: '4' } };
    expect(applyStoredOps(before, diffDocuments(before, after))).toEqual(after);
  });
});
