import { describe, expect, it } from 'vitest';
import { canonicalRoles, normaliseEmail, sessionState, type Session } from './model.js';

const session = (overrides: Partial<Session> = {}): Session => ({
  id: 's-1',
  userId: 'u-1',
  createdAt: 1_000,
  expiresAt: 2_000,
  revokedAt: null,
  ...overrides,
});

describe('auth model', () => {
  it('normalises emails to trimmed lower case', () => {
    expect(normaliseEmail('  Ada.Lovelace@Example.ORG ')).toBe('ada.lovelace@example.org');
  });

  it('normalises emails to NFC, so a decomposed and a composed accent are one address', () => {
    expect(normaliseEmail('Jose\u0301@Example.org')).toBe('jos\u00e9@example.org');
    expect(normaliseEmail('JOS\u00c9@example.org')).toBe(normaliseEmail('jose\u0301@example.org'));
  });

  it('orders and deduplicates roles', () => {
    expect(canonicalRoles(['admin', 'user', 'admin'])).toEqual(['user', 'admin']);
  });

  it('tells a live session from an expired or revoked one', () => {
    expect(sessionState(session(), 1_999)).toBe('active');
    expect(sessionState(session(), 2_000)).toBe('expired');
    expect(sessionState(session({ revokedAt: 1_500 }), 1_600)).toBe('revoked');
  });
});
