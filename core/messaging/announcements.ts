import type { DomainEvent } from './events.js';

/**
 * The event on `system:announcements` (EventChannels.systemAnnouncements), snake_case as on the
 * wire: published by auth when an administrator announces something, delivered by every gateway to
 * every `/events` socket, and read by the simulation service, which refuses new runs inside a
 * maintenance window (docs/adr/0056). Times are epoch ms.
 */
export interface AnnouncementEvent extends DomainEvent {
  readonly type: 'announcement';
  readonly announcement_id: string;
  readonly kind: 'info' | 'maintenance';
  readonly message: string;
  readonly starts_at: number;
  readonly ends_at: number;
}

/** A maintenance window as the services act on it. */
export interface MaintenanceWindow {
  readonly id: string;
  readonly message: string;
  readonly startsAt: number;
  readonly endsAt: number;
}

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** The maintenance window an event announces; undefined for any other event (an info announcement, a malformed one). */
export const maintenanceWindowOf = (event: DomainEvent): MaintenanceWindow | undefined => {
  const { type, kind, announcement_id: id, message, starts_at: startsAt, ends_at: endsAt } = event;
  if (type !== 'announcement' || kind !== 'maintenance' || typeof id !== 'string' || id === '') return undefined;
  if (!isTime(startsAt) || !isTime(endsAt) || endsAt <= startsAt) return undefined;
  return { id, message: typeof message === 'string' ? message : '', startsAt, endsAt };
};
