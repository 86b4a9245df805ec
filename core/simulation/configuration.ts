import { err, ok, type Result } from '../shared/result.js';
import { failure, type DomainFailure, type FieldViolation } from '../shared/errors.js';

export const LOAD_PROFILES = ['constant', 'ramp', 'spike', 'diurnal'] as const;
export type LoadProfile = (typeof LOAD_PROFILES)[number];

/** The cluster a simulation models, typed. Built only by `parseSimulationConfig`. */
export interface SimulationConfig {
  readonly nodes: number;
  readonly nodeCpuCores: number;
  readonly nodeMemoryGb: number;
  readonly services: number;
  readonly replicasPerService: number;
  readonly podCpuMillicores: number;
  readonly podMemoryMb: number;
  readonly podCapacityRps: number;
  readonly baseLatencyMs: number;
  readonly loadProfile: LoadProfile;
  readonly requestRate: number;
  readonly peakRequestRate: number;
  readonly nodeFailureRate: number;
  readonly nodeRecoverySeconds: number;
  readonly autoscaling: boolean;
  readonly autoscaleTargetCpu: number;
  readonly maxReplicasPerService: number;
  /** Absent until a run derives it from the simulation id (`seedFromText`). */
  readonly seed?: number;
}

export type ConfigurationMap = Readonly<Record<string, string>>;

/** The wire keys, in the order the shared contract lists them. */
export const CONFIGURATION_KEYS = [
  'nodes',
  'node_cpu_cores',
  'node_memory_gb',
  'services',
  'replicas_per_service',
  'pod_cpu_millicores',
  'pod_memory_mb',
  'pod_capacity_rps',
  'base_latency_ms',
  'load_profile',
  'request_rate',
  'peak_request_rate',
  'node_failure_rate',
  'node_recovery_seconds',
  'autoscaling',
  'autoscale_target_cpu',
  'max_replicas_per_service',
  'seed',
] as const;
export type ConfigurationKey = (typeof CONFIGURATION_KEYS)[number];

/** Defaults as they travel on the wire (no `seed`: it is derived from the simulation id). */
export const DEFAULT_CONFIGURATION_MAP: Readonly<Record<Exclude<ConfigurationKey, 'seed'>, string>> = {
  nodes: '3',
  node_cpu_cores: '4',
  node_memory_gb: '16',
  services: '5',
  replicas_per_service: '2',
  pod_cpu_millicores: '500',
  pod_memory_mb: '512',
  pod_capacity_rps: '100',
  base_latency_ms: '20',
  load_profile: 'ramp',
  request_rate: '300',
  peak_request_rate: '1500',
  node_failure_rate: '0.002',
  node_recovery_seconds: '60',
  autoscaling: 'true',
  autoscale_target_cpu: '0.7',
  max_replicas_per_service: '10',
};

type NumericKey = Exclude<ConfigurationKey, 'load_profile' | 'autoscaling'>;

interface NumericRule {
  readonly integer: boolean;
  readonly min: number;
  readonly max?: number;
  /** `min` itself is not allowed (a value must be greater than it). */
  readonly exclusiveMin?: boolean;
}

const NUMERIC_RULES: Readonly<Record<NumericKey, NumericRule>> = {
  nodes: { integer: true, min: 1, max: 500 },
  node_cpu_cores: { integer: false, min: 0.5, max: 256 },
  node_memory_gb: { integer: false, min: 0.5, max: 2048 },
  services: { integer: true, min: 1, max: 200 },
  replicas_per_service: { integer: true, min: 1, max: 100 },
  pod_cpu_millicores: { integer: true, min: 10, max: 64_000 },
  pod_memory_mb: { integer: true, min: 16, max: 262_144 },
  pod_capacity_rps: { integer: false, min: 0, exclusiveMin: true },
  base_latency_ms: { integer: false, min: 0, exclusiveMin: true },
  request_rate: { integer: false, min: 0 },
  peak_request_rate: { integer: false, min: 0 },
  node_failure_rate: { integer: false, min: 0, max: 1 },
  node_recovery_seconds: { integer: true, min: 1, max: 86_400 },
  autoscale_target_cpu: { integer: false, min: 0.1, max: 0.95 },
  max_replicas_per_service: { integer: true, min: 1, max: 1_000 },
  seed: { integer: true, min: 0, max: 4_294_967_295 },
};

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const describeRange = (rule: NumericRule): string => {
  const kind = rule.integer ? 'an integer' : 'a number';
  if (rule.exclusiveMin) return `must be ${kind} greater than ${rule.min}`;
  return rule.max === undefined ? `must be ${kind} of at least ${rule.min}` : `must be ${kind} from ${rule.min} to ${rule.max}`;
};

const parseNumber = (raw: string, rule: NumericRule): number | string => {
  const text = raw.trim();
  if (!(rule.integer ? INTEGER : DECIMAL).test(text)) return describeRange(rule);
  const value = Number(text);
  const belowMin = rule.exclusiveMin ? value <= rule.min : value < rule.min;
  if (!Number.isFinite(value) || belowMin || (rule.max !== undefined && value > rule.max)) return describeRange(rule);
  return value;
};

const isKnownKey = (key: string): key is ConfigurationKey => (CONFIGURATION_KEYS as readonly string[]).includes(key);

/**
 * Parses the wire map into a `SimulationConfig`, collecting every violation (`field` is the wire key).
 * Absent keys take their defaults, except that an absent `peak_request_rate` defaults to at least
 * `request_rate` and an absent `max_replicas_per_service` to at least `replicas_per_service`.
 */
export const parseSimulationConfig = (map: ConfigurationMap): Result<SimulationConfig, DomainFailure> => {
  const violations: FieldViolation[] = [];
  const numbers = new Map<NumericKey, number>();
  for (const key of Object.keys(map)) {
    if (!isKnownKey(key)) violations.push({ field: key, message: 'is not a known configuration key' });
  }
  for (const key of Object.keys(NUMERIC_RULES) as NumericKey[]) {
    const raw = map[key] ?? (key === 'seed' ? undefined : DEFAULT_CONFIGURATION_MAP[key]);
    if (raw === undefined) continue;
    const parsed = parseNumber(raw, NUMERIC_RULES[key]);
    if (typeof parsed === 'string') violations.push({ field: key, message: parsed });
    else numbers.set(key, parsed);
  }
  const profile = (map.load_profile ?? DEFAULT_CONFIGURATION_MAP.load_profile).trim();
  if (!(LOAD_PROFILES as readonly string[]).includes(profile)) {
    violations.push({ field: 'load_profile', message: `must be one of ${LOAD_PROFILES.join(', ')}` });
  }
  const autoscaling = (map.autoscaling ?? DEFAULT_CONFIGURATION_MAP.autoscaling).trim().toLowerCase();
  if (autoscaling !== 'true' && autoscaling !== 'false') violations.push({ field: 'autoscaling', message: 'must be true or false' });

  const num = (key: NumericKey): number => numbers.get(key) ?? Number.NaN;
  const requestRate = num('request_rate');
  const peak = map.peak_request_rate === undefined ? Math.max(num('peak_request_rate'), requestRate) : num('peak_request_rate');
  const replicas = num('replicas_per_service');
  const maxReplicas =
    map.max_replicas_per_service === undefined ? Math.max(num('max_replicas_per_service'), replicas) : num('max_replicas_per_service');
  violations.push(...crossFieldViolations(num, peak, maxReplicas));

  if (violations.length > 0) {
    const fields = [...new Set(violations.map((v) => v.field))].join(', ');
    return err(failure('invalid', 'invalid_configuration', `Invalid simulation configuration: ${fields}`, violations));
  }
  const seed = numbers.get('seed');
  return ok({
    nodes: num('nodes'),
    nodeCpuCores: num('node_cpu_cores'),
    nodeMemoryGb: num('node_memory_gb'),
    services: num('services'),
    replicasPerService: replicas,
    podCpuMillicores: num('pod_cpu_millicores'),
    podMemoryMb: num('pod_memory_mb'),
    podCapacityRps: num('pod_capacity_rps'),
    baseLatencyMs: num('base_latency_ms'),
    loadProfile: profile as LoadProfile,
    requestRate,
    peakRequestRate: peak,
    nodeFailureRate: num('node_failure_rate'),
    nodeRecoverySeconds: num('node_recovery_seconds'),
    autoscaling: autoscaling === 'true',
    autoscaleTargetCpu: num('autoscale_target_cpu'),
    maxReplicasPerService: maxReplicas,
    ...(seed === undefined ? {} : { seed }),
  });
};

/** Rules between fields; a comparison with a field that is itself invalid (NaN) never fires. */
const crossFieldViolations = (num: (key: NumericKey) => number, peak: number, maxReplicas: number): FieldViolation[] => {
  const violations: FieldViolation[] = [];
  if (peak < num('request_rate')) violations.push({ field: 'peak_request_rate', message: 'must be at least request_rate' });
  if (maxReplicas < num('replicas_per_service')) {
    violations.push({ field: 'max_replicas_per_service', message: 'must be at least replicas_per_service' });
  }
  if (num('pod_cpu_millicores') > num('node_cpu_cores') * 1000) {
    violations.push({ field: 'pod_cpu_millicores', message: 'is more CPU than one node has (node_cpu_cores)' });
  }
  if (num('pod_memory_mb') > num('node_memory_gb') * 1024) {
    violations.push({ field: 'pod_memory_mb', message: 'is more memory than one node has (node_memory_gb)' });
  }
  return violations;
};

/** Every violation of `map` (empty when it is valid); `field` is the wire key. */
export const validateSimulationConfig = (map: ConfigurationMap): readonly FieldViolation[] => {
  const parsed = parseSimulationConfig(map);
  return parsed.ok ? [] : (parsed.error.violations ?? []);
};

/** The defaults, typed (no seed). */
export const DEFAULT_SIMULATION_CONFIG: SimulationConfig = (() => {
  const parsed = parseSimulationConfig({});
  if (!parsed.ok) throw new Error('the default simulation configuration is invalid');
  return parsed.value;
})();

/** The configuration back as its wire map (every key, seed included when set). */
export const configurationToMap = (config: SimulationConfig): Record<string, string> => ({
  nodes: String(config.nodes),
  node_cpu_cores: String(config.nodeCpuCores),
  node_memory_gb: String(config.nodeMemoryGb),
  services: String(config.services),
  replicas_per_service: String(config.replicasPerService),
  pod_cpu_millicores: String(config.podCpuMillicores),
  pod_memory_mb: String(config.podMemoryMb),
  pod_capacity_rps: String(config.podCapacityRps),
  base_latency_ms: String(config.baseLatencyMs),
  load_profile: config.loadProfile,
  request_rate: String(config.requestRate),
  peak_request_rate: String(config.peakRequestRate),
  node_failure_rate: String(config.nodeFailureRate),
  node_recovery_seconds: String(config.nodeRecoverySeconds),
  autoscaling: String(config.autoscaling),
  autoscale_target_cpu: String(config.autoscaleTargetCpu),
  max_replicas_per_service: String(config.maxReplicasPerService),
  ...(config.seed === undefined ? {} : { seed: String(config.seed) }),
});
