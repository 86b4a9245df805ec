import { describe, expect, it } from 'vitest';
import { validateSimulationConfig } from '../simulation/configuration.js';
import { BuiltInTemplates, findTemplate } from './templates.js';
import { checkConfiguration } from './validation.js';

const configurationOf = (templateId: string): Readonly<Record<string, string>> => {
  const template = findTemplate(templateId);
  if (!template) throw new Error(`no template ${templateId}`);
  return template.configuration;
};

describe('built-in templates', () => {
  it('include microservices, monolith and event-driven, each id once', () => {
    const ids = BuiltInTemplates.map((template) => template.id);

    expect(ids).toEqual(expect.arrayContaining(['microservices', 'monolith', 'event-driven']));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(BuiltInTemplates.map((template) => [template.id, template] as const))(
    '%s has a configuration the simulation accepts',
    (_id, template) => {
      expect(validateSimulationConfig(template.configuration)).toEqual([]);
      expect(checkConfiguration('configuration', template.configuration)).toEqual([]);
    },
  );

  it('model many replicated services under a ramp for microservices', () => {
    expect(configurationOf('microservices')).toMatchObject({ load_profile: 'ramp', autoscaling: 'true' });
    expect(Number(configurationOf('microservices').services)).toBeGreaterThanOrEqual(10);
  });

  it('model one service in a few large pods under a constant load for a monolith', () => {
    const monolith = configurationOf('monolith');

    expect(monolith).toMatchObject({ services: '1', load_profile: 'constant', autoscaling: 'false' });
    expect(Number(monolith.replicas_per_service)).toBeLessThanOrEqual(3);
    expect(Number(monolith.pod_cpu_millicores)).toBeGreaterThanOrEqual(4000);
  });

  it('model spiky load absorbed by autoscaling for event-driven', () => {
    const eventDriven = configurationOf('event-driven');

    expect(eventDriven).toMatchObject({ load_profile: 'spike', autoscaling: 'true' });
    expect(Number(eventDriven.peak_request_rate) / Number(eventDriven.request_rate)).toBeGreaterThanOrEqual(10);
  });

  it('differ from one another in configuration', () => {
    const fingerprints = BuiltInTemplates.map((template) => JSON.stringify(template.configuration));

    expect(new Set(fingerprints).size).toBe(BuiltInTemplates.length);
  });
});
