import { describe, expect, it } from 'vitest';
import { failure } from '../../../core/shared/errors.js';
import { err, ok } from '../../../core/shared/result.js';
import { jsonAnswer, toClientJson } from './client-json.js';

describe('toClientJson', () => {
  it('turns camelCase keys to snake_case, deeply, through arrays', () => {
    expect(toClientJson({ projectId: 'p', nextPageToken: '', projects: [{ ownerId: 'u', isPublic: true, createdAt: 1 }] })).toEqual({
      project_id: 'p',
      next_page_token: '',
      projects: [{ owner_id: 'u', is_public: true, created_at: 1 }],
    });
  });

  it('keeps the keys of map fields as the user gave them', () => {
    expect(toClientJson({ configuration: { maxReplicas: '3' }, currentMetrics: { cpuTotal: 1 }, finalMetrics: { cpuTotal: 2 } })).toEqual({
      configuration: { maxReplicas: '3' },
      current_metrics: { cpuTotal: 1 },
      final_metrics: { cpu_total: 2 },
    });
  });

  it('leaves out unset optional fields', () => {
    expect(toClientJson({ project: undefined, name: 'x' })).toEqual({ name: 'x' });
  });
});

describe('jsonAnswer', () => {
  it('maps a response and passes a failure through', () => {
    const unavailable = failure('unavailable', 'down', 'project is down');
    expect(jsonAnswer(ok({ simulationId: 's' }))).toEqual(ok({ simulation_id: 's' }));
    expect(jsonAnswer(err(unavailable))).toEqual(err(unavailable));
  });
});
