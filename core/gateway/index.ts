export * from './model.js';
export type * from './ports.js';
export * from './topics.js';
export * from './errors.js';
export * from './messages.js';
export { ClientRegistry, type ClientRegistration, type RegisteredClient, type RegistryListener } from './client-registry.js';
export * from './connected-clients.js';
export { deliver, type DeliveryReport } from './delivery.js';
export * from './gateway-inputs.js';
export * from './gateway-service.js';
export { broadcastLocally, routeLocally, unregisterLocally } from './local-delivery.js';
export { DirectorySync, type DirectorySyncOptions } from './directory-sync.js';
export { StreamFanOut, type StreamFanOutDeps, type StreamFanOutOptions, type StreamTap } from './stream-fan-out.js';
export { SimulationFeeds } from './simulation-feeds.js';
export { NotificationFeeds } from './notification-feeds.js';
export { ReadAccessCache, type ReadAccessCacheOptions } from './read-access-cache.js';
export { audienceOf, type Audience } from './event-audience.js';
export { createEventRouter, type EventRouter, type EventRouterDeps } from './event-router.js';
export { LiveSessions, type LiveSessionInput, type LiveSessionsDeps } from './live-sessions.js';
export { RateLimiter, type RateDecision, type RateLimit } from './rate-limiter.js';
export { deliverNotifyJob, GATEWAY_EVENT_PATTERNS, NOTIFY_JOB, type NotifyOutcome } from './notification-jobs.js';
export type * from './collaboration-ports.js';
export {
  CollaborationSessions,
  collaborationTopic,
  isCollaborationProjectId,
  type CollaborationOpenInput,
  type CollaborationSessionsDeps,
  type CollaborationSocket,
} from './collaboration-sessions.js';
