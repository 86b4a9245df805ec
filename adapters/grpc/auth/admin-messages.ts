import type { Announcement, AuditEntry, Profile } from '../../../core/auth/model.js';
import type {
  Announcement as AnnouncementMessage,
  AuditEntry as AuditEntryMessage,
  ListAnnouncementsResponse,
  UserSummary,
} from '../generated/auth.js';

/** The administration rpcs' messages from the domain's values (docs/adr/0054); the gateway renders them as client JSON. */

export const userSummaryOf = (user: Profile): UserSummary => ({
  userId: user.id,
  email: user.email,
  name: user.name,
  roles: [...user.roles],
  isActive: user.isActive,
  createdAt: user.createdAt,
  lastLogin: user.lastLoginAt ?? 0,
});

export const announcementMessageOf = (announcement: Announcement): AnnouncementMessage => ({
  announcementId: announcement.id,
  kind: announcement.kind,
  message: announcement.message,
  startsAt: announcement.startsAt,
  endsAt: announcement.endsAt,
  createdBy: announcement.createdBy,
  createdAt: announcement.createdAt,
});

export const auditEntryMessageOf = (entry: AuditEntry): AuditEntryMessage => ({
  entryId: entry.id,
  at: entry.at,
  actorId: entry.actorId,
  action: entry.action,
  targetUserId: entry.targetUserId ?? '',
  detail: { ...entry.detail },
});

export const listAnnouncementsResponseOf = (announcements: readonly Announcement[]): ListAnnouncementsResponse => ({
  announcements: announcements.map(announcementMessageOf),
});
