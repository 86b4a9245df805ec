/**
 * Topics a client subscribes to. Delivery picks clients by topic, so the gRPC BroadcastMessage,
 * the event router and the stream readers share one notion of "who receives this".
 */
export const Topics = {
  /** Messages for one user: routed messages, notifications, auth events about them. */
  userInbox: (userId: string) => `user:${userId}`,
  /** The pub/sub events feed of `/events` sockets (filtered per user by access). */
  events: 'events',
  /** Live data of one simulation (`/simulation/stream` watchers). */
  simulation: (simulationId: string) => `simulation:${simulationId}`,
} as const;

const SIMULATION_PREFIX = 'simulation:';

/** The simulation a topic is about, or undefined. */
export const simulationOfTopic = (topic: string): string | undefined =>
  topic.startsWith(SIMULATION_PREFIX) ? topic.slice(SIMULATION_PREFIX.length) : undefined;
