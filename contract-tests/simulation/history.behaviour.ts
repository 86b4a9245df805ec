import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProjectView } from '../../core/simulation/ports.js';
import { failureOf, valueOf } from './builders.js';
import type { SimulationHarness, SimulationHarnessFactory } from './simulation-harness.js';

/** getHistory: per project or per user, newest first, in pages. */
export const describeHistoryUseCase = (harness: SimulationHarnessFactory): void => {
  describe('getHistory', () => {
    let h: SimulationHarness;
    let owner: string;
    let project: ProjectView;
    let started: string[];
    beforeEach(async () => {
      h = await harness();
      owner = h.aUser();
      project = h.aProjectOf(owner);
      started = [];
      for (let i = 0; i < 3; i += 1) {
        started.push((await h.start(owner, project, { durationSeconds: 1 })).simulationId);
        h.clock.advance(60_000);
      }
    });
    afterEach(async () => {
      await h.close();
    });

    const ids = (view: { simulations: readonly { id: string }[] }) => view.simulations.map((s) => s.id);

    it("lists a project's simulations newest first, page by page", async () => {
      const first = valueOf(await h.service.getHistory({ userId: owner, projectId: project.id, pageSize: 2 }));
      const second = valueOf(
        await h.service.getHistory({ userId: owner, projectId: project.id, pageSize: 2, pageToken: first.nextPageToken! }),
      );

      expect(ids(first)).toEqual([started[2], started[1]]);
      expect(first.totalCount).toBe(3);
      expect(ids(second)).toEqual([started[0]]);
      expect(second.nextPageToken).toBeUndefined();
    });

    it('filters by status', async () => {
      await h.service.stopSimulation({ simulationId: started[1]!, userId: owner });

      const stopped = valueOf(await h.service.getHistory({ userId: owner, projectId: project.id, status: 'stopped' }));

      expect(ids(stopped)).toEqual([started[1]]);
      expect(stopped.totalCount).toBe(1);
    });

    it("lists a user's own simulations across projects when no project is given", async () => {
      const colleague = h.aUser();
      const theirs = await h.start(colleague, h.aProjectOf(colleague));

      expect(ids(valueOf(await h.service.getHistory({ userId: colleague })))).toEqual([theirs.simulationId]);
    });

    it('lets a reader of the project see its history', async () => {
      const reader = h.aUser();
      h.projects.share(project.id, reader);

      expect(valueOf(await h.service.getHistory({ userId: reader, projectId: project.id })).totalCount).toBe(3);
    });

    it("refuses a project's history to a user who may not read it", async () => {
      expect(failureOf(await h.service.getHistory({ userId: h.aUser(), projectId: project.id }))).toMatchObject({ kind: 'forbidden' });
    });

    it('refuses a made-up page token and an unknown status', async () => {
      expect(failureOf(await h.service.getHistory({ userId: owner, projectId: project.id, pageToken: 'page-2' }))).toMatchObject({
        kind: 'invalid',
        code: 'invalid_page_token',
      });
      expect(failureOf(await h.service.getHistory({ userId: owner, status: 'paused' })).violations).toEqual([
        { field: 'status', message: 'must be running, completed, stopped or failed' },
      ]);
    });
  });
};
