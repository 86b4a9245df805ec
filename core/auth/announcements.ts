import { err, ok, type Result } from '../shared/result.js';
import type { DomainFailure, FieldViolation } from '../shared/errors.js';
import type { AnnouncementEvent } from '../messaging/announcements.js';
import { EventChannels } from '../messaging/channels.js';
import { outboxEvent } from '../messaging/outbox.js';
import type { AuthDeps } from './deps.js';
import { AuthFailures } from './errors.js';
import { isAnnouncementKind, type Announcement } from './model.js';
import { auditEntry, authorizeAdmin } from './audit.js';
import { textOf } from './validation.js';

export const AnnouncementLimits = {
  messageMax: 1_000,
  /** How long an info announcement without an end stays current. */
  infoDefaultMs: 24 * 60 * 60 * 1000,
  /** The farthest ahead an announcement may end. */
  horizonMs: 366 * 24 * 60 * 60 * 1000,
  /** How many current announcements a listing returns at most. */
  listMax: 50,
} as const;

export interface PublishAnnouncementInput {
  readonly actorId: string;
  /** `info` or `maintenance`. */
  readonly kind: string;
  readonly message: string;
  /** Epoch ms; a maintenance window's start (absent or 0: now). */
  readonly startsAt?: number;
  /** Epoch ms; a maintenance window's end (required), or when an info announcement stops being current (default a day). */
  readonly endsAt?: number;
}

export type PublishAnnouncementDeps = Pick<AuthDeps, 'users' | 'announcements' | 'clock' | 'ids'>;

/**
 * Publishes a system-wide announcement, for an administrator holding `admin:announcements`
 * (docs/adr/0056): stored with its audit entry and, in the same transaction (outbox, docs/adr/0038),
 * its event on `system:announcements`, which every gateway delivers to every `/events` socket and
 * the simulation service reads (a maintenance window turns new runs away until it ends).
 */
export const publishAnnouncement = async (
  deps: PublishAnnouncementDeps,
  input: PublishAnnouncementInput,
): Promise<Result<Announcement, DomainFailure>> => {
  const actor = await authorizeAdmin(deps, input.actorId, 'admin:announcements');
  if (!actor.ok) return actor;
  const now = deps.clock.now();
  const checked = checkAnnouncement(input, now);
  if (!checked.ok) return checked;

  const announcement: Announcement = { id: deps.ids.next(), ...checked.value, createdBy: actor.value.id, createdAt: now };
  const audit = auditEntry(deps, now, actor.value.id, 'publish_announcement', null, {
    actor_email: actor.value.email,
    announcement_id: announcement.id,
    kind: announcement.kind,
    message: announcement.message,
    starts_at: String(announcement.startsAt),
    ends_at: String(announcement.endsAt),
  });
  await deps.announcements.create(announcement, audit, [outboxEvent(EventChannels.systemAnnouncements, announcementEvent(announcement))]);
  return ok(announcement);
};

/** The announcements not over yet (maintenance windows to come included), newest first: for clients arriving late and services starting. */
export const listCurrentAnnouncements = async (deps: Pick<AuthDeps, 'announcements' | 'clock'>): Promise<Announcement[]> =>
  deps.announcements.listCurrent(deps.clock.now(), AnnouncementLimits.listMax);

export const announcementEvent = (announcement: Announcement): AnnouncementEvent => ({
  type: 'announcement',
  announcement_id: announcement.id,
  kind: announcement.kind,
  message: announcement.message,
  starts_at: announcement.startsAt,
  ends_at: announcement.endsAt,
  timestamp: announcement.createdAt,
});

const checkAnnouncement = (
  input: PublishAnnouncementInput,
  now: number,
): Result<Pick<Announcement, 'kind' | 'message' | 'startsAt' | 'endsAt'>, DomainFailure> => {
  const violations: FieldViolation[] = [];
  const kind = isAnnouncementKind(input.kind) ? input.kind : undefined;
  if (!kind) violations.push({ field: 'kind', message: 'must be info or maintenance' });
  const message = textOf(input.message)?.trim() ?? '';
  if (message === '') violations.push({ field: 'message', message: 'is required' });
  if ([...message].length > AnnouncementLimits.messageMax) {
    violations.push({ field: 'message', message: `must be at most ${AnnouncementLimits.messageMax} characters` });
  }
  const startsAt = input.startsAt ? input.startsAt : now;
  const endsAt = input.endsAt ? input.endsAt : kind === 'info' ? startsAt + AnnouncementLimits.infoDefaultMs : undefined;
  if (endsAt === undefined) {
    if (kind) violations.push({ field: 'ends_at', message: 'is required for a maintenance window' });
  } else if (endsAt <= Math.max(now, startsAt)) violations.push({ field: 'ends_at', message: 'must be after starts_at and in the future' });
  else if (endsAt > now + AnnouncementLimits.horizonMs) violations.push({ field: 'ends_at', message: 'must be within a year' });
  if (violations.length > 0 || !kind || endsAt === undefined) return err(AuthFailures.invalidInput(violations));
  return ok({ kind, message, startsAt, endsAt });
};
