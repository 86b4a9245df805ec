import { Streams } from '../../messaging/channels.js';
import { DomainFailureError } from '../../shared/errors.js';
import { completionMessages } from '../completion.js';
import { createClusterModel, type ClusterModel } from '../model/cluster-model.js';
import type { MetricSample } from '../model/metric-sample.js';
import type { StreamProducer } from '../../messaging/streams.js';
import type { Clock } from '../../shared/clock.js';
import type { FinishedStreams } from './finished-streams.js';
import type { ScheduledTask, Scheduler, SimulationRepository } from '../ports.js';
import { SeriesRecorder } from '../series.js';
import type { Simulation, SimulationStatus } from '../simulation.js';
import type { FaultReporter, SimulationSettings } from '../settings.js';
import { toStreamFields } from '../stream-fields.js';
import { summarizeSeries, type SimulationSummary } from '../summary.js';

export interface RunDeps {
  readonly repository: SimulationRepository;
  readonly streams: StreamProducer;
  readonly finishedStreams: Pick<FinishedStreams, 'retire'>;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  readonly runs: { add(run: SimulationRun): void; remove(id: string): void };
  readonly settings: SimulationSettings;
  readonly reportFault: FaultReporter;
}

/** Scheduler interval of a run that is not real-time: as often as the event loop allows. */
const BATCH_INTERVAL_MS = 1;
/** A late real-time tick catches up at most this many steps at once (the rest on the next ticks). */
const MAX_CATCH_UP_STEPS = 1_000;
/** Entries per stream append. */
const STREAM_BATCH = 500;
const UPDATE_ATTEMPTS = 3;

interface StopDetails {
  readonly stoppedBy: string;
  readonly stopReason: string;
}

/**
 * One simulation running in this process. Real-time runs take a model step per update, as many as
 * the clock says are due (so a late timer is caught up and its samples appended in one batch); other
 * runs take `batchStepsPerTick` steps per call. Ticks and the finish are serialised, so a stop never
 * interleaves with a step.
 */
export class SimulationRun {
  private readonly recorder: SeriesRecorder;
  private readonly stepMs: number;
  private task: ScheduledTask | undefined;
  private work: Promise<unknown> = Promise.resolve();
  private tickQueued = false;
  private finishing: Promise<Simulation> | undefined;

  private constructor(
    private simulation: Simulation,
    private readonly model: ClusterModel,
    private readonly deps: RunDeps,
  ) {
    this.recorder = new SeriesRecorder(simulation.totalSteps, deps.settings.liveSampleCapacity);
    this.stepMs = 1000 / simulation.updatesPerSecond;
  }

  /** A run of a stored simulation whose config has its seed resolved. */
  static of(simulation: Simulation, deps: RunDeps): SimulationRun {
    const seed = simulation.config.seed;
    if (seed === undefined) throw new Error(`simulation ${simulation.id} has no seed`);
    return new SimulationRun(simulation, createClusterModel(simulation.config, { totalSteps: simulation.totalSteps, seed }), deps);
  }

  get id(): string {
    return this.simulation.id;
  }

  /** The simulation as it stands, with the live step count. */
  get current(): Simulation {
    return { ...this.simulation, stepsCompleted: this.model.stepsTaken };
  }

  get latest(): MetricSample | undefined {
    return this.recorder.latest;
  }

  /** The series so far as it will be stored. */
  series(): MetricSample[] {
    return this.recorder.series();
  }

  /** The latest raw samples, oldest first. */
  recentSamples(): MetricSample[] {
    return this.recorder.recentSamples();
  }

  start(): void {
    this.deps.runs.add(this);
    const interval = this.simulation.realTime ? this.stepMs : BATCH_INTERVAL_MS;
    this.task = this.deps.scheduler.every(interval, () => this.tick());
  }

  /** Advances the run; never rejects (faults go to `reportFault`). */
  tick(): Promise<void> {
    if (this.tickQueued || this.finishing) return Promise.resolve();
    this.tickQueued = true;
    return this.serialize(async () => {
      this.tickQueued = false;
      if (!this.finishing) await this.advance();
    }).catch((error: unknown) => this.deps.reportFault(error, `simulation ${this.id}: tick`));
  }

  /** Stops the run and stores its partial results; once finished, resolves to how it finished. */
  stop(stoppedBy: string, stopReason: string): Promise<Simulation> {
    if (!this.finishing) {
      this.task?.cancel();
      this.finishing = this.serialize(() => this.finish('stopped', { stoppedBy, stopReason }));
    }
    return this.finishing;
  }

  private serialize<T>(job: () => Promise<T>): Promise<T> {
    const result = this.work.then(job);
    this.work = result.catch(() => undefined);
    return result;
  }

  private async advance(): Promise<void> {
    const { totalSteps, realTime, startedAt } = this.simulation;
    const done = this.model.stepsTaken;
    // Multiplied rather than divided by the step length, so 1000/30 ms steps land on whole steps.
    const due = realTime
      ? Math.floor(((this.deps.clock.now() - startedAt) * this.simulation.updatesPerSecond) / 1000)
      : done + this.deps.settings.batchStepsPerTick;
    const target = Math.min(totalSteps, due, done + MAX_CATCH_UP_STEPS);
    const samples: MetricSample[] = [];
    for (let step = done + 1; step <= target; step += 1) {
      const sample = this.model.step(Math.round(startedAt + step * this.stepMs));
      this.recorder.record(sample);
      samples.push(sample);
    }
    if (realTime && samples.length > 0) await this.append(samples);
    if (this.model.stepsTaken >= totalSteps && !this.finishing) {
      this.task?.cancel();
      this.finishing = this.finish('completed');
      await this.finishing;
    }
  }

  /** A stream that cannot take the samples does not stop the run: results keep them all. */
  private async append(samples: readonly MetricSample[]): Promise<void> {
    const stream = Streams.simulation(this.id);
    try {
      for (let i = 0; i < samples.length; i += STREAM_BATCH) {
        const entries = samples.slice(i, i + STREAM_BATCH).map(toStreamFields);
        await this.deps.streams.appendBatch(stream, entries);
      }
    } catch (error) {
      this.deps.reportFault(error, `simulation ${this.id}: append to ${stream}`);
    }
  }

  /**
   * A run that could not store its end leaves the registry all the same (a later stop marks it stopped).
   * Its end is stored with `simulation:events:completed` and the analytics job (outbox, docs/adr/0046).
   */
  private async finish(status: SimulationStatus, stop?: StopDetails): Promise<Simulation> {
    try {
      const series = this.recorder.series();
      const summary = summarizeSeries(series);
      await this.deps.repository.saveResults(this.id, series, summary);
      this.simulation = await this.store(status, summary, stop);
      return this.simulation;
    } finally {
      this.deps.runs.remove(this.id);
      if (this.simulation.realTime) this.deps.finishedStreams.retire(this.id);
    }
  }

  /**
   * Writes the final state with its completion messages; if another writer finished the simulation
   * first, its state stands and that writer recorded the completion.
   */
  private async store(status: SimulationStatus, summary: SimulationSummary, stop?: StopDetails): Promise<Simulation> {
    let stored = this.simulation;
    for (let attempt = 1; ; attempt += 1) {
      const next: Simulation = {
        ...stored,
        status,
        completedAt: this.deps.clock.now(),
        stepsCompleted: this.model.stepsTaken,
        ...(this.recorder.latest ? { finalSample: this.recorder.latest } : {}),
        ...stop,
      };
      const updated = await this.deps.repository.update(next, stored.version, completionMessages(next, summary, this.deps.clock.now()));
      if (updated.ok) return updated.value;
      if (updated.error.kind !== 'conflict' || attempt === UPDATE_ATTEMPTS) throw new DomainFailureError(updated.error);
      const fresh = await this.deps.repository.findById(this.id);
      if (!fresh) throw new Error(`simulation ${this.id} vanished while finishing`);
      if (fresh.status !== 'running') return fresh;
      stored = fresh;
    }
  }
}
