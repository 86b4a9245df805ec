import { describe, expect, it } from 'vitest';
import { accessOf, allowedActions, authorizeAction, can } from './access.js';
import type { Project } from './model.js';

const project = (overrides: Partial<Project> = {}): Project => ({
  id: 'project-1',
  ownerId: 'owner',
  name: 'Checkout',
  description: '',
  templateId: null,
  configuration: {},
  isPublic: false,
  status: 'active',
  shares: [
    { userId: 'editor', role: 'editor', sharedAt: 1 },
    { userId: 'viewer', role: 'viewer', sharedAt: 2 },
  ],
  collaborators: [],
  createdAt: 0,
  updatedAt: 0,
  version: 1,
  revisions: {},
  revisionsPrunedThrough: 0,
  ...overrides,
});

describe('project access rules', () => {
  it('tells owner, share roles, public readers and strangers apart', () => {
    const open = project({ isPublic: true });

    expect(['owner', 'editor', 'viewer', 'stranger'].map((user) => accessOf(project(), user))).toEqual([
      'owner',
      'editor',
      'viewer',
      'none',
    ]);
    expect(accessOf(open, 'stranger')).toBe('public');
    expect(accessOf(open, 'viewer')).toBe('viewer');
  });

  it('lets the owner do everything', () => {
    expect(allowedActions(project(), 'owner')).toEqual(['read', 'update', 'delete', 'share', 'collaborate']);
  });

  it('lets an editor read, update and collaborate, but not delete or share', () => {
    expect(allowedActions(project(), 'editor')).toEqual(['read', 'update', 'collaborate']);
    expect(can(project(), 'editor', 'delete')).toBe(false);
    expect(can(project(), 'editor', 'share')).toBe(false);
  });

  it('lets viewers read and watch the collaboration session, and readers of a public project only read', () => {
    expect(allowedActions(project(), 'viewer')).toEqual(['read', 'collaborate']);
    expect(allowedActions(project({ isPublic: true }), 'stranger')).toEqual(['read']);
  });

  it('lets a stranger do nothing with a private project', () => {
    expect(allowedActions(project(), 'stranger')).toEqual([]);
  });
});

describe('authorizeAction', () => {
  it('passes the project and the access through when allowed', () => {
    const target = project();

    expect(authorizeAction(target, 'editor', 'update')).toEqual({ ok: true, value: { project: target, access: 'editor' } });
  });

  it('answers not_found for a missing project and for one the user cannot read', () => {
    const missing = authorizeAction(undefined, 'owner', 'read');
    const hidden = authorizeAction(project(), 'stranger', 'read');

    expect(missing).toEqual({ ok: false, error: expect.objectContaining({ kind: 'not_found', code: 'project_not_found' }) });
    expect(hidden).toEqual(missing);
  });

  it('answers forbidden to a user who can read the project but not act on it', () => {
    expect(authorizeAction(project(), 'viewer', 'update')).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'forbidden', code: 'action_not_allowed' }),
    });
    expect(authorizeAction(project({ isPublic: true }), 'stranger', 'collaborate')).toEqual({
      ok: false,
      error: expect.objectContaining({ kind: 'forbidden', code: 'action_not_allowed' }),
    });
  });
});
