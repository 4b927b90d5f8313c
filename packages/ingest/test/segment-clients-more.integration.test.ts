import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fitText } from '../src/routes/segment-fit';
import { basic } from './helpers';
import { segmentClientsHarness } from './segment-clients-harness';

/**
 * Seven more of Segment's libraries, each payload written from the library's public source (the file named
 * above it; facts only: path, headers, body shape, field formats) and posted the way it posts it to the real
 * Node entry, read back from kinesalite. The first five: segment-clients.integration.test.ts.
 */
const KEY = 'seg_clients_more_key';
const h = segmentClientsHarness(KEY, 'segmore');
type Stored = Record<string, unknown> & { context: Record<string, unknown> };
const storedBy = async (library: string) => (await h.storedBy(library)) as Stored[];
const extra = (e: Stored | undefined) => e!.context.segment_extra as Record<string, unknown> | undefined;

describe("Segment's Swift, Flutter, Java, Ruby, PHP and .NET libraries (both), as they send, against the real ingest and Kinesis", () => {
  it('analytics-swift (iOS): its batch file as JSON to /v1/b, no Authorization (key in the body), uppercase UUIDs, the iOS context', async () => {
    // segmentio/analytics-swift: Sources/Segment/Utilities/Networking/HTTPClient.swift (`${apiHost}/b`, `application/json;
    // charset=utf-8`, `analytics-ios/<version>` user agent, no auth header), Storage/Types/DirectoryStore.swift (the file
    // `{ "batch": [` + one event per line + `],"sentAt":…,"writeKey":…}`), Utilities/iso8601.swift (ISO8601DateFormatter
    // with fractional seconds: UTC, ms, `Z`), Plugins/Context.swift (library, app, device, os, screen in points, locale,
    // timezone, network, userAgent, instanceId). Swift's `UUID().uuidString` is uppercase.
    const context = {
      library: { name: 'analytics-swift', version: '1.7.3' },
      app: { name: 'Shop', version: '4.2', build: '420', namespace: 'com.shop.ios' },
      device: { manufacturer: 'Apple', type: 'ios', model: 'iPhone15,4', name: 'iPhone', id: '3F2504E0-4F89-41D3-9A0C-0305E82C3301' },
      os: { name: 'iOS', version: '17.1' },
      screen: { width: 393, height: 852 },
      locale: 'en-US', timezone: 'Europe/Berlin', network: { bluetooth: false, cellular: false, wifi: true },
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
      instanceId: '9B2D6F1E-7C3A-4E5B-8D9F-0A1B2C3D4E5F',
    };
    const base = { anonymousId: 'E621E1F8-C36C-495A-93FC-0C247A3E6E5F', integrations: {}, _metadata: { bundled: [], unbundled: [], bundledIds: [] }, context };
    const events = [
      { ...base, type: 'track', event: 'Application Opened', properties: { from_background: false, version: '4.2', build: '420' }, messageId: 'C7A1E0D2-1F3B-4A5C-9D8E-7F6A5B4C3D2E', timestamp: '2026-11-26T09:00:00.123Z' },
      { ...base, type: 'screen', name: 'Home', properties: {}, messageId: 'D8B2F1E3-2A4C-4B6D-8E9F-0A1B2C3D4E5F', timestamp: '2026-11-26T09:00:01.456Z' },
      { ...base, type: 'identify', userId: 'ios-user', traits: { email: 'a@shop.example' }, messageId: 'E9C3A2F4-3B5D-4C7E-9FA0-1B2C3D4E5F60', timestamp: '2026-11-26T09:00:02.789Z' },
    ];
    const body = `{ "batch": [\n${events.map((e) => JSON.stringify(e)).join('\n,')}\n],"sentAt":"2026-11-26T09:00:05.000Z","writeKey":"${KEY}"}\n`;
    const res = await fetch(`${h.url}/v1/b`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'analytics-ios/1.7.3', 'accept-encoding': 'gzip' }, body });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 3, rejected: 0 });
    const stored = await storedBy('analytics-swift');
    expect(stored.map((e) => [e.type, e.event ?? null])).toEqual([['track', 'Application Opened'], ['screen', 'Home'], ['identify', null]]);
    expect(stored[0]).toMatchObject({ anonymous_id: base.anonymousId, client_ts: '2026-11-26T09:00:00.123Z', sent_at: '2026-11-26T09:00:05.000Z', properties: { from_background: false } });
    expect(stored[0]!.context).toMatchObject({ screen: context.screen, app: context.app, device: context.device, os: context.os, network: context.network, locale: 'en-US', timezone: 'Europe/Berlin', user_agent: context.userAgent, instanceId: context.instanceId });
    // An uppercase UUIDv4 messageId is hashed into the event id and kept.
    expect(extra(stored[0])).toMatchObject({ messageId: events[0]!.messageId, _metadata: base._metadata, integrations: {} });
    expect(stored[2]).toMatchObject({ user_id: 'ios-user', traits: { email: 'a@shop.example' } });
  });

  it('analytics_flutter: JSON to /v1/b with the key in the body, toIso8601String() UTC times, null fields, and a plugin-set local time (no offset)', async () => {
    // segmentio/analytics_flutter: packages/core/lib/utils/http_client.dart (`${apiHost}/b`, `application/json; charset=utf-8`,
    // `analytics-flutter/<version>`, body `{ batch, sentAt: DateTime.now().toUtc().toIso8601String(), writeKey }`, no auth header),
    // lib/event.dart (RawEvent fields serialised with nulls included: `userId: null`, a screen's `properties: null`; the context
    // without nulls; the timestamp `DateTime.now().toUtc().toIso8601String()`: microseconds and `Z`), the Android plugin
    // (android/.../AnalyticsPlugin.kt: screen in pixels with a float density, `locale` language-country), and the library
    // name `analytics-flutter` set by its context plugin.
    const context = {
      app: { build: '31', name: 'Shop', namespace: 'com.shop.flutter', version: '3.1.0' },
      device: { id: 'a1b2c3', manufacturer: 'Google', model: 'Pixel 7', name: 'panther', type: 'android' },
      library: { name: 'analytics-flutter', version: '1.1.7' },
      locale: 'en-US', network: { cellular: false, wifi: true }, os: { name: 'Android', version: '14' },
      screen: { height: 2400, width: 1080, density: 2.625 }, timezone: 'Europe/Berlin', instanceId: '5f0c1e2d-3b4a-4c5d-8e6f-7a8b9c0d1e2f', traits: {},
    };
    const base = { anonymousId: 'fl-anon-1', userId: null, context, integrations: {}, _metadata: { bundled: [], unbundled: [], bundledIds: [] } };
    // The library stamps `timestamp` only when unset (`??=`): an app's own plugin can set it first, e.g. from a local
    // `DateTime.now().toIso8601String()`, which has no offset. Its zone is unknown, so it is not read as UTC.
    const localTime = '2026-11-26T10:05:00.654321';
    const batch = [
      { ...base, type: 'track', event: 'Cart Viewed', properties: { items: 2 }, messageId: '0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a', timestamp: '2026-11-26T09:05:00.123456Z' },
      { ...base, type: 'screen', name: 'Cart', properties: null, messageId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', timestamp: '2026-11-26T09:05:00.223456Z' },
      { ...base, type: 'track', event: 'Coupon Applied', properties: { code: 'WINTER' }, messageId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', timestamp: localTime },
    ];
    const sentAt = '2026-11-26T09:05:01.000321Z';
    const res = await fetch(`${h.url}/v1/b`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'analytics-flutter/1.1.7', 'accept-encoding': 'gzip' }, body: JSON.stringify({ batch, sentAt, writeKey: KEY }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 3, rejected: 0 });
    const [viewed, cart, coupon] = await storedBy('analytics-flutter');
    expect(viewed).toMatchObject({ event: 'Cart Viewed', anonymous_id: 'fl-anon-1', user_id: null, client_ts: '2026-11-26T09:05:00.123456Z', properties: { items: 2 } });
    expect(viewed!.context).toMatchObject({ screen: context.screen, device: context.device, network: context.network, traits: {} });
    expect(cart).toMatchObject({ type: 'screen', event: 'Cart' });
    expect(cart).not.toHaveProperty('properties');
    // The offset-less time is kept as sent; the event's time is the batch's sentAt, and it is accepted.
    expect(coupon).toMatchObject({ event: 'Coupon Applied', client_ts: sentAt });
    expect(extra(coupon)).toMatchObject({ timestamp: localTime });
  });

  it('analytics-java 3.x: JSON to /v1/import/ (with the slash), the key only in the body, a batch-level context and sequence, Iso8601Utils times', async () => {
    // segmentio/analytics-java: analytics/src/main/java/com/segment/analytics/Analytics.java (endpoint + `/v1/import/`, a
    // User-Agent `analytics-java/<version>`, Gson), AnalyticsRequestInterceptor.java (the User-Agent only: no Authorization),
    // analytics-core/.../messages/Batch.java (`{ batch, sentAt, context, sequence, writeKey }`, sentAt a message's own when set),
    // internal/AnalyticsClient.java (the batch context: library analytics-java), gson/Iso8601Utils.java (`yyyy-MM-ddTHH:mm:ss.SSSZ`, UTC).
    const sentAt = '2026-11-26T09:10:02.345Z';
    const batch = [
      { type: 'track', messageId: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f', timestamp: '2026-11-26T09:10:00.100Z', userId: 'java-user', event: 'Invoice Sent', properties: { amount: 99.5, currency: 'EUR' }, integrations: {} },
      { type: 'identify', messageId: '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a', timestamp: '2026-11-26T09:10:00.200Z', userId: 'java-user', traits: { plan: 'team' }, sentAt },
      { type: 'page', messageId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b', timestamp: '2026-11-26T09:10:00.300Z', anonymousId: 'java-anon', name: 'Billing', properties: { path: '/billing' } },
    ];
    const body = { batch, sentAt, context: { library: { name: 'analytics-java', version: '3.5.1' } }, sequence: 7, writeKey: KEY };
    const res = await fetch(`${h.url}/v1/import/`, { method: 'POST', headers: { 'content-type': 'application/json; charset=UTF-8', 'user-agent': 'analytics-java/3.5.1' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 3, rejected: 0 });
    const [invoice, identify, page] = await storedBy('analytics-java');
    expect(invoice).toMatchObject({ event: 'Invoice Sent', user_id: 'java-user', anonymous_id: 'java-user', client_ts: '2026-11-26T09:10:00.100Z', sent_at: sentAt, properties: { amount: 99.5 } });
    expect(invoice!.context.library).toEqual({ name: 'analytics-java', version: '3.5.1' });
    expect(extra(invoice)).toMatchObject({ batch: { sequence: 7 } });
    // A message's own sentAt equal to the batch's is not kept twice.
    expect(extra(identify)).not.toHaveProperty('sentAt');
    expect(page).toMatchObject({ type: 'page', event: 'Billing', anonymous_id: 'java-anon', properties: { path: '/billing' } });
  });

  it('analytics-ruby: JSON to /v1/import with Basic auth, iso8601(3) times in the local offset, a page without a name, Dates as YYYY-MM-DD', async () => {
    // segmentio/analytics-ruby: lib/segment/analytics/defaults.rb (`/v1/import`, Content-Type and Accept JSON, User-Agent
    // `analytics-ruby/<version>`), transport.rb (`{ sentAt, batch }`, basic_auth(write_key, nil)), utils.rb (Time → `%Y-%m-%dT%H:%M:%S`,
    // 3 fraction digits and the Time's own offset, `Z` only for a UTC Time; a Date property → `%F`), field_parser.rb (the context's
    // library, messageId, `name: ''` for a page called without one, userId/anonymousId only when set).
    const context = { library: { name: 'analytics-ruby', version: '2.5.0' } };
    const batch = [
      { context, messageId: '6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c', timestamp: '2026-11-26T18:20:00.123+09:00', userId: 'rb-user', type: 'track', event: 'Order Shipped', properties: { ordered_on: '2026-11-25', total: 30.5 } },
      { context, messageId: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d', timestamp: '2026-11-26T18:20:00.456+09:00', userId: 'rb-user', type: 'page', name: '', properties: { url: 'https://shop.example/orders' } },
    ];
    const res = await fetch(`${h.url}/v1/import`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'analytics-ruby/2.5.0', authorization: basic(KEY) }, body: JSON.stringify({ sentAt: '2026-11-26T18:20:01.789+09:00', batch }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 2, rejected: 0 });
    const [shipped, page] = await storedBy('analytics-ruby');
    expect(shipped).toMatchObject({ event: 'Order Shipped', user_id: 'rb-user', client_ts: '2026-11-26T18:20:00.123+09:00', sent_at: '2026-11-26T18:20:01.789+09:00', properties: { ordered_on: '2026-11-25' } });
    expect(page!.event).toBeUndefined();
    expect(extra(page)).toMatchObject({ name: '' });
  });

  it('analytics-php 3.x: gzip JSON to /v1/batch with Basic auth, date("c") times (seconds, +00:00), empty properties as {}, the consumer in the library', async () => {
    // segmentio/analytics-php: lib/Consumer/LibCurl.php (`/v1/batch`, CURLOPT_USERPWD `<key>:`, Content-Type JSON,
    // `Content-Encoding: gzip` with compress_request, User-Agent `<library>/<version>`), lib/Consumer/QueueConsumer.php
    // (`{ batch, sentAt: date('c') }`), lib/Client.php (context.library with `consumer`, timestamp `date('c')`, messageId a
    // random v4, an empty properties/traits array cast to an object), lib/Version.php (3.8.0).
    const context = { library: { name: 'analytics-php', version: '3.8.0', consumer: 'LibCurl' } };
    const batch = [
      { userId: 'php-7', event: 'Signed Up', properties: {}, context, timestamp: '2026-11-26T09:30:00+00:00', messageId: '8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e', type: 'track' },
      { userId: 'php-7', traits: { name: 'Ada' }, context, timestamp: '2026-11-26T09:30:00+00:00', messageId: '9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f', type: 'identify' },
      { previousId: 'php-anon', userId: 'php-7', context, timestamp: '2026-11-26T09:30:01+00:00', messageId: '0d1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f3a', type: 'alias' },
    ];
    const res = await fetch(`${h.url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'user-agent': 'analytics-php/3.8.0', authorization: basic(KEY) }, body: gzipSync(JSON.stringify({ batch, sentAt: '2026-11-26T09:30:02+00:00' })) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 3, rejected: 0 });
    const [signedUp, identify, alias] = await storedBy('analytics-php');
    expect(signedUp).toMatchObject({ event: 'Signed Up', user_id: 'php-7', client_ts: '2026-11-26T09:30:00+00:00', sent_at: '2026-11-26T09:30:02+00:00', properties: {} });
    expect(extra(signedUp)).toMatchObject({ context: { library: { consumer: 'LibCurl' } } });
    expect(identify).toMatchObject({ traits: { name: 'Ada' } });
    expect(alias).toMatchObject({ type: 'alias', previous_id: 'php-anon', user_id: 'php-7' });
  });

  it('Analytics.NET 3.x: JSON to /v1/import with Basic auth, ToString("o") times (7 digits, local offset), and a user timestamp of unspecified kind (no offset)', async () => {
    // segmentio/Analytics.NET: Analytics/Request/BlockingRequestHandler.cs (Host + `/v1/import`, Basic auth `<key>:`, JSON,
    // gzip only with Config.Gzip (off by default: Config.cs), `batch.SentAt = DateTime.Now.ToString("o")`), Analytics/Model/
    // BaseAction.cs (timestamp: the Options timestamp's `ToString("o")`, else `DateTime.Now.ToString("o")`; messageId a Guid),
    // Model/Context.cs (library `Analytics.NET`). `"o"` writes 7 fraction digits, then `Z` for a UTC DateTime, the machine's
    // offset for a local one, and nothing for one of unspecified kind (`new DateTime(2026, 11, 1, 9, 0, 0)`, a value read
    // from a database): such a time could be UTC or local, so it is kept as sent and not read.
    const context = { library: { name: 'Analytics.NET', version: '3.8.1' } };
    const unspecified = '2026-11-01T09:00:00.0000000';
    const sentAt = '2026-11-26T10:40:01.9876543+01:00';
    // Segment takes any id length; one over our 256 (an OAuth subject, say) is stored fitted and still partitions in Kinesis.
    const longUserId = `auth0|${'9'.repeat(300)}`;
    const batch = [
      { type: 'track', messageId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', timestamp: '2026-11-26T10:40:00.1234567+01:00', context, integrations: {}, userId: 'net-user', event: 'Report Exported', properties: { rows: 1200 } },
      { type: 'track', messageId: 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e', timestamp: unspecified, context, integrations: {}, userId: 'net-user', event: 'Backfilled Order', properties: { id: 17 } },
      { type: 'identify', messageId: 'c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e7f', timestamp: '2026-11-26T10:40:00.3456789+01:00', context, integrations: {}, userId: longUserId, traits: { plan: 'enterprise' } },
    ];
    const res = await fetch(`${h.url}/v1/import`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'Analytics.NET/3.8.1', authorization: basic(KEY) }, body: JSON.stringify({ batch, sentAt, messageId: 'd4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7f80' }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 3, rejected: 0 });
    const [exported, backfilled, identify] = await storedBy('Analytics.NET');
    expect(exported).toMatchObject({ event: 'Report Exported', client_ts: '2026-11-26T10:40:00.1234567+01:00', sent_at: sentAt });
    expect(backfilled).toMatchObject({ event: 'Backfilled Order', client_ts: sentAt });
    expect(extra(backfilled)).toMatchObject({ timestamp: unspecified, batch: { messageId: 'd4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7f80' } });
    expect(identify).toMatchObject({ user_id: fitText(longUserId, 256), anonymous_id: fitText(longUserId, 256) });
    expect(extra(identify)).toMatchObject({ userId: longUserId });
    expect(await h.badRows()).toEqual([]);
  });
  it('Analytics-CSharp: its batch file gzipped to /v1/b with no Content-Type and no Authorization (key in the body), Newtonsoft camelCase with nulls, ToString("o") UTC times', async () => {
    // segmentio/Analytics-CSharp: Segment/Analytics/Utilities/HTTPClient.cs (DefaultHTTPClient.DoPost: `https://` + apiHost
    // (`api.segment.io/v1`) + `/b`, the file gzipped into a StreamContent with `Content-Encoding: gzip` and no Content-Type,
    // `Accept: text/plain`, `Connection: close`, `X-Retry-Count` on a retry, no Authorization header), Utilities/Storage.cs
    // (the file: `{"batch":[` + events joined by `,` + `],"sentAt":"` + DateTime.UtcNow.ToString("o") + `","writeKey":"…"}`;
    // an event of 32,000 characters or more is refused at the call), Types.cs (RawEvent: type, anonymousId, messageId a
    // Guid, userId, timestamp DateTime.UtcNow.ToString("o"), context, integrations, metrics, _metadata, enrichment;
    // screen and page carry name, category, properties; alias previousId), Plugins/ContextPlugin.cs (context.library
    // `Analytics-CSharp` and its version, nothing else), and segmentio/Serialization.NET's JsonUtility.cs (Newtonsoft with
    // a camelCase naming strategy and default settings: null members written as null). `"o"` on a UTC DateTime writes
    // 7 fraction digits and `Z`.
    const anonymousId = '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b';
    const context = { library: { name: 'Analytics-CSharp', version: '2.5.4' } };
    const common = { anonymousId, context, integrations: {}, metrics: null, _metadata: { bundled: [], unbundled: [], bundledIds: [] }, enrichment: null };
    const events = [
      { event: 'Checkout Started', properties: { total: 42.5, currency: 'EUR' }, type: 'track', ...common, messageId: '0c9e8d7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f', userId: null, timestamp: '2026-11-26T11:00:00.1234567Z' },
      { name: 'Settings', category: 'Account', properties: { tab: 'privacy' }, type: 'screen', ...common, messageId: '1d0f9e8a-7b6c-4d5e-8f3a-2b1c0d9e8f7a', userId: null, timestamp: '2026-11-26T11:00:01.2345678Z' },
      { name: 'Pricing', category: null, properties: null, type: 'page', ...common, messageId: '2e1a0f9b-8c7d-4e6f-9a4b-3c2d1e0f9a8b', userId: null, timestamp: '2026-11-26T11:00:02.3456789Z' },
      { traits: { plan: 'pro', email: 'cs@shop.example' }, type: 'identify', ...common, messageId: '3f2b1a0c-9d8e-4f7a-8b5c-4d3e2f1a0b9c', userId: 'cs-user', timestamp: '2026-11-26T11:00:03.4567890Z' },
      { groupId: 'org-7', traits: { seats: 12 }, type: 'group', ...common, messageId: '4a3c2b1d-0e9f-4a8b-9c6d-5e4f3a2b1c0d', userId: 'cs-user', timestamp: '2026-11-26T11:00:04.5678901Z' },
      { previousId: anonymousId, type: 'alias', ...common, messageId: '5b4d3c2e-1f0a-4b9c-8d7e-6f5a4b3c2d1e', userId: 'cs-user', timestamp: '2026-11-26T11:00:05.6789012Z' },
    ];
    const sentAt = '2026-11-26T11:00:06.7890123Z';
    const file = `{"batch":[${events.map((e) => JSON.stringify(e)).join(',')}],"sentAt":"${sentAt}","writeKey":"${KEY}"}`;
    // What DoPost sends on a retry (X-Retry-Count 1); fetch sets neither Content-Type (a byte body) nor lets a caller set Connection.
    const res = await fetch(`${h.url}/v1/b`, { method: 'POST', headers: { 'content-encoding': 'gzip', accept: 'text/plain', 'x-retry-count': '1' }, body: gzipSync(file) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 6, rejected: 0 });
    const stored = await storedBy('Analytics-CSharp');
    expect(stored.map((e) => [e.type, e.event ?? null])).toEqual([['track', 'Checkout Started'], ['screen', 'Settings'], ['page', 'Pricing'], ['identify', null], ['group', null], ['alias', null]]);
    const [track, screen, page, identify, group, alias] = stored;
    expect(track).toMatchObject({ anonymous_id: anonymousId, client_ts: '2026-11-26T11:00:00.1234567Z', sent_at: sentAt, properties: { total: 42.5, currency: 'EUR' } });
    // `userId: null` (not yet identified) is no user id; `metrics` and `enrichment`, fields our envelope has no place for, are kept as sent (null).
    expect(track!.user_id ?? null).toBeNull();
    expect(extra(track)).toEqual({ messageId: events[0]!.messageId, integrations: {}, _metadata: common._metadata, metrics: null, enrichment: null });
    expect(screen).toMatchObject({ properties: { tab: 'privacy', category: 'Account' } });
    expect(page!.properties).toBeUndefined();
    expect(identify).toMatchObject({ user_id: 'cs-user', anonymous_id: anonymousId, traits: { plan: 'pro', email: 'cs@shop.example' } });
    expect(group).toMatchObject({ group_id: 'org-7', traits: { seats: 12 } });
    expect(alias).toMatchObject({ user_id: 'cs-user', previous_id: anonymousId });
    expect(new Set(stored.map((e) => e.event_id)).size).toBe(6);
    expect(await h.badRows()).toEqual([]);
  });
});
