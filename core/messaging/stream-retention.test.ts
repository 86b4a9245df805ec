import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAM_RETENTION, familyRetention, retentionWith, specificationRetention } from './stream-retention.js';

describe('stream retention', () => {
  it("keeps the specification's 50,000 entries of a simulation stream", () => {
    expect(specificationRetention('simulation:stream:sim-42')).toBe(50_000);
  });

  it('knows every stream family of the specification', () => {
    expect(specificationRetention('collaboration:stream:p-1')).toBe(10_000);
    expect(specificationRetention('notifications:stream:u-1')).toBe(1_000);
    expect(specificationRetention('monitoring:stream:metrics')).toBe(100_000);
    expect(specificationRetention('analytics:stream:events')).toBe(100_000);
    expect(specificationRetention('system:stream:health')).toBe(10_000);
  });

  it('never trims work queues or unknown streams', () => {
    expect(specificationRetention('async:email:queue')).toBeUndefined();
    expect(specificationRetention('async:email:queue:dead')).toBeUndefined();
    expect(specificationRetention('simulation:stream:')).toBeUndefined();
    expect(specificationRetention('monitoring:stream:metrics:old')).toBeUndefined();
  });

  it('gives each family the retention configured for it', () => {
    const retention = familyRetention({ simulation: 1, collaboration: 2, notifications: 3, monitoring: 4, health: 5, analytics: 6 });

    expect(
      [
        'simulation:stream:s',
        'collaboration:stream:p',
        'notifications:stream:u',
        'monitoring:stream:metrics',
        'system:stream:health',
        'analytics:stream:events',
        'async:email:queue',
      ].map(retention),
    ).toEqual([1, 2, 3, 4, 5, 6, undefined]);
  });

  it('lets a deployment override one family by prefix and keeps the others', () => {
    const retention = retentionWith({ 'simulation:stream:': 5_000, 'audit:': 200 });

    expect(retention('simulation:stream:sim-1')).toBe(5_000);
    expect(retention('audit:log')).toBe(200);
    expect(retention('system:stream:health')).toBe(DEFAULT_STREAM_RETENTION.health);
  });
});
