import { UPCASTERS, type Upcaster } from '@eventline/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPii, checkPiiPolicy, createFolderSink, piiNearMisses, deliverRecords, PiiPolicyError, processRecords, runQuery } from '../src';
import { record, storedEvent } from './fixtures/events';
import { aggregate } from './fixtures/kpl';
import { tempDirs } from './fixtures/temp-dir';
import { readEnv } from '../src/config';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';
const LINUX_CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

describe('enrichment and flattening', () => {
  it('derives browser, OS and device type from the user agent', () => {
    const events = [IPHONE, LINUX_CHROME, 'Googlebot/2.1 (+http://www.google.com/bot.html)', undefined].map((ua, i) =>
      storedEvent({ anonymous_id: `dev-${i}`, context: { library: { name: 'sdk', version: '1' }, ...(ua ? { user_agent: ua } : {}) } }),
    );
    const { rows } = processRecords(events.map((e) => record(e)));
    expect(rows.map((r) => [r.browser_name, r.os_name, r.device_type])).toEqual([
      ['Safari', 'iOS', 'mobile'],
      ['Chrome', 'Linux', 'desktop'],
      ['Googlebot', undefined, 'bot'],
      [undefined, undefined, 'unknown'],
    ]);
    expect(rows[0]).toMatchObject({ browser_version: '17.1', os_version: '17.1' });
  });

  it('flattens page, campaign, consent, library and revenue into columns', () => {
    const event = storedEvent({
      session_id: 's-1',
      context: {
        library: { name: 'eventline-sdk', version: '0.2.0' },
        page: { url: 'https://shop.example/p/1?utm_source=news', path: '/p/1', referrer: 'https://news.example/', title: 'Shoe' },
        campaign: { source: 'news', medium: 'email', name: 'spring', click_id: 'abc', click_id_type: 'gclid' },
        consent: { analytics: true, ads: false },
        screen: { width: 390, height: 844 },
        locale: 'de-DE',
        timezone: 'Europe/Berlin',
      },
    });
    const [row] = processRecords([record(event)]).rows;
    expect(row).toMatchObject({
      session_id: 's-1',
      page_url: 'https://shop.example/p/1?utm_source=news',
      page_path: '/p/1',
      page_referrer: 'https://news.example/',
      page_title: 'Shoe',
      campaign_source: 'news',
      campaign_medium: 'email',
      campaign_name: 'spring',
      click_id: 'abc',
      click_id_type: 'gclid',
      consent_analytics: true,
      consent_ads: false,
      screen_width: 390,
      library_name: 'eventline-sdk',
      library_version: '0.2.0',
      locale: 'de-DE',
      timezone: 'Europe/Berlin',
      revenue: 12.5,
      currency: 'EUR',
      properties: event.properties,
    });
    expect(row?.campaign_term).toBeUndefined();
    // Every context value has a column here, so nothing is stored twice.
    expect(row?.context).toBeUndefined();
  });
});

describe('PII policy', () => {
  const policy = checkPiiPolicy({ hash: ['user_id', 'traits.email'], drop: ['context.user_agent', 'traits.phone'], salt: 's3cret' });

  it('hashes and drops configured fields, after the user agent was parsed', () => {
    const event = storedEvent({
      type: 'identify',
      event: undefined,
      user_id: 'customer-42',
      traits: { email: 'a@example.com', phone: '+49 30 1234', plan: 'pro' },
      context: { library: { name: 'sdk', version: '1' }, user_agent: IPHONE },
    });
    const [row] = processRecords([record(event)], { pii: policy }).rows;
    expect(row?.user_id).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.user_id).not.toContain('customer');
    expect(row?.traits).toEqual({ email: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown, plan: 'pro' });
    expect(row?.context).toBeUndefined();
    expect(row?.user_agent).toBeUndefined();
    expect(row?.browser_name).toBe('Safari');
    // Same input, same hash: hashed ids still join.
    const [again] = processRecords([record({ ...event, event_id: storedEvent().event_id })], { pii: policy }).rows;
    expect(again?.user_id).toBe(row?.user_id);
  });

  it("covers the full value of an id the ingest stored fitted (a Segment id over 256 characters, kept whole in segment_extra)", () => {
    const long = (prefix: string) => `${prefix}-${'x'.repeat(300)}`;
    const event = storedEvent({
      type: 'alias',
      event: undefined,
      user_id: 'fitted-user…0123456789abcdef',
      previous_id: 'fitted-previous…0123456789abcdef',
      context: { library: { name: 'analytics-ruby', version: '2' }, segment_extra: { userId: long('user'), previousId: long('previous'), channel: 'server' } } as never,
    });
    const hashed = processRecords([record(event)], { pii: policy }).rows[0];
    const extra = (hashed?.context as { segment_extra: Record<string, unknown> }).segment_extra;
    expect(extra.userId).toMatch(/^[0-9a-f]{64}$/);
    // Not named by the policy: kept as it is.
    expect([extra.previousId, extra.channel]).toEqual([long('previous'), 'server']);
    const dropped = processRecords([record(event)], { pii: checkPiiPolicy({ hash: [], drop: ['previous_id'] }) }).rows[0];
    expect((dropped?.context as { segment_extra: Record<string, unknown> }).segment_extra).toEqual({ userId: long('user'), channel: 'server' });
    expect(dropped?.previous_id).toBeUndefined();
  });

  it('keeps context keys without a column in context', () => {
    const event = storedEvent({ context: { library: { name: 'sdk', version: '1' }, app: { build: '42' }, consent: { analytics: true, sale: false } } as never });
    const [row] = processRecords([record(event)]).rows;
    expect(row?.context).toEqual({ app: { build: '42' }, consent: { sale: false } });
    expect(row?.consent_analytics).toBe(true);
  });

  it("keeps context keys named like Object.prototype's members in context (they became odd columns, or were lost)", () => {
    const context = { library: { name: 'sdk', version: '1' }, constructor: 'c', toString: { a: 1 }, consent: { constructor: true, ads: false }, PROTO: { b: 2 } };
    // JSON.parse makes `__proto__` an own key, as a producer may send it.
    const text = JSON.stringify(storedEvent({ context })).replace('"PROTO"', '"__proto__"');
    const [row] = processRecords([record(text)]).rows;
    expect(JSON.stringify(row?.context)).toBe('{"constructor":"c","toString":{"a":1},"consent":{"constructor":true},"__proto__":{"b":2}}');
    expect(Object.keys(row ?? {}).filter((key) => key.includes('Object') || key.includes('native'))).toEqual([]);
    expect(row?.consent_ads).toBe(false);
  });

  it('does not mutate the input and ignores absent paths', () => {
    const event = storedEvent({ user_id: 'u' });
    const copy = structuredClone(event);
    applyPii(event, policy);
    expect(event).toEqual(copy);
  });

  it("finds only a field's own keys: a path named like an Object.prototype member is absent where the event lacks it (hashing the inherited member threw, failing every flush)", async () => {
    const members = checkPiiPolicy({ hash: ['properties.constructor', 'traits.toString', 'context.hasOwnProperty'], drop: ['properties.valueOf'], salt: 's' });
    const without = storedEvent({ traits: { plan: 'pro' }, context: { library: { name: 'sdk', version: '1' }, page: { url: 'https://shop.example/' } } });
    const [row] = processRecords([record(without)], { pii: members }).rows;
    expect([row?.properties, row?.traits, row?.page_url]).toEqual([without.properties, { plan: 'pro' }, 'https://shop.example/']);
    const lake = await dirs.make();
    const result = await deliverRecords('shardId-000000000000', [record(without)], createFolderSink(lake), { pii: members });
    expect(result).toMatchObject({ rowsDelivered: 1, badRows: 0 });

    // Where the event has the key, it is hashed or dropped like any other; "__proto__" too (assigning it set the prototype, keeping the raw value).
    const text = JSON.stringify(storedEvent({ properties: { constructor: 'secret', valueOf: 1, PROTO: { email: 'a@b.c' } }, traits: { toString: 'secret' } })).replace('"PROTO"', '"__proto__"');
    const proto = checkPiiPolicy({ hash: ['properties.__proto__.email'], drop: [], salt: 's' });
    const [hashed] = processRecords([record(text)], { pii: members }).rows;
    expect(JSON.stringify(hashed?.properties)).toMatch(/^\{"constructor":"[0-9a-f]{64}","__proto__":\{"email":"a@b.c"\}\}$/);
    expect(hashed?.traits).toEqual({ toString: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown });
    const [protoRow] = processRecords([record(text)], { pii: proto }).rows;
    expect(JSON.stringify(protoRow?.properties)).toMatch(/^\{"constructor":"secret","valueOf":1,"__proto__":\{"email":"[0-9a-f]{64}"\}\}$/);
  });

  it('refuses bad policies at start', () => {
    expect(() => checkPiiPolicy({ hash: ['user_id'], drop: [] })).toThrow(PiiPolicyError);
    expect(() => checkPiiPolicy({ hash: [], drop: ['event_id'] })).toThrow(/key field/);
    expect(() => checkPiiPolicy({ hash: [], drop: ['a..b'] })).toThrow(/dotted/);
  });

  it('refuses paths that name no event field, which matched nothing and left the data raw (the lake column names, a bare key)', () => {
    expect(() => checkPiiPolicy({ hash: [], drop: ['page_url'] })).toThrow(new PiiPolicyError('PII path "page_url" names no event field, so it would never match: the column page_url comes from "context.page.url"'));
    expect(() => checkPiiPolicy({ hash: [], drop: ['context.page.url', 'user_agent'] })).toThrow('PII path "user_agent" names no event field, so it would never match: the column user_agent comes from "context.user_agent"');
    expect(() => checkPiiPolicy({ hash: ['email'], drop: [], salt: 's' })).toThrow(
      'PII path "email" names no event field, so it would never match: a path starts with a StoredEvent field (user_id, traits, properties, context, …): did you mean "properties.email", "traits.email" or "context.email"?',
    );
    expect(() => checkPiiPolicy({ hash: ['Traits.email'], drop: [], salt: 's' })).toThrow(/"Traits\.email" names no event field/);
    // Every StoredEvent field may start a path.
    const fields = ['event', 'user_id', 'previous_id', 'group_id', 'session_id', 'sent_at', 'properties.x', 'traits.x', 'context.x', 'context.page.url'];
    expect(checkPiiPolicy({ hash: [], drop: fields, salt: 's' }).drop).toEqual(fields);
    expect(() => readEnv({ STREAM_NAME: 'events', AWS_REGION: 'eu-west-1', PII_DROP_FIELDS: 'page_url,user_agent' })).toThrow(/PII_HASH_FIELDS \/ PII_DROP_FIELDS \/ PII_SALT: PII path "page_url" names no event field/);
  });

  it("covers the other copy of the user agent and the IP the ingest stores: PII_DROP_FIELDS=context.user_agent kept the raw User-Agent header in context.server.user_agent, and context.ip matched nothing", () => {
    // As the ingest stores a browser's event: the client's user agent and the request's header, the IP in the server block.
    const context = { library: { name: 'sdk', version: '1' }, user_agent: IPHONE, server: { request_id: 'r1', derived_ts: '2026-06-07T10:00:00.000Z', ip: '203.0.113.0', user_agent: IPHONE } };
    const event = storedEvent({ context });
    // One direction: listing the header copy alone leaves the client's own value (pii-copies.test.ts).
    for (const drop of [['context.user_agent'], ['context.user_agent', 'context.server.user_agent']]) {
      const [row] = processRecords([record(event)], { pii: checkPiiPolicy({ hash: [], drop }) }).rows;
      expect(JSON.stringify(row)).not.toContain(IPHONE);
      expect(row?.browser_name).toBe('Safari');
      expect(row?.context).toEqual({ server: { request_id: 'r1', derived_ts: '2026-06-07T10:00:00.000Z', ip: '203.0.113.0' } });
    }
    const [hashed] = processRecords([record(event)], { pii: checkPiiPolicy({ hash: ['context.ip', 'context.user_agent'], drop: [], salt: 's' }) }).rows;
    const server = (hashed?.context as { server: Record<string, string> }).server;
    expect([server.ip, server.user_agent, hashed?.user_agent]).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/), expect.stringMatching(/^[0-9a-f]{64}$/), server.user_agent]);
    // Listed with its copy, a value is hashed once (hashing the hash broke the join with other events).
    const [once] = processRecords([record(event)], { pii: checkPiiPolicy({ hash: ['context.user_agent', 'context.server.user_agent'], drop: [], salt: 's' }) }).rows;
    expect((once?.context as { server: Record<string, string> }).server.user_agent).toBe(server.user_agent);
  });

  it('refuses paths below the first field that no stored event can hold (a misspelt key of a closed object, a key under a string), which matched nothing and left the data raw', () => {
    const refused: Record<string, string> = {
      'context.page.URL': 'did you mean "context.page.url"?',
      'context.page.uri': '"context.page" holds url, path, referrer, title only',
      'context.campaign.utm_source': '"context.campaign" holds source, medium, name, term, content, click_id, click_id_type only',
      'user_id.email': '"user_id" is not an object: list "user_id" itself',
      'context.server.addr': '"context.server" holds request_id, derived_ts, ip, user_agent only',
      'context.server.ip.v4': '"context.server.ip" is not an object: list "context.server.ip" itself',
    };
    for (const [path, why] of Object.entries(refused)) {
      expect(() => checkPiiPolicy({ hash: [], drop: [path] })).toThrow(new PiiPolicyError(`PII path "${path}" would never match: ${why}`));
    }
    // Under an open object any key may be there.
    const open = ['properties.email', 'traits.email', 'context.app.build', 'context.consent.sale', 'context.first_touch.source', 'context.server.ip', 'properties.af_revenue'];
    expect(checkPiiPolicy({ hash: [], drop: open }).drop).toEqual(open);
    // A near-miss of a known field under an open object can be stored as a key of its own: accepted, with a start-up warning.
    const near = ['context.userAgent', 'context.Locale', 'properties.AF_REVENUE'];
    expect(checkPiiPolicy({ hash: [], drop: near }).drop).toEqual(near);
    expect(piiNearMisses({ hash: [], drop: [...open, ...near] })).toEqual([
      { path: 'context.userAgent', why: 'did you mean "context.user_agent"?' },
      { path: 'context.Locale', why: 'did you mean "context.locale"?' },
      { path: 'properties.AF_REVENUE', why: 'did you mean "properties.af_revenue"?' },
    ]);
    expect(() => readEnv({ STREAM_NAME: 'events', AWS_REGION: 'eu-west-1', PII_HASH_FIELDS: 'context.page.URL', PII_SALT: 's' })).toThrow(/PII_HASH_FIELDS \/ PII_DROP_FIELDS \/ PII_SALT: PII path "context.page.URL" would never match/);
  });

  it('refuses to hash a field whose column is not text (a hash in a Parquet INT32 or timestamp column failed every flush), and lets it be dropped', () => {
    for (const path of ['sent_at', 'context.screen.width', 'context.screen.density', 'context.consent.ads']) {
      expect(() => checkPiiPolicy({ hash: [path], drop: [], salt: 's' })).toThrow(`PII path "${path}" cannot be hashed: its column is not text (drop it instead)`);
      expect(checkPiiPolicy({ hash: [], drop: [path] }).drop).toEqual([path]);
    }
    expect(checkPiiPolicy({ hash: ['context.page.url', 'context.user_agent', 'properties'], drop: [], salt: 's' }).hash).toHaveLength(3);
  });
});

describe('schema versions', () => {
  /** A synthetic older version: camelCase device id and `timestamp` instead of client_ts. */
  const v0: Upcaster = { from: 0, up: ({ anonymousId, timestamp, ...rest }) => ({ ...rest, anonymous_id: anonymousId, client_ts: timestamp }) };

  /** v0 → v1 (synthetic), then this package's real chain (v1 → v2). */
  const versions = { current: 2, upcasters: [v0, ...UPCASTERS] };

  it('upcasts older events so v0 and v2 become the same row shape', () => {
    const current = storedEvent({ anonymous_id: 'dev-new' });
    const old: Record<string, unknown> = { ...storedEvent(), schema_version: 0, anonymousId: 'dev-old' };
    old.timestamp = old.client_ts;
    delete old.anonymous_id;
    delete old.client_ts;
    const { rows, badRows } = processRecords([record(old), record(current)], { versions });
    expect(badRows).toEqual([]);
    expect(rows.map((r) => [r.anonymous_id, r.schema_version])).toEqual([
      ['dev-old', 2],
      ['dev-new', 2],
    ]);
  });

  it('old and current versions in one stream land in one table', async () => {
    const lake = await dirs.make();
    const old: Record<string, unknown> = { ...storedEvent({ anonymous_id: 'x' }), schema_version: 0, anonymousId: 'dev-old', timestamp: '2026-11-25T09:00:00.000Z' };
    delete old.anonymous_id;
    delete old.client_ts;
    const records = [record(old), record(storedEvent({ anonymous_id: 'dev-new' }))];
    for (const format of ['parquet', 'ndjson'] as const) {
      await deliverRecords(`shardId-00000000000${format === 'parquet' ? 0 : 1}`, records, createFolderSink(lake), { format, versions });
    }
    expect(await runQuery(lake, 'SELECT anonymous_id, schema_version, count(*) AS n FROM events GROUP BY ALL ORDER BY 1')).toEqual([
      { anonymous_id: 'dev-new', schema_version: 2, n: 2 },
      { anonymous_id: 'dev-old', schema_version: 2, n: 2 },
    ]);
  });

  it('turns an event newer than this reader into a validation bad row', () => {
    const { rows, badRows } = processRecords([record({ ...storedEvent(), schema_version: 3 })]);
    expect(rows).toEqual([]);
    expect(badRows[0]).toMatchObject({ error_type: 'validation', reason: 'schema_version: version 3 is newer than this reader (2)' });
  });
});

describe('KPL aggregated records', () => {
  it('are split into their user records, each with its own partition key', () => {
    const a = storedEvent({ anonymous_id: 'dev-a' });
    const b = storedEvent({ anonymous_id: 'dev-b' });
    const data = aggregate([
      { partitionKey: 'dev-a', data: JSON.stringify(a) },
      { partitionKey: 'dev-b', data: JSON.stringify(b) },
      { partitionKey: 'dev-a', data: '{broken' },
    ]);
    const { rows, badRows } = processRecords([record(data, 'agg')]);
    expect(rows.map((r) => r.event_id)).toEqual([a.event_id, b.event_id]);
    expect(badRows).toMatchObject([{ error_type: 'parse', partition_key: 'dev-a', payload: '{broken' }]);
  });

  it('a corrupt aggregate becomes one decode bad row', () => {
    const data = aggregate([{ partitionKey: 'k', data: JSON.stringify(storedEvent()) }]);
    data[data.length - 1] = (data[data.length - 1] ?? 0) ^ 0xff;
    const { rows, badRows } = processRecords([record(data)]);
    expect(rows).toEqual([]);
    expect(badRows).toMatchObject([{ error_type: 'decode', reason: 'KPL aggregate: MD5 digest mismatch' }]);
  });
});
