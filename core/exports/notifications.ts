import type { StreamFields } from '../messaging/streams.js';
import type { NewJob } from '../messaging/work-queue.js';
import type { ExportRecord } from './model.js';

/** Job type on `async:notifications:queue`: deliver `notification` to the user's live connections. */
export const NotifyJobType = 'notify';

/**
 * What the user is told when an export finishes: `export_ready`, or `export_failed` with the
 * reason. The same fields go to `notifications:stream:{user_id}` (as strings, as stream fields are)
 * and, as JSON, into the `notify` job.
 */
export const exportNotification = (record: ExportRecord, at: number): Record<string, string | number> => ({
  type: record.status === 'ready' ? 'export_ready' : 'export_failed',
  export_id: record.id,
  kind: record.kind,
  format: record.format,
  ...(record.failure ? { reason: record.failure.message } : {}),
  timestamp: at,
});

export const notificationFields = (notification: Record<string, string | number>): StreamFields =>
  Object.fromEntries(Object.entries(notification).map(([key, value]) => [key, String(value)]));

export const notifyJob = (userId: string, notification: Record<string, string | number>): NewJob => ({
  type: NotifyJobType,
  payload: { user_id: userId, notification },
});
