import { describe, expect, it } from 'vitest';
import { hasExpiredEvents, withExpiredEvents } from './redis-service-registry-notifications.js';

describe('keyspace notification flags', () => {
  it('knows when expired keyevents are on', () => {
    expect(hasExpiredEvents('Ex')).toBe(true);
    expect(hasExpiredEvents('AKE')).toBe(true);
    expect(hasExpiredEvents('Kx')).toBe(false);
    expect(hasExpiredEvents('')).toBe(false);
  });

  it('adds expired keyevents to whatever else is on', () => {
    expect(withExpiredEvents('')).toBe('Ex');
    expect(withExpiredEvents('Kg')).toBe('KgEx');
    expect(withExpiredEvents('KA')).toBe('KAE');
  });
});
