import { describe, expect, it } from 'vitest';
import { createSimulationService, type SimulationServiceDeps } from './simulation-service.js';

// Construction checks its settings before touching any dependency, so none is needed here.
const noDependencies = {} as SimulationServiceDeps;

describe('createSimulationService', () => {
  it.each([5, 101, 12.5])('refuses %s updates per second', (updatesPerSecond) => {
    expect(() => createSimulationService({ ...noDependencies, settings: { updatesPerSecond } })).toThrow(RangeError);
  });

  it('accepts 10 to 100 updates per second', () => {
    expect(createSimulationService({ ...noDependencies, settings: { updatesPerSecond: 100 } }).activeRuns()).toBe(0);
  });
});
