import { describe, expect, it } from 'vitest';
import type { ServiceInstance } from '../../core/discovery/instance.js';
import {
  decodeChange,
  decodeRecord,
  encodeChange,
  encodeRecord,
  parseRegistryKey,
  registryKey,
  registryKeyPattern,
} from './redis-service-registry-keys.js';

const instance: ServiceInstance = {
  service: 'auth',
  instanceId: 'instance-1',
  host: '10.0.0.7',
  grpcPort: 9000,
  httpPort: 9001,
  status: 'healthy',
  startedAt: 1_700_000_000_000,
  lastHeartbeat: 1_700_000_003_000,
  version: '0.1.0',
};

describe('registry keys', () => {
  it("uses the specification's service names in keys, and ours in code", () => {
    expect(registryKey('auth', 'instance-1')).toBe('services:auth-service:instance-1');
    expect(registryKey('api-gateway', 'instance-2')).toBe('services:api-gateway:instance-2');
    expect(registryKey('simulation', 'x')).toBe('services:simulation-service:x');
    expect(parseRegistryKey('services:project-service:instance-1')).toEqual({ service: 'project', instanceId: 'instance-1' });
  });

  it('passes other service names through, and keeps colons in instance ids', () => {
    expect(registryKey('billing', 'host:42')).toBe('services:billing:host:42');
    expect(parseRegistryKey('services:billing:host:42')).toEqual({ service: 'billing', instanceId: 'host:42' });
  });

  it("refuses a service name with a colon, and ignores keys that are not the registry's", () => {
    expect(() => registryKey('a:b', 'x')).toThrow(RangeError);
    expect(parseRegistryKey('services:changes')).toBeUndefined();
    expect(parseRegistryKey('sessions:auth:1')).toBeUndefined();
  });

  it('scans one service with glob characters escaped', () => {
    expect(registryKeyPattern('auth')).toBe('services:auth-service:*');
    expect(registryKeyPattern('odd*[name]')).toBe('services:odd\\*\\[name\\]:*');
    expect(registryKeyPattern()).toBe('services:*');
  });
});

describe('registry records', () => {
  it("stores the specification's snake_case fields and reads them back", () => {
    const text = encodeRecord(instance);

    expect(JSON.parse(text)).toEqual({
      host: '10.0.0.7',
      grpc_port: 9000,
      http_port: 9001,
      status: 'healthy',
      started_at: 1_700_000_000_000,
      last_heartbeat: 1_700_000_003_000,
      version: '0.1.0',
    });
    expect(decodeRecord('services:auth-service:instance-1', text)).toEqual({ ok: true, value: instance });
  });

  it('reports what is wrong with a malformed record', () => {
    const decoded = decodeRecord('services:auth-service:i', '{"host":"h","grpc_port":"9000","http_port":1,"status":"up"}');

    expect(decoded).toEqual({ ok: false, error: expect.stringMatching(/grpc_port.*started_at.*last_heartbeat.*status/) });
    expect(decodeRecord('services:auth-service:i', 'not json').ok).toBe(false);
  });

  it('announces a write with its record and a deregistration with null', () => {
    const key = 'services:auth-service:instance-1';

    expect(decodeChange(encodeChange(key, instance, 5))).toEqual({ ok: true, value: { kind: 'written', instance, changedAt: 5 } });
    expect(decodeChange(encodeChange(key, null, 6))).toEqual({
      ok: true,
      value: { kind: 'deregistered', service: 'auth', instanceId: 'instance-1', changedAt: 6 },
    });
    expect(decodeChange('{"key":"elsewhere","record":null,"changed_at":1}').ok).toBe(false);
  });
});
