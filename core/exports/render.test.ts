import { describe, expect, it } from 'vitest';
import type { MetricSample } from '../simulation/model/metric-sample.js';
import type { SimulationResultsData } from './ports.js';
import { renderSimulationResults } from './render.js';

const sample = (step: number): MetricSample => ({
  timestamp: 1_700_000_000_000 + step * 1_000,
  nodes_active: 3,
  nodes_failed: 0,
  pods_running: 9,
  services_healthy: 3,
  cpu_total: 4.25,
  memory_total: 12.5,
  network_in: 1024,
  network_out: 2048,
  requests_per_sec: 300 + step,
  avg_latency: 21.75,
  error_rate: 0.001,
  simulation_step: step,
});

const results = (samples: MetricSample[]): SimulationResultsData => ({
  simulationId: 'sim/1',
  projectId: 'project-1',
  status: 'completed',
  startedAt: 1_700_000_000_000,
  completedAt: 1_700_000_002_000,
  durationSeconds: 2,
  summary: { peak_cpu_total: 4.25 },
  samples,
});

describe('renderSimulationResults', () => {
  it('writes a CSV header of timestamp and the 12 metrics, then one row per sample, oldest first', () => {
    const file = renderSimulationResults(results([sample(1), sample(2)]), 'csv');
    const lines = file.content.split('\r\n');

    expect(lines[0]).toBe(
      'timestamp,nodes_active,nodes_failed,pods_running,services_healthy,cpu_total,memory_total,network_in,network_out,requests_per_sec,avg_latency,error_rate,simulation_step',
    );
    expect(lines[1]).toBe('1700000001000,3,0,9,3,4.25,12.5,1024,2048,301,21.75,0.001,1');
    expect(lines[2]?.split(',')[12]).toBe('2');
    expect(lines.slice(3)).toEqual(['']);
    expect(file.contentType).toMatch(/^text\/csv/);
  });

  it('writes a header row alone for a simulation without samples', () => {
    expect(renderSimulationResults(results([]), 'csv').content.split('\r\n')).toHaveLength(2);
  });

  it('writes JSON with the summary and the samples, snake_case', () => {
    const file = renderSimulationResults(results([sample(1)]), 'json');

    expect(JSON.parse(file.content)).toMatchObject({
      simulation_id: 'sim/1',
      completed_at: 1_700_000_002_000,
      summary: { peak_cpu_total: 4.25 },
      samples: [{ simulation_step: 1, cpu_total: 4.25 }],
    });
    expect(file.contentType).toMatch(/^application\/json/);
  });

  it('names the file after the simulation with only header-safe characters', () => {
    expect(renderSimulationResults(results([]), 'csv').fileName).toBe('simulation-sim_1-results.csv');
  });
});
