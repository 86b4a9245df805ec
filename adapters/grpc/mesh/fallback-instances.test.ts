import { describe, expect, it } from 'vitest';
import type { ServiceInstance } from '../../../core/discovery/instance.js';
import { FixedInstanceSource, instanceAt } from '../../../contract-tests/mesh/test-instances.js';
import { configuredInstance, FallbackInstanceSource, splitAddress } from './fallback-instances.js';

describe('the configured target standing in for a service the registry has none of', () => {
  const configured = configuredInstance('auth', '10.0.0.5:9000', '10.0.0.5:9001');
  const setUp = () => {
    const registry = new FixedInstanceSource();
    const source = new FallbackInstanceSource(registry, new Map([['auth', configured]]));
    const seen: (readonly ServiceInstance[])[] = [];
    source.onChange('auth', (instances) => seen.push(instances));
    return { registry, source, seen };
  };

  it('describes the configured address as a healthy instance', () => {
    expect(configured).toMatchObject({
      service: 'auth',
      instanceId: 'configured:10.0.0.5:9000',
      host: '10.0.0.5',
      grpcPort: 9000,
      httpPort: 9001,
      status: 'healthy',
    });
    expect(splitAddress('[::1]:9000')).toEqual({ host: '[::1]', port: 9000 });
  });

  it('gives the configured instance while nothing is registered', () => {
    const { source } = setUp();

    expect(source.current('auth')).toEqual([configured]);
    expect(source.current('project')).toEqual([]);
  });

  it('switches to the registered instances when one appears, and back when the last one leaves', () => {
    const { registry, source, seen } = setUp();
    const registered = instanceAt('auth', 'auth-1', '127.0.0.1:9100');

    registry.add(registered);
    registry.remove('auth', 'auth-1');

    expect(seen).toEqual([[registered], [configured]]);
    expect(source.current('auth')).toEqual([configured]);
  });

  it('keeps registered instances that are out of rotation rather than falling back', () => {
    const { registry, source } = setUp();
    const draining = { ...instanceAt('auth', 'auth-1', '127.0.0.1:9100'), status: 'draining' as const };

    registry.add(draining);

    expect(source.current('auth')).toEqual([draining]);
  });

  it('reports no change while the registry stays empty', () => {
    const { registry, seen } = setUp();

    registry.set('auth', []);

    expect(seen).toEqual([]);
  });
});
