import { Type, type Static } from '@sinclair/typebox';

/**
 * AppsFlyer-style predefined event names. Custom names are allowed too; these are the ones
 * the SDK types and the dashboard knows about.
 */
export const AF_EVENTS = [
  'af_content_view',
  'af_add_to_cart',
  'af_add_to_wishlist',
  'af_initiated_checkout',
  'af_purchase',
  'af_complete_registration',
  'af_login',
  'af_search',
  'af_subscribe',
  'af_start_trial',
  'af_level_achieved',
  'af_tutorial_completion',
] as const;
export type AfEventName = (typeof AF_EVENTS)[number];

/**
 * Typed AppsFlyer value keys. Any other property is allowed; these, when present, must have
 * the right type so the lake columns stay clean (revenue is always a number, and so on).
 */
export const AfProperties = Type.Object(
  {
    af_revenue: Type.Optional(Type.Number()),
    af_price: Type.Optional(Type.Number()),
    af_currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    af_quantity: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })), // JSON numbers are doubles: exact up to 2^53 - 1
    af_content_id: Type.Optional(Type.String({ maxLength: 256 })),
    af_content_type: Type.Optional(Type.String({ maxLength: 256 })),
    af_order_id: Type.Optional(Type.String({ maxLength: 256 })),
    af_search_string: Type.Optional(Type.String({ maxLength: 1024 })),
    af_registration_method: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: true },
);

/** Event properties: the typed AppsFlyer keys plus any custom key. */
export type EventProperties = Static<typeof AfProperties> & Record<string, unknown>;
