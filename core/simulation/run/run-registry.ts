import type { SimulationRun } from './simulation-run.js';

/** The runs active in this process, by simulation id. */
export class RunRegistry {
  private readonly runs = new Map<string, SimulationRun>();

  add(run: SimulationRun): void {
    this.runs.set(run.id, run);
  }

  get(id: string): SimulationRun | undefined {
    return this.runs.get(id);
  }

  remove(id: string): void {
    this.runs.delete(id);
  }

  all(): SimulationRun[] {
    return [...this.runs.values()];
  }
}
