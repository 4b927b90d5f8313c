import type { StoredEvent } from '@eventline/schemas';
import type { BadRow } from '../core/bad-row';

/**
 * `events/app_id=<app_id>/event_date=YYYY-MM-DD/hour=HH/`, from `received_at` in UTC.
 * Server time, not the client's clock: client clocks are wrong or faked, and a replay of the
 * same record must land in the same folder.
 */
export function eventPrefix(event: Pick<StoredEvent, 'app_id' | 'received_at'>): string {
  const at = new Date(event.received_at);
  return `events/app_id=${event.app_id}/event_date=${utcDate(at)}/hour=${pad(at.getUTCHours())}/`;
}

/**
 * `bad_rows/error_type=<type>/event_date=YYYY-MM-DD/`, from the Kinesis arrival time when
 * known (stable across replays), else from the failure time.
 */
export function badRowPrefix(row: Pick<BadRow, 'error_type' | 'arrived_at' | 'failed_at'>): string {
  const at = new Date(row.arrived_at ?? row.failed_at);
  return `bad_rows/error_type=${row.error_type}/event_date=${utcDate(at)}/`;
}

function utcDate(at: Date): string {
  if (Number.isNaN(at.getTime())) throw new RangeError('cannot partition by an invalid date');
  return `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
