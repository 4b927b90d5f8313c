// The v1 client event written in two other validation libraries, only to compare them with
// TypeBox in the same run (bench/validators.bench.ts). Not used by the pipeline.
import * as v from 'valibot';
import { z } from 'zod';

const TYPES = ['track', 'identify', 'page', 'screen', 'alias', 'group'] as const;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export const zodEvent = z.strictObject({
  schema_version: z.literal(1).optional(),
  event_id: z.string().regex(UUID_V7),
  type: z.enum(TYPES),
  event: z.string().min(1).max(255).optional(),
  properties: z
    .looseObject({
      af_revenue: z.number().optional(),
      af_price: z.number().optional(),
      af_currency: z.string().regex(/^[A-Z]{3}$/).optional(),
      af_quantity: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
      af_content_id: z.string().max(256).optional(),
    })
    .optional(),
  user_id: z.string().min(1).max(256).nullable().optional(),
  anonymous_id: z.string().min(1).max(256),
  session_id: z.string().min(1).max(256).optional(),
  seq: z.number().int().min(0),
  client_ts: z.iso.datetime({ offset: true }),
  sent_at: z.iso.datetime({ offset: true }).optional(),
  context: z.looseObject({
    library: z.strictObject({ name: z.string().max(64), version: z.string().max(64) }),
    locale: z.string().max(35).optional(),
    timezone: z.string().max(64).optional(),
    user_agent: z.string().max(1024).optional(),
  }),
});

const opt = v.optional;
export const valibotEvent = v.strictObject({
  schema_version: opt(v.literal(1)),
  event_id: v.pipe(v.string(), v.regex(UUID_V7)),
  type: v.picklist(TYPES),
  event: opt(v.pipe(v.string(), v.minLength(1), v.maxLength(255))),
  properties: opt(
    v.looseObject({
      af_revenue: opt(v.number()),
      af_price: opt(v.number()),
      af_currency: opt(v.pipe(v.string(), v.regex(/^[A-Z]{3}$/))),
      af_quantity: opt(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER))),
      af_content_id: opt(v.pipe(v.string(), v.maxLength(256))),
    }),
  ),
  user_id: opt(v.nullable(v.pipe(v.string(), v.minLength(1), v.maxLength(256)))),
  anonymous_id: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
  session_id: opt(v.pipe(v.string(), v.minLength(1), v.maxLength(256))),
  seq: v.pipe(v.number(), v.integer(), v.minValue(0)),
  client_ts: v.pipe(v.string(), v.isoTimestamp()),
  sent_at: opt(v.pipe(v.string(), v.isoTimestamp())),
  context: v.looseObject({
    library: v.strictObject({ name: v.pipe(v.string(), v.maxLength(64)), version: v.pipe(v.string(), v.maxLength(64)) }),
    locale: opt(v.pipe(v.string(), v.maxLength(35))),
    timezone: opt(v.pipe(v.string(), v.maxLength(64))),
    user_agent: opt(v.pipe(v.string(), v.maxLength(1024))),
  }),
});
