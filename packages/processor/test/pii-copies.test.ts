import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkPiiPolicy, PiiPolicyError, processRecords } from '../src';
import { piiNearMisses } from '../src/core/pii';
import { record, storedEvent, storedEventV1 } from './fixtures/events';

const hmac = (value: string, salt = 's') => createHmac('sha256', salt).update(value).digest('hex');
const library = { name: 'analytics-node', version: '2' };
const row = (event: object, policy: { hash?: string[]; drop?: string[]; salt?: string }) =>
  processRecords([record(event)], { pii: checkPiiPolicy({ hash: policy.hash ?? [], drop: policy.drop ?? [], ...(policy.salt ? { salt: policy.salt } : {}) }) }).rows[0];

describe('PII policy: the copies the ingest keeps of a value', () => {
  // As the ingest maps a Segment message with only a userId (segment-map.ts: anonymous_id falls back to userId).
  const userOnly = storedEvent({ user_id: 'alice@example.com', anonymous_id: 'alice@example.com', context: { library } });

  it('hashes anonymous_id where it is the raw user_id (a Segment message with only a userId), with the same HMAC so rows still join', () => {
    const hashed = row(userOnly, { hash: ['user_id'], salt: 's' });
    expect(hashed?.user_id).toBe(hmac('alice@example.com'));
    expect(hashed?.anonymous_id).toBe(hashed?.user_id);
    expect(JSON.stringify(hashed)).not.toContain('alice@');
    // Dropping user_id: the key field is kept, hashed.
    const dropped = row(userOnly, { drop: ['user_id'], salt: 's' });
    expect(dropped?.user_id).toBeUndefined();
    expect(dropped?.anonymous_id).toBe(hmac('alice@example.com'));
    // A native event's own device id is not the user id: untouched.
    const native = row(storedEvent({ user_id: 'alice@example.com', anonymous_id: 'dev-9', context: { library } }), { hash: ['user_id'], salt: 's' });
    expect([native?.user_id, native?.anonymous_id]).toEqual([hmac('alice@example.com'), 'dev-9']);
  });

  it('names a case variant of context.server as a near miss (the ingest adds server; the client schema has no such key)', () => {
    expect(piiNearMisses({ hash: ['context.Server.ip'], drop: ['context.SERVER.user_agent'], salt: 's' })).toEqual([
      { path: 'context.Server.ip', why: 'did you mean "context.server.ip"?' },
      { path: 'context.SERVER.user_agent', why: 'did you mean "context.server.user_agent"?' },
    ]);
    expect(piiNearMisses({ hash: ['context.server.ip'], drop: [], salt: 's' })).toEqual([]);
    // No hint towards a path start-up would refuse.
    expect(piiNearMisses({ hash: ['context.Server.foo', 'context.Server.ip.x'], drop: [], salt: 's' })).toEqual([]);
  });

  it('refuses a listed path inside another listed one (the outer hash depended on their order)', () => {
    expect(() => checkPiiPolicy({ hash: ['traits.email', 'traits'], drop: [], salt: 's' })).toThrow('PII path "traits.email" lies inside "traits", which is listed too: keep only one of them');
    expect(() => checkPiiPolicy({ hash: ['context.page'], drop: ['context.page.url'], salt: 's' })).toThrow('lies inside "context.page"');
    // A prefix of the name is not a parent.
    expect(checkPiiPolicy({ hash: ['traits.email', 'traits.email_verified'], drop: [], salt: 's' }).hash).toHaveLength(2);
  });

  it('refuses to drop user_id without a salt: the anonymous_id copy can only be hashed', () => {
    expect(() => checkPiiPolicy({ hash: [], drop: ['user_id'] })).toThrow(
      new PiiPolicyError(
        'PII path "user_id" cannot be dropped without a PII salt: where anonymous_id holds the same id (a Segment message with only a userId), that key field is kept and its value hashed instead; set PII_SALT',
      ),
    );
    expect(checkPiiPolicy({ hash: [], drop: ['user_id'], salt: 's' }).drop).toEqual(['user_id']);
  });

  it('covers the Segment value the ingest kept raw in segment_extra.context when it did not fit its slot (packages/ingest/src/routes/segment-context.ts)', () => {
    const longUa = `Mozilla/5.0 (Linux; Android 13) ${'X'.repeat(1100)}`;
    const longUrl = `https://shop.example/p?email=alice%40example.com&q=${'a'.repeat(5000)}`;
    // As mapContext leaves them: the misfit under its Segment name (userAgent; page.url; campaign.name; locale whole).
    const segmentExtra = { context: { userAgent: longUa, page: { url: longUrl }, campaign: { name: 'n'.repeat(300) }, locale: 'x'.repeat(100) } };
    const event = storedEvent({ context: { library, page: { path: '/p' }, segment_extra: segmentExtra } as never });
    const extra = (r: { context?: unknown } | undefined) => (r?.context as { segment_extra?: { context?: Record<string, unknown> } } | undefined)?.segment_extra?.context;

    const hashed = row(event, { hash: ['context.user_agent', 'context.page.url'], salt: 's' });
    expect(extra(hashed)).toMatchObject({ userAgent: hmac(longUa), page: { url: hmac(longUrl) } });
    expect(JSON.stringify(hashed)).not.toContain('alice%40');

    const dropped = row(event, { drop: ['context.campaign.name', 'context.locale', 'context.user_agent'] });
    expect(extra(dropped)).toEqual({ page: { url: longUrl }, campaign: {} });
    // A whole slot covers its copy whole.
    expect(extra(row(event, { drop: ['context.page'] }))).toEqual({ userAgent: longUa, campaign: { name: 'n'.repeat(300) }, locale: 'x'.repeat(100) });
  });

  it("covers analytics.js's page.search (the URL's query string, kept in segment_extra.context.page) with context.page.url", () => {
    const event = storedEvent({ context: { library, page: { url: 'https://shop.example/p?e=a@b.c', path: '/p' }, segment_extra: { context: { page: { search: '?e=a@b.c' } } } } as never });
    const hashed = row(event, { hash: ['context.page.url'], salt: 's' });
    expect(JSON.stringify(hashed)).not.toContain('a@b.c');
    expect((hashed?.context as { segment_extra: { context: { page: { search: string } } } }).segment_extra.context.page.search).toBe(hmac('?e=a@b.c'));
  });

  it('covers context.traits.* with traits.* (Segment mobile libraries copy traits into context)', () => {
    const event = storedEvent({ type: 'identify', event: undefined, traits: { email: 'a@example.com' }, context: { library, traits: { email: 'a@example.com', plan: 'pro' } } as never });
    const hashed = row(event, { hash: ['traits.email'], salt: 's' });
    expect(hashed?.traits).toEqual({ email: hmac('a@example.com') });
    expect((hashed?.context as { traits: unknown }).traits).toEqual({ email: hmac('a@example.com'), plan: 'pro' });
    const dropped = row(event, { drop: ['traits'] });
    expect(dropped?.traits).toBeUndefined();
    expect(JSON.stringify(dropped)).not.toContain('a@example.com');
  });

  describe('paired copies', () => {
    const UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';
    const server = { request_id: 'r1', derived_ts: '2026-06-07T10:00:00.000Z', ip: '203.0.113.0', user_agent: 'analytics-node-next/1.0' };
    const event = storedEvent({ context: { library, user_agent: UA, ip: '198.51.100.7', server } as never });
    const ctx = (r: { context?: unknown } | undefined) => r?.context as Record<string, unknown> & { server: Record<string, unknown> };

    it('context.server.ip also covers context.ip (an older record holds the client IP there)', () => {
      const r = row(event, { drop: ['context.server.ip'] });
      expect(ctx(r).ip).toBeUndefined();
      expect(ctx(r).server.ip).toBeUndefined();
      const h = row(event, { hash: ['context.server.ip'], salt: 's' });
      expect([ctx(h).ip, ctx(h).server.ip]).toEqual([hmac('198.51.100.7'), hmac('203.0.113.0')]);
    });

    it('each listed path does its own action: a hashed field is not removed by the pairing of a dropped one', () => {
      const r = row(event, { hash: ['context.user_agent'], drop: ['context.server.user_agent'], salt: 's' });
      expect(r?.user_agent).toBe(hmac(UA));
      expect(ctx(r).server.user_agent).toBeUndefined();
      const both = row(event, { hash: ['context.server.ip'], drop: ['context.ip'], salt: 's' });
      expect([ctx(both).ip, ctx(both).server.ip]).toEqual([undefined, hmac('203.0.113.0')]);
    });

    it("context.server.user_agent alone leaves the client's context.user_agent (one direction only)", () => {
      const r = row(event, { drop: ['context.server.user_agent'] });
      expect(ctx(r).server.user_agent).toBeUndefined();
      expect(r?.user_agent).toBe(UA);
      // The other way round, the header copy follows.
      const c = row(event, { drop: ['context.user_agent'] });
      expect([r?.browser_name, c?.user_agent, ctx(c).server.user_agent]).toEqual(['Safari', undefined, undefined]);
    });
  });

  describe('a v1 first_touch the upcaster kept in context.legacy_first_touch (@eventline/schemas v1-to-v2.ts)', () => {
    // v1 records (any first_touch was valid then): one key more than a campaign; a landing URL as text; a list.
    const extraKey = storedEventV1({ context: { library, first_touch: { source: 'google', click_id: 'gclid-SECRET-1', landing: '/?email=jane@example.com' } } });
    const text = storedEventV1({ context: { library, first_touch: 'https://shop.example/?gclid=SECRET-2&email=jane@example.com' } });
    const list = storedEventV1({ context: { library, first_touch: [{ click_id: 'gclid-SECRET-3' }] } });
    const legacy = (r: { context?: Record<string, unknown> } | undefined) => r?.context?.legacy_first_touch;

    it('is where the upcaster puts it (the leak this covers)', () => {
      expect(legacy(row(extraKey, {}))).toEqual({ source: 'google', click_id: 'gclid-SECRET-1', landing: '/?email=jane@example.com' });
      expect(legacy(row(text, {}))).toBe('https://shop.example/?gclid=SECRET-2&email=jane@example.com');
    });

    it('context.first_touch drops or hashes the copy whole', () => {
      for (const event of [extraKey, text, list]) {
        const dropped = row(event, { drop: ['context.first_touch'] });
        expect(JSON.stringify(dropped)).not.toMatch(/SECRET|jane@/);
        expect(legacy(dropped)).toBeUndefined();
      }
      expect(legacy(row(text, { hash: ['context.first_touch'], salt: 's' }))).toBe(hmac('https://shop.example/?gclid=SECRET-2&email=jane@example.com'));
      expect(legacy(row(extraKey, { hash: ['context.first_touch'], salt: 's' }))).toBe(
        hmac(JSON.stringify({ source: 'google', click_id: 'gclid-SECRET-1', landing: '/?email=jane@example.com' })),
      );
    });

    it('context.first_touch.X covers the object copy field X; text or a list, where X may be inside, goes whole', () => {
      const hashed = row(extraKey, { hash: ['context.first_touch.click_id'], salt: 's' });
      expect(legacy(hashed)).toEqual({ source: 'google', click_id: hmac('gclid-SECRET-1'), landing: '/?email=jane@example.com' });
      expect(legacy(row(extraKey, { drop: ['context.first_touch.click_id'] }))).toEqual({ source: 'google', landing: '/?email=jane@example.com' });
      expect(legacy(row(text, { hash: ['context.first_touch.click_id'], salt: 's' }))).toBe(hmac('https://shop.example/?gclid=SECRET-2&email=jane@example.com'));
      expect(legacy(row(text, { drop: ['context.first_touch.click_id'] }))).toBeUndefined();
      expect(legacy(row(list, { drop: ['context.first_touch.click_id'] }))).toBeUndefined();
      // Two fields of it, one dropped: the text goes (never hashed twice, never kept).
      expect(legacy(row(text, { hash: ['context.first_touch.source'], drop: ['context.first_touch.click_id'], salt: 's' }))).toBeUndefined();
      expect(legacy(row(text, { hash: ['context.first_touch.source', 'context.first_touch.click_id'], salt: 's' }))).toBe(
        hmac('https://shop.example/?gclid=SECRET-2&email=jane@example.com'),
      );
    });

    it('a campaign-shaped first_touch stays in its columns, no legacy copy; a listed copy does its own action', () => {
      const campaign = row(storedEventV1({ context: { library, first_touch: { source: 'google', click_id: 'gclid-4' } } }), { hash: ['context.first_touch.click_id'], salt: 's' });
      expect([campaign?.first_touch_source, campaign?.first_touch_click_id, legacy(campaign)]).toEqual(['google', hmac('gclid-4'), undefined]);
      const own = row(text, { hash: ['context.legacy_first_touch'], drop: ['context.first_touch.click_id'], salt: 's' });
      expect(legacy(own)).toBe(hmac('https://shop.example/?gclid=SECRET-2&email=jane@example.com'));
    });
  });
});
