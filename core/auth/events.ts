import type { DomainEvent } from '../messaging/events.js';
import type { GrantRole, Role } from './model.js';

/** Payloads of the auth event channels (EventChannels.auth*), snake_case as on the wire. */

export interface LoginEvent extends DomainEvent {
  readonly type: 'login';
  readonly user_id: string;
  readonly session_id: string;
}

export interface LogoutEvent extends DomainEvent {
  readonly type: 'logout';
  readonly user_id: string;
  readonly session_id: string;
}

/**
 * Every session of a user ended at once (their account was deactivated, docs/adr/0054): no
 * `session_id`, so gateways forget every cached session of `user_id` and close all its sockets.
 */
export interface DeactivationEvent extends DomainEvent {
  readonly type: 'logout';
  readonly user_id: string;
  readonly reason: 'deactivated';
}

export const deactivationEvent = (userId: string, at: number): DeactivationEvent => ({
  type: 'logout',
  user_id: userId,
  reason: 'deactivated',
  timestamp: at,
});

/** A user's roles changed, or (with `resource_id`) their grant on one resource; `resource_role` null = revoked. */
export interface PermissionChangedEvent extends DomainEvent {
  readonly type: 'permission_changed';
  readonly user_id: string;
  readonly roles: readonly Role[];
  readonly resource_id?: string;
  readonly resource_role?: GrantRole | null;
}

export const loginEvent = (userId: string, sessionId: string, at: number): LoginEvent => ({
  type: 'login',
  user_id: userId,
  session_id: sessionId,
  timestamp: at,
});

export const logoutEvent = (userId: string, sessionId: string, at: number): LogoutEvent => ({
  type: 'logout',
  user_id: userId,
  session_id: sessionId,
  timestamp: at,
});

export const permissionChangedEvent = (
  userId: string,
  roles: readonly Role[],
  at: number,
  resource?: { readonly resourceId: string; readonly role: GrantRole | null },
): PermissionChangedEvent => ({
  type: 'permission_changed',
  user_id: userId,
  roles: [...roles],
  ...(resource ? { resource_id: resource.resourceId, resource_role: resource.role } : {}),
  timestamp: at,
});
