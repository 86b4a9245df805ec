import type { Configuration } from './model.js';

export const TemplateCategories = ['distributed', 'monolithic', 'serverless'] as const;
export type TemplateCategory = (typeof TemplateCategories)[number];

/** A starting point for a project: its configuration is the default a new project begins with. */
export interface ProjectTemplate {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly category: TemplateCategory;
  /** Simulation configuration keys (see core/simulation), values as strings as on the wire. */
  readonly configuration: Configuration;
  /** The parts of the system the template models, for display. */
  readonly components: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

const CatalogueDate = Date.UTC(2026, 10, 28);

/**
 * The built-in catalogue, in listing order. Each template simulates a different shape of system:
 * many small services under a growing load, one big process under a steady load, bursty traffic
 * absorbed by autoscaling, and many tiny functions following a daily cycle.
 */
export const BuiltInTemplates: readonly ProjectTemplate[] = [
  {
    id: 'microservices',
    name: 'Microservices',
    description:
      'Twelve small services with three replicas each on a six-node cluster; load ramps up to eight times its base, and the autoscaler adds replicas as CPU climbs.',
    category: 'distributed',
    components: ['api-gateway', 'auth', 'catalogue', 'orders', 'payments', 'notifications'],
    configuration: {
      nodes: '6',
      node_cpu_cores: '8',
      node_memory_gb: '32',
      services: '12',
      replicas_per_service: '3',
      pod_cpu_millicores: '500',
      pod_memory_mb: '512',
      pod_capacity_rps: '120',
      base_latency_ms: '25',
      load_profile: 'ramp',
      request_rate: '500',
      peak_request_rate: '4000',
      node_failure_rate: '0.002',
      node_recovery_seconds: '90',
      autoscaling: 'true',
      autoscale_target_cpu: '0.7',
      max_replicas_per_service: '10',
    },
    createdAt: CatalogueDate,
    updatedAt: CatalogueDate,
  },
  {
    id: 'monolith',
    name: 'Monolith',
    description:
      'One service in three large pods of eight cores under a constant load, without autoscaling: losing a node leaves two pods to carry everything.',
    category: 'monolithic',
    components: ['load-balancer', 'application', 'database'],
    configuration: {
      nodes: '3',
      node_cpu_cores: '16',
      node_memory_gb: '64',
      services: '1',
      replicas_per_service: '3',
      pod_cpu_millicores: '8000',
      pod_memory_mb: '16384',
      pod_capacity_rps: '800',
      base_latency_ms: '45',
      load_profile: 'constant',
      request_rate: '1500',
      peak_request_rate: '1500',
      node_failure_rate: '0.001',
      node_recovery_seconds: '300',
      autoscaling: 'false',
      autoscale_target_cpu: '0.8',
      max_replicas_per_service: '3',
    },
    createdAt: CatalogueDate,
    updatedAt: CatalogueDate,
  },
  {
    id: 'event-driven',
    name: 'Event-driven',
    description:
      'Eight lightweight consumers behind a message broker; traffic spikes to thirty times its base and the autoscaler, aiming at 60% CPU, scales each consumer up to forty replicas.',
    category: 'distributed',
    components: ['event-broker', 'ingest', 'enrichment', 'projections', 'notifier'],
    configuration: {
      nodes: '12',
      node_cpu_cores: '4',
      node_memory_gb: '16',
      services: '8',
      replicas_per_service: '2',
      pod_cpu_millicores: '250',
      pod_memory_mb: '256',
      pod_capacity_rps: '60',
      base_latency_ms: '12',
      load_profile: 'spike',
      request_rate: '200',
      peak_request_rate: '6000',
      node_failure_rate: '0.003',
      node_recovery_seconds: '45',
      autoscaling: 'true',
      autoscale_target_cpu: '0.6',
      max_replicas_per_service: '40',
    },
    createdAt: CatalogueDate,
    updatedAt: CatalogueDate,
  },
  {
    id: 'serverless-burst',
    name: 'Serverless burst',
    description:
      'Thirty tiny functions starting from one instance each on many small nodes; a daily cycle swings the load sixty-fold, so scaling from almost nothing dominates the latency.',
    category: 'serverless',
    components: ['http-trigger', 'functions', 'object-store', 'queue-trigger'],
    configuration: {
      nodes: '20',
      node_cpu_cores: '2',
      node_memory_gb: '4',
      services: '30',
      replicas_per_service: '1',
      pod_cpu_millicores: '100',
      pod_memory_mb: '128',
      pod_capacity_rps: '25',
      base_latency_ms: '60',
      load_profile: 'diurnal',
      request_rate: '50',
      peak_request_rate: '3000',
      node_failure_rate: '0.005',
      node_recovery_seconds: '30',
      autoscaling: 'true',
      autoscale_target_cpu: '0.5',
      max_replicas_per_service: '50',
    },
    createdAt: CatalogueDate,
    updatedAt: CatalogueDate,
  },
];

export const findTemplate = (templateId: string): ProjectTemplate | undefined =>
  BuiltInTemplates.find((template) => template.id === templateId);
