import { describe, expect, it } from 'vitest';
import { PermissionCatalogue, actionOf, grantActionList, grantAllows, isPermission, permissionsFor } from './permissions.js';

describe('permissions', () => {
  it('gives a user the project, simulation and profile permissions but no admin permission', () => {
    const permissions = permissionsFor(['user']);

    expect(permissions).toContain('project:share');
    expect(permissions).toContain('simulation:stop');
    expect(permissions).toContain('profile:update');
    expect(permissions.filter((permission) => permission.startsWith('admin:'))).toEqual([]);
  });

  it('gives an admin the whole catalogue, listed once each', () => {
    expect(permissionsFor(['user', 'admin'])).toEqual([...PermissionCatalogue]);
    expect(permissionsFor(['admin'])).toEqual([...PermissionCatalogue]);
  });

  it('gives no permissions without roles', () => {
    expect(permissionsFor([])).toEqual([]);
  });

  it('recognises only catalogue permissions', () => {
    expect(isPermission('project:read')).toBe(true);
    expect(isPermission('project:*')).toBe(false);
    expect(isPermission('*')).toBe(false);
  });

  it('takes the action from after the colon', () => {
    expect(actionOf('simulation:start')).toBe('start');
  });

  it.each([
    ['viewer', 'read', true],
    ['viewer', 'update', false],
    ['editor', 'read', true],
    ['editor', 'update', true],
    ['editor', 'delete', false],
    ['editor', 'share', false],
    ['owner', 'delete', true],
    ['owner', 'share', true],
    ['owner', 'start', true],
  ] as const)('a %s grant allows %s: %s', (role, action, allowed) => {
    expect(grantAllows(role, action)).toBe(allowed);
  });

  it("spells out an owner's actions for listings", () => {
    expect(grantActionList('owner')).toEqual(['create', 'read', 'update', 'delete', 'share', 'start', 'stop']);
    expect(grantActionList('viewer')).toEqual(['read']);
  });
});
