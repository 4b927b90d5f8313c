import { EVENT_TYPES, LIMITS } from '@eventline/schemas';
import fc from 'fast-check';
import { fromEntries, jsonValue, number, objectOf, openObject } from './json-values';
import { text } from './text';
import { dateTime } from './times';

/**
 * A generated client event, valid per the envelope (v1 or v2) and within every limit, without its
 * `event_id`: each send gets a fresh one (a shrink replays the same values, which would otherwise
 * be a resend of a delivered event). `upperCaseId`: send the id in upper case (the format is case-insensitive).
 */
export interface GeneratedEvent {
  event: Record<string, unknown>;
  upperCaseId: boolean;
}

/** Context keys with a meaning of their own; random extra keys avoid them. */
const CONTEXT_KEYS = new Set(['library', 'page', 'locale', 'timezone', 'screen', 'user_agent', 'campaign', 'consent', 'first_touch', 'legacy_first_touch', 'ip', 'server']);
const AF_TYPED = new Set(['af_revenue', 'af_price', 'af_currency', 'af_quantity', 'af_content_id', 'af_content_type', 'af_order_id', 'af_search_string', 'af_registration_method']);

const without = (obj: Record<string, unknown>, keys: ReadonlySet<string>): [string, unknown][] => Object.entries(obj).filter(([k]) => !keys.has(k));

const id = text(LIMITS.idMax, 1);
const int32 = fc.oneof(fc.constantFrom(0, -0, 1, 2 ** 31 - 1), fc.integer({ min: 0, max: 2 ** 31 - 1 }));
const density = fc.oneof(fc.constantFrom(-0, 0, 5e-324, 1e308, Number.MAX_VALUE, 1, 2.625, 0.1), fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }));
const seq = fc.oneof(fc.constantFrom(0, -0, 1, Number.MAX_SAFE_INTEGER, 2 ** 32), fc.maxSafeNat());

export const campaign = fc.record(
  { source: text(256), medium: text(256), name: text(256), term: text(256), content: text(256), click_id: text(512), click_id_type: text(32) },
  { requiredKeys: [] },
);

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.0 Mobile/15E148 Safari/604.1',
  'Googlebot/2.1 (+http://www.google.com/bot.html)',
  '   ',
];

/** A v1 `first_touch`: the open key it was, so anything; the upcast keeps a campaign and moves the rest. */
const v1FirstTouch = fc.oneof(
  campaign,
  text(40),
  fc.constant(null),
  number,
  fc.array(jsonValue, { maxLength: 3 }),
  objectOf(jsonValue, 3),
  fc.tuple(campaign, fc.constantFrom('source', 'name', 'click_id_type')).map(([c, k]) => ({ ...c, [k]: 'x'.repeat(600) })),
);

function context(version: 'absent' | 1 | 2): fc.Arbitrary<Record<string, unknown>> {
  const extras = fc.oneof(objectOf(jsonValue, 4), openObject(2)).map((o) => without(o, CONTEXT_KEYS));
  return fc
    .record(
      {
        library: fc.record({ name: text(64), version: text(64) }),
        page: fc.record({ url: text(4096), path: text(2048), referrer: text(4096), title: text(1024) }, { requiredKeys: [] }),
        locale: text(35),
        timezone: text(64),
        screen: fc.record({ width: int32, height: int32, density }, { requiredKeys: ['width', 'height'] }),
        user_agent: fc.oneof(fc.constantFrom(...USER_AGENTS), text(1024)),
        campaign,
        consent: fc.tuple(fc.record({ analytics: fc.boolean(), ads: fc.boolean() }, { requiredKeys: [] }), objectOf(jsonValue, 2)).map(([known, more]) =>
          fromEntries([...Object.entries(known), ...without(more, new Set(['analytics', 'ads']))]),
        ),
        first_touch: version === 2 ? campaign : v1FirstTouch,
        // A client's own IP and server block: the ingest drops the one and overwrites the other.
        ip: fc.constantFrom('198.51.100.7', '::1', 'not an ip'),
        server: fc.constant({ request_id: 'forged', ip: '192.0.2.1' }),
      },
      { requiredKeys: ['library'] },
    )
    .chain((known) =>
      fc.tuple(extras, version === 2 || !('first_touch' in known) ? fc.option(jsonValue, { nil: undefined }) : fc.constant(undefined)).map(([more, legacy]) =>
        // legacy_first_touch of its own: fine in v2, and in v1 only with no first_touch (else the event is refused, by design).
        fromEntries([...Object.entries(known), ...more, ...(legacy === undefined ? [] : [['legacy_first_touch', legacy] as [string, unknown]])]),
      ),
    );
}

const afProperties = fc.record(
  {
    af_revenue: number,
    af_price: number,
    af_currency: fc.stringMatching(/^[A-Z]{3}$/),
    af_quantity: fc.oneof(fc.constantFrom(0, -0, Number.MAX_SAFE_INTEGER), fc.maxSafeNat()),
    af_content_id: text(256),
    af_content_type: text(256),
    af_order_id: text(256),
    af_search_string: text(1024),
    af_registration_method: text(256),
  },
  { requiredKeys: [] },
);

const properties = fc.tuple(openObject(2), afProperties).map(([open, af]) => fromEntries([...without(open, AF_TYPED), ...Object.entries(af)]));

/** One event of `type`, `version` as sent (absent means 1). */
function eventOf(type: (typeof EVENT_TYPES)[number], version: 'absent' | 1 | 2, nearMs: number): fc.Arbitrary<Record<string, unknown>> {
  const required = type === 'track' ? ['event'] : type === 'alias' ? ['user_id', 'previous_id'] : type === 'group' ? ['group_id'] : [];
  return fc
    .record(
      {
        event: text(LIMITS.eventNameMax, 1),
        properties,
        traits: openObject(2),
        // Alias needs a user id; the others may have none, or null.
        user_id: type === 'alias' ? id : fc.oneof(id, fc.constant(null)),
        previous_id: id,
        group_id: id,
        session_id: id,
        sent_at: dateTime(nearMs),
      },
      { requiredKeys: required as never[] },
    )
    .chain((optional) =>
      fc.record({ anonymous_id: id, seq, client_ts: dateTime(nearMs), context: context(version) }).map((rest) => {
        const event: Record<string, unknown> = {};
        if (version !== 'absent') event.schema_version = version;
        event.event_id = '';
        event.type = type;
        Object.assign(event, optional, rest);
        return event;
      }),
    );
}

/** Any valid event: every type, envelope v1 (with or without schema_version) and v2. */
export function clientEvent(nearMs: number): fc.Arbitrary<GeneratedEvent> {
  return fc
    .tuple(fc.constantFrom(...EVENT_TYPES), fc.constantFrom('absent' as const, 1 as const, 2 as const), fc.boolean(), fc.integer({ min: 0, max: 9 }))
    .chain(([type, version, upper, roll]) => eventOf(type, version, nearMs).map((event) => ({ event, upperCaseId: upper && roll < 2 })));
}
