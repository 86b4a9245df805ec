import { InstanceStatuses, type InstanceStatus, type ServiceInstance } from '../../core/discovery/instance.js';
import { err, ok, type Result } from '../../core/shared/result.js';

/**
 * The specification (docs/specification.md#the-mesh-client) names services in registry keys `auth-service`, `project-service`, ...;
 * our code says `auth`, `project`. This table is the one place the two meet (ADR 0011). Other
 * names (tests, future services) are used as they are.
 */
const registryNames: Readonly<Record<string, string>> = {
  'api-gateway': 'api-gateway',
  auth: 'auth-service',
  project: 'project-service',
  simulation: 'simulation-service',
};
const serviceNames: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(registryNames).map(([service, registryName]) => [registryName, service]),
);

export const registryNameOf = (service: string): string => registryNames[service] ?? service;
export const serviceNameOf = (registryName: string): string => serviceNames[registryName] ?? registryName;

export const RegistryKeyPrefix = 'services:';
/** Pub/Sub channel announcing registrations, status changes and deregistrations. */
export const RegistryChangesChannel = 'services:changes';

/** `services:{registry name}:{instance id}`. */
export const registryKey = (service: string, instanceId: string): string => {
  const name = registryNameOf(service);
  if (name.includes(':') || name.length === 0) throw new RangeError(`a service name must be non-empty without ':', got '${service}'`);
  return `${RegistryKeyPrefix}${name}:${instanceId}`;
};

/** SCAN pattern for the keys of one service, or of all. */
export const registryKeyPattern = (service?: string): string =>
  service === undefined ? `${RegistryKeyPrefix}*` : `${RegistryKeyPrefix}${escapeGlob(registryNameOf(service))}:*`;

/** Service and instance id of a registry key; undefined for any other key. */
export const parseRegistryKey = (key: string): { readonly service: string; readonly instanceId: string } | undefined => {
  if (!key.startsWith(RegistryKeyPrefix)) return undefined;
  const rest = key.slice(RegistryKeyPrefix.length);
  const colon = rest.indexOf(':');
  if (colon <= 0 || colon === rest.length - 1) return undefined;
  return { service: serviceNameOf(rest.slice(0, colon)), instanceId: rest.slice(colon + 1) };
};

/** The value stored under a registry key: the specification's fields (docs/specification.md#the-mesh-client), snake_case, epoch ms. */
export interface RegistryRecordJson {
  readonly host: string;
  readonly grpc_port: number;
  readonly http_port: number;
  readonly status: InstanceStatus;
  readonly started_at: number;
  readonly last_heartbeat: number;
  /** Why the status is not healthy, and who said so when not the instance (docs/adr/0057). */
  readonly status_reason?: string;
  readonly status_reported_by?: string;
  readonly version?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export const encodeRecord = (instance: ServiceInstance): string => {
  const json: RegistryRecordJson = {
    host: instance.host,
    grpc_port: instance.grpcPort,
    http_port: instance.httpPort,
    status: instance.status,
    started_at: instance.startedAt,
    last_heartbeat: instance.lastHeartbeat,
    ...(instance.statusReason === undefined ? {} : { status_reason: instance.statusReason }),
    ...(instance.statusReportedBy === undefined ? {} : { status_reported_by: instance.statusReportedBy }),
    ...(instance.version === undefined ? {} : { version: instance.version }),
    ...(instance.metadata === undefined ? {} : { metadata: instance.metadata }),
  };
  return JSON.stringify(json);
};

export const decodeRecord = (key: string, text: string): Result<ServiceInstance, string> => {
  const id = parseRegistryKey(key);
  if (!id) return err(`'${key}' is not a registry key`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return err(`the record under ${key} is not JSON`);
  }
  if (typeof value !== 'object' || value === null) return err(`the record under ${key} is not an object`);
  const v = value as Record<string, unknown>;
  const numbers = ['grpc_port', 'http_port', 'started_at', 'last_heartbeat'] as const;
  const bad: string[] = numbers.filter((field) => typeof v[field] !== 'number' || !Number.isFinite(v[field]));
  if (typeof v.host !== 'string' || v.host === '') bad.push('host');
  if (!InstanceStatuses.includes(v.status as InstanceStatus)) bad.push('status');
  if (v.version !== undefined && typeof v.version !== 'string') bad.push('version');
  if (v.status_reason !== undefined && typeof v.status_reason !== 'string') bad.push('status_reason');
  if (v.status_reported_by !== undefined && typeof v.status_reported_by !== 'string') bad.push('status_reported_by');
  if (v.metadata !== undefined && !isStringRecord(v.metadata)) bad.push('metadata');
  if (bad.length > 0) return err(`the record under ${key} has invalid ${bad.join(', ')}`);
  const json = v as unknown as RegistryRecordJson;
  return ok({
    service: id.service,
    instanceId: id.instanceId,
    host: json.host,
    grpcPort: json.grpc_port,
    httpPort: json.http_port,
    status: json.status,
    startedAt: json.started_at,
    lastHeartbeat: json.last_heartbeat,
    ...(json.status_reason === undefined ? {} : { statusReason: json.status_reason }),
    ...(json.status_reported_by === undefined ? {} : { statusReportedBy: json.status_reported_by }),
    ...(json.version === undefined ? {} : { version: json.version }),
    ...(json.metadata === undefined ? {} : { metadata: json.metadata }),
  });
};

/** A message on `services:changes`: the record as written, or `null` when deregistered. */
export interface RegistryChangeMessage {
  readonly key: string;
  readonly record: RegistryRecordJson | null;
  readonly changed_at: number;
}

export const encodeChange = (key: string, instance: ServiceInstance | null, changedAt: number): string =>
  `{"key":${JSON.stringify(key)},"record":${instance ? encodeRecord(instance) : 'null'},"changed_at":${changedAt}}`;

export type DecodedChange =
  | { readonly kind: 'written'; readonly instance: ServiceInstance; readonly changedAt: number }
  | { readonly kind: 'deregistered'; readonly service: string; readonly instanceId: string; readonly changedAt: number };

export const decodeChange = (text: string): Result<DecodedChange, string> => {
  let message: RegistryChangeMessage;
  try {
    message = JSON.parse(text) as RegistryChangeMessage;
  } catch {
    return err('a registry change message is not JSON');
  }
  if (typeof message?.key !== 'string' || typeof message.changed_at !== 'number')
    return err('a registry change message lacks key or changed_at');
  const id = parseRegistryKey(message.key);
  if (!id) return err(`a registry change names '${message.key}', not a registry key`);
  if (message.record === null) return ok({ kind: 'deregistered', ...id, changedAt: message.changed_at });
  const decoded = decodeRecord(message.key, JSON.stringify(message.record));
  return decoded.ok ? ok({ kind: 'written', instance: decoded.value, changedAt: message.changed_at }) : decoded;
};

const isStringRecord = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');

const escapeGlob = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');
