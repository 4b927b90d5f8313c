import { describe, expect, it } from 'vitest';
import { jsonCopy } from '../src/core/draft';
import { stashDrafts, takeDrafts } from '../src/core/pending';
import type { EventDraft } from '../src/core/notices';
import { toJson } from '../src/core/wire-json';
import { createLocalStorage } from '../src/platform/browser/storage-local';
import { prototypeDateToJson, prototypeNumberToJson, prototypeStringToJson, withPrototypeJs } from './prototype-js';
import { ingestSuite, record } from './support';

// A page with Prototype.js 1.6: its Array#toJSON makes JSON.stringify write every array as a string.
// (test/snippet.test.ts runs the built <script> SDK on such a page, batch and saved snippet calls included.)
const { ingest, clients } = ingestSuite();
const cart = { items: [{ sku: 'a', tags: ['x', 'y'] }, { sku: 'b', tags: [] }], total: 2 };

describe('on a page whose Array.prototype.toJSON returns a string (Prototype.js 1.6)', () => {
  it('the double does what Prototype does to JSON.stringify', async () => {
    await withPrototypeJs(() => expect(JSON.parse(JSON.stringify({ a: [1, [2]] }))).toEqual({ a: '[1, [2]]' }));
    expect(JSON.stringify({ a: [1] })).toBe('{"a":[1]}'); // and is gone again
  });

  it('toJson writes arrays as arrays, as JSON.stringify does on any other page', async () => {
    const value = { events: [cart, [[1], []]], n: null, d: new Date(0) };
    const expected = JSON.stringify(value);
    expect(await withPrototypeJs(() => toJson(value))).toBe(expected);
    expect(toJson(value)).toBe(expected);
  });

  it("the properties' JSON copy keeps arrays as arrays (it asks other objects' toJSON as JSON does)", async () => {
    const copy = await withPrototypeJs(() => jsonCopy({ ...cart, at: new Date(0), own: { toJSON: () => 'own' } }));
    expect(copy).toEqual({ ...cart, at: '1970-01-01T00:00:00.000Z', own: 'own' });
  });

  it("a Date is copied by JSON's own rule (UTC, milliseconds, zone), not by Prototype's Date#toJSON (local time in quotes); an own toJSON is asked", async () => {
    const value = { at: new Date(Date.UTC(2026, 10, 27, 15, 10, 0, 5)), bad: new Date(NaN), own: Object.assign(new Date(0), { toJSON: () => 'own' }) };
    const onPage = () => withPrototypeJs(() => jsonCopy(value), Date.prototype, prototypeDateToJson);
    // The double: local time, no milliseconds or zone, its quotes inside the string.
    expect(await withPrototypeJs(() => JSON.stringify(value.at), Date.prototype, prototypeDateToJson)).toMatch(/^"\\"2026-11-2\dT\d\d:\d0:00\\""$/);
    expect(await withPrototypeJs(onPage)).toEqual({ at: '2026-11-27T15:10:00.005Z', bad: null, own: 'own' });
  });

  it("a boxed number or string (new Number(3), new String('x')) is copied as its value, not by Prototype's Number#toJSON (a string) or String#toJSON (quotes inside)", async () => {
    // A boxed number's or string's own toJSON is not asked either (JSON would): no page was seen to set one.
    const value = { n: new Number(3), s: new String('x'), b: new Boolean(true), own: Object.assign(new Number(1), { toJSON: () => 'own' }) };
    const onPage = () => withPrototypeJs(() => jsonCopy(value), String.prototype, prototypeStringToJson);
    expect(await withPrototypeJs(() => JSON.stringify(value.s), String.prototype, prototypeStringToJson)).toBe('"\\"x\\""'); // the double
    expect(await withPrototypeJs(onPage, Number.prototype, prototypeNumberToJson)).toEqual({ n: 3, s: 'x', b: true, own: 1 });
  });

  it('localStorage entries and the hide-time stash keep their arrays', async () => {
    const saved = new Map<string, string>();
    const store = { get: (k: string) => saved.get(k) ?? null, set: (k: string, v: string) => void saved.set(k, v) };
    const storage = createLocalStorage({ ...store, getItem: store.get, setItem: store.set, removeItem: (k) => void saved.delete(k), key: () => null, length: 0 });
    const draft = { event_id: 'e-1', properties: cart } as unknown as EventDraft;
    await withPrototypeJs(async () => {
      await storage.setMany([['eventline.q.e-1', draft]]);
      expect(stashDrafts(store, [draft])).toBe(true);
    });
    expect(JSON.parse(saved.get('eventline.q.e-1') ?? 'null')).toEqual(draft);
    expect(takeDrafts(store)).toEqual([draft]);
  });

  it('a batch reaches the ingest with its events and their arrays, and nothing is dropped', async () => {
    await withPrototypeJs(async () => {
      const client = clients.create();
      const notices = record(client);
      client.track('cart_viewed', cart);
      await client.flush();
      expect(ingest.events().map((e) => [e.event, e.properties])).toEqual([['cart_viewed', cart]]);
      expect(notices.drop).toEqual([]);
    });
  });
});
