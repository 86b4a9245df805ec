import { describe, expect, it } from 'vitest';
import { maintenanceWindowOf } from '../messaging/announcements.js';
import { MaintenanceWindows, maintenanceRefusal } from './maintenance.js';

const window = (id: string, startsAt: number, endsAt: number) => ({ id, message: `window ${id}`, startsAt, endsAt });

describe('maintenance windows', () => {
  it('covers the time from its start to its end, and forgets it once over', () => {
    const windows = new MaintenanceWindows();
    windows.record(window('w1', 100, 200));

    expect([99, 100, 199, 200].map((now) => windows.current(now)?.id)).toEqual([undefined, 'w1', 'w1', undefined]);
    expect(windows.upcoming(0)).toEqual([]);
  });

  it('answers the covering window that ends last when windows overlap', () => {
    const windows = new MaintenanceWindows();
    windows.record(window('short', 100, 150));
    windows.record(window('long', 120, 300));

    expect(windows.current(130)?.id).toBe('long');
    expect(windows.upcoming(0).map((known) => known.id)).toEqual(['short', 'long']);
  });

  it('refuses with 503 maintenance_window and a Retry-After until the window ends', () => {
    const refusal = maintenanceRefusal(window('w', 0, Date.UTC(2026, 0, 1, 23)), Date.UTC(2026, 0, 1, 22));

    expect(refusal).toMatchObject({ kind: 'unavailable', code: 'maintenance_window', retryAfterMs: 3_600_000 });
    expect(refusal.message).toContain('until 2026-01-01T23:00:00.000Z: window w');
  });

  it('reads a maintenance announcement, and nothing from other events', () => {
    const base = {
      type: 'announcement',
      announcement_id: 'a1',
      kind: 'maintenance',
      message: 'Upgrade',
      starts_at: 1,
      ends_at: 2,
      timestamp: 0,
    };

    expect(maintenanceWindowOf(base)).toEqual({ id: 'a1', message: 'Upgrade', startsAt: 1, endsAt: 2 });
    expect(maintenanceWindowOf({ ...base, kind: 'info' })).toBeUndefined();
    expect(maintenanceWindowOf({ ...base, ends_at: 1 })).toBeUndefined();
    expect(maintenanceWindowOf({ ...base, starts_at: '1' })).toBeUndefined();
    expect(maintenanceWindowOf({ type: 'login', timestamp: 0 })).toBeUndefined();
  });
});
