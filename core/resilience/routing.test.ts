import { describe, expect, it } from 'vitest';
import { routableInstances, type RoutingState } from './routing.js';

const instance = (id: string, overrides: Partial<RoutingState> = {}): RoutingState => ({
  id,
  inRotation: true,
  draining: false,
  ejected: false,
  breakerAllows: true,
  ...overrides,
});

const idsOf = (instances: readonly RoutingState[]) => instances.map((i) => i.id);

describe('routableInstances', () => {
  it('keeps the healthy, connected instances whose breaker allows a call', () => {
    const all = [
      instance('a'),
      instance('b', { inRotation: false }),
      instance('c', { ejected: true }),
      instance('d', { breakerAllows: false }),
    ];

    expect(idsOf(routableInstances(all))).toEqual(['a']);
  });

  it('leaves out the instances already tried for this call', () => {
    expect(idsOf(routableInstances([instance('a'), instance('b')], new Set(['a'])))).toEqual(['b']);
  });

  it('falls back to instances in doubt when no healthy one is left, but never to an open breaker', () => {
    const all = [instance('b', { inRotation: false }), instance('c', { ejected: true }), instance('d', { breakerAllows: false })];

    expect(idsOf(routableInstances(all))).toEqual(['b', 'c']);
  });

  it('never chooses an unhealthy or a draining instance while a healthy one is left', () => {
    const all = [instance('a', { inRotation: false }), instance('b', { inRotation: false, draining: true }), instance('c')];

    expect(idsOf(routableInstances(all))).toEqual(['c']);
    expect(idsOf(routableInstances(all, new Set(['c'])))).toEqual(['a']);
  });

  it('tries a draining instance only when nothing else is left: it still serves until its servers stop', () => {
    const draining = instance('b', { inRotation: false, draining: true });

    expect(idsOf(routableInstances([draining, instance('a', { inRotation: false, ejected: true })]))).toEqual(['a']);
    expect(idsOf(routableInstances([draining]))).toEqual(['b']);
  });

  it('has nothing to offer when every breaker is open', () => {
    expect(routableInstances([instance('a', { breakerAllows: false })])).toEqual([]);
  });
});
