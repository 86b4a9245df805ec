import type { DomainEvent } from '../messaging/events.js';

/** Who on this instance receives a pub/sub event. */
export type Audience =
  /** Every `/events` socket. */
  | { readonly kind: 'everyone' }
  /** The `/events` sockets of these users, and of every user who may read `readersOf` (a project id). */
  | { readonly kind: 'users'; readonly users: readonly string[]; readonly readersOf?: string }
  /** One user's inbox (a `notifications:user:{id}` channel). */
  | { readonly kind: 'inbox'; readonly userId: string }
  /** The watchers of one simulation (a `simulation:data:{id}` channel). */
  | { readonly kind: 'watchers'; readonly simulationId: string }
  | { readonly kind: 'nobody' };

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

const suffixOf = (channel: string, prefix: string): string | undefined =>
  channel.startsWith(prefix) ? text(channel.slice(prefix.length)) : undefined;

/**
 * The audience of an event on one of the channels the gateway subscribes to (docs/specification.md#subscriptions:
 * `auth:events:*`, `project:events:*`, `simulation:events:*`, `simulation:data:*`,
 * `notifications:user:*`, `system:*`): auth events concern their user; project and simulation
 * events concern their actor (and a share's target) and whoever may read the project.
 */
export const audienceOf = (channel: string, event: DomainEvent): Audience => {
  if (channel.startsWith('system:')) return { kind: 'everyone' };
  const inbox = suffixOf(channel, 'notifications:user:');
  if (inbox) return { kind: 'inbox', userId: inbox };
  const simulationId = suffixOf(channel, 'simulation:data:');
  if (simulationId) return { kind: 'watchers', simulationId };

  const actor = text(event['user_id']);
  if (channel.startsWith('auth:events:')) return actor ? { kind: 'users', users: [actor] } : { kind: 'nobody' };
  if (channel.startsWith('project:events:') || channel.startsWith('simulation:events:')) {
    const users = [actor, text(event['target_user_id'])].filter((user): user is string => user !== undefined);
    const projectId = text(event['project_id']);
    if (users.length === 0 && !projectId) return { kind: 'nobody' };
    return projectId ? { kind: 'users', users, readersOf: projectId } : { kind: 'users', users };
  }
  return { kind: 'nobody' };
};
