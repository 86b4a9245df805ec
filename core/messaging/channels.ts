/** Channel, stream and queue names exactly as the specification gives them (docs/specification.md#layer-3-redis-pubsub-and-streams). */

export const EventChannels = {
  authLogin: 'auth:events:login',
  authLogout: 'auth:events:logout',
  authPermissionChanged: 'auth:events:permission_changed',
  projectCreated: 'project:events:created',
  projectShared: 'project:events:shared',
  projectUpdated: 'project:events:updated',
  simulationStarted: 'simulation:events:started',
  simulationCompleted: 'simulation:events:completed',
  systemAnnouncements: 'system:announcements',
} as const;

export const Streams = {
  simulation: (simulationId: string) => `simulation:stream:${simulationId}`,
  collaboration: (projectId: string) => `collaboration:stream:${projectId}`,
  notifications: (userId: string) => `notifications:stream:${userId}`,
  monitoringMetrics: 'monitoring:stream:metrics',
  analyticsEvents: 'analytics:stream:events',
  systemHealth: 'system:stream:health',
} as const;

export const Queues = {
  email: 'async:email:queue',
  reports: 'async:reports:queue',
  exports: 'async:exports:queue',
  cleanup: 'async:cleanup:queue',
  analytics: 'async:analytics:queue',
  notifications: 'async:notifications:queue',
} as const;
