import { FormatRegistry } from '@sinclair/typebox';
import { parseDateTime } from './date-time';

export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function isUuidV7(value: string): boolean {
  return UUID_V7.test(value);
}

/** RFC 3339 date-time with a required offset (`Z` or `±hh:mm`) that Date.parse reads as a time. */
export function isDateTime(value: string): boolean {
  return !Number.isNaN(parseDateTime(value));
}

/** TypeBox checks `format` only for formats registered here; both are also standard JSON Schema. */
export function registerFormats(): void {
  if (!FormatRegistry.Has('uuid-v7')) FormatRegistry.Set('uuid-v7', isUuidV7);
  if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isDateTime);
}
