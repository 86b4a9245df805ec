import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failureOf, valueOf } from './builders.js';
import type { SimulationHarness, SimulationHarnessFactory } from './simulation-harness.js';

/** validateConfiguration: the verdict StartSimulation would give, without starting anything. */
export const describeValidateUseCase = (harness: SimulationHarnessFactory): void => {
  describe('validateConfiguration', () => {
    let h: SimulationHarness;
    let owner: string;
    beforeEach(async () => {
      h = await harness();
      owner = h.aUser();
    });
    afterEach(async () => {
      await h.close();
    });

    it('accepts a valid configuration, with the estimated duration', async () => {
      const verdict = valueOf(
        await h.service.validateConfiguration({
          userId: owner,
          configuration: { nodes: '8', peak_request_rate: '1000' },
          durationSeconds: 120,
        }),
      );

      expect(verdict).toEqual({ valid: true, errors: [], warnings: [], estimatedDurationSeconds: 120 });
      expect(h.scheduler.active).toBe(0);
    });

    it('lists every invalid field of the configuration and the request', async () => {
      const verdict = valueOf(
        await h.service.validateConfiguration({
          userId: owner,
          configuration: { nodes: '0', load_profile: 'bursty' },
          durationSeconds: 0,
          components: ['ok', ''],
        }),
      );

      expect(verdict.valid).toBe(false);
      expect(verdict.errors.map((e) => e.field)).toEqual([
        'configuration.nodes',
        'configuration.load_profile',
        'duration_seconds',
        'components[1]',
      ]);
    });

    it("merges the project's configuration and warns of what will go wrong", async () => {
      const project = h.aProjectOf(owner, { nodes: '1', node_cpu_cores: '2', services: '3', region: 'eu-west' });

      const verdict = valueOf(
        await h.service.validateConfiguration({
          userId: owner,
          projectId: project.id,
          configuration: { autoscaling: 'false', peak_request_rate: '300' },
        }),
      );

      expect(verdict).toMatchObject({ valid: true, errors: [] });
      expect(verdict.warnings).toEqual([
        'Project setting region is not a simulation setting and is ignored.',
        '2 of 6 initial pods do not fit on 1 nodes and will stay pending.',
      ]);
    });

    it('refuses to look at a project the user may not read', async () => {
      const project = h.aProjectOf(h.aUser());

      expect(failureOf(await h.service.validateConfiguration({ userId: owner, projectId: project.id, configuration: {} }))).toMatchObject({
        kind: 'forbidden',
      });
    });
  });
};
