import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventChannels } from '../../core/messaging/channels.js';
import { projectDeletedEvent, projectModifiedEvent } from '../../core/project/events.js';
import { createSimulationService, type SimulationService } from '../../core/simulation/index.js';
import { ManualScheduler } from '../../test-support/core/manual-scheduler.js';
import { InMemoryEventBus } from '../../adapters/memory/in-memory-event-bus.js';
import { ManualClock } from '../../test-support/core/manual-clock.js';
import { RandomIdGenerator } from '../../adapters/system/random-id-generator.js';
import { waitFor } from '../messaging/wait.js';
import { valueOf } from './builders.js';
import { InMemoryGrants, InMemoryProjectDirectory, QuietCluster } from './simulation-harness.js';
import { createBackgroundFixture, type BackgroundFixture } from '../../test-support/background-fixture.js';
import { projectUpdatedHandler } from '../../core/simulation/project-events.js';

describe('project:events:updated in the simulation service', () => {
  let f: BackgroundFixture;
  let bus: InMemoryEventBus;
  let service: SimulationService;
  let projects: InMemoryProjectDirectory;
  let grants: InMemoryGrants;
  const clock = new ManualClock();

  beforeEach(async () => {
    f = createBackgroundFixture();
    bus = new InMemoryEventBus(f.logger);
    projects = new InMemoryProjectDirectory();
    grants = new InMemoryGrants();
    service = createSimulationService({
      repository: f.repository,
      projects,
      authorization: grants,
      streams: f.streams,
      scheduler: new ManualScheduler(clock),
      clock,
      ids: new RandomIdGenerator(),
      reportFault: () => {},
    });
    await bus.subscribe(
      EventChannels.projectUpdated,
      projectUpdatedHandler({ simulations: service, repository: f.repository, logger: f.logger }),
    );
  });
  afterEach(async () => {
    await service.shutdown();
    await f.close();
  });

  const start = async (userId: string, projectId: string) =>
    valueOf(await service.startSimulation({ userId, projectId, durationSeconds: 60, enableRealTime: true })).simulationId;
  const statusOf = async (id: string) => (await f.repository.findById(id))?.status;

  it("stops every running simulation of a deleted project, whoever started it, and leaves other projects' alone", async () => {
    const owner = 'owner-1';
    const colleague = 'colleague-1';
    const doomed = projects.add(owner, QuietCluster);
    const other = projects.add(owner, QuietCluster);
    projects.share(doomed.id, colleague, 'editor');
    grants.grant(owner, 'simulation:start');
    grants.grant(colleague, 'simulation:start');
    const mine = await start(owner, doomed.id);
    const theirs = await start(colleague, doomed.id);
    const elsewhere = await start(owner, other.id);

    await bus.publish(EventChannels.projectUpdated, projectDeletedEvent(doomed.id, owner, clock.now()));

    await waitFor(async () => (await statusOf(mine)) === 'stopped' && (await statusOf(theirs)) === 'stopped', 5_000, 'the runs to stop');
    expect(await f.repository.findById(theirs)).toMatchObject({ stoppedBy: colleague, stopReason: `project ${doomed.id} was deleted` });
    expect(await f.repository.findResults(mine)).toBeDefined();
    expect(await statusOf(elsewhere)).toBe('running');
    expect(await f.logged('project deleted: its running simulations were stopped')).toMatchObject({ projectId: doomed.id, stopped: 2 });
  });

  it('only logs a modification: running simulations keep the configuration they started with', async () => {
    const project = projects.add('owner-2', QuietCluster);
    grants.grant('owner-2', 'simulation:start');
    const running = await start('owner-2', project.id);

    await bus.publish(EventChannels.projectUpdated, projectModifiedEvent(project.id, 'owner-2', ['configuration'], clock.now()));

    expect(await f.logged('project modified: running simulations keep the configuration they started with')).toMatchObject({
      projectId: project.id,
      changes: ['configuration'],
    });
    expect(await statusOf(running)).toBe('running');
  });

  it('ignores an event without a project id, with a warning', async () => {
    await bus.publish(EventChannels.projectUpdated, { type: 'updated', change: 'deleted', timestamp: clock.now() });

    expect(await f.logged('project event without project_id ignored')).toMatchObject({ level: 40 });
  });
});
