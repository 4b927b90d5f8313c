import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  badRowPrefix,
  createFolderSink,
  PAYLOAD_MAX_CHARS,
  decodeNdjsonGzip,
  deliverRecords,
  encodeNdjsonGzip,
  eventPrefix,
  objectName,
  runQuery,
  writeFileAtomic,
} from '../src';
import { record, storedEvent } from './fixtures/events';
import { tempDirs } from './fixtures/temp-dir';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('partition prefixes', () => {
  it('partitions events by app, UTC date and hour of received_at', () => {
    expect(eventPrefix({ app_id: 'shop', received_at: '2026-11-25T09:31:12.456Z' })).toBe(
      'events/app_id=shop/event_date=2026-11-25/hour=09/',
    );
    // 23:30 at UTC-2 is 01:30 the next day in UTC.
    expect(eventPrefix({ app_id: 'a_b-1', received_at: '2026-12-31T23:30:00-02:00' })).toBe(
      'events/app_id=a_b-1/event_date=2027-01-01/hour=01/',
    );
  });

  it('gives each event its own app and hour whatever its neighbours had (the last pair is remembered)', () => {
    const cases: [string, string, string][] = [
      ['shop', '2026-11-25T09:59:59.999Z', 'events/app_id=shop/event_date=2026-11-25/hour=09/'],
      ['shop', '2026-11-25T09:00:00Z', 'events/app_id=shop/event_date=2026-11-25/hour=09/'],
      ['shop', '2026-11-25T10:00:00.000Z', 'events/app_id=shop/event_date=2026-11-25/hour=10/'],
      ['blog', '2026-11-25T10:00:00.000Z', 'events/app_id=blog/event_date=2026-11-25/hour=10/'],
      ['shop', '2026-11-25T10:30:00+01:00', 'events/app_id=shop/event_date=2026-11-25/hour=09/'],
      ['shop', '2026-11-25T10:30:00.000Z', 'events/app_id=shop/event_date=2026-11-25/hour=10/'],
      ['shop', '2026-11-26T10:30:00.000Z', 'events/app_id=shop/event_date=2026-11-26/hour=10/'],
    ];
    for (const [appId, receivedAt, prefix] of [...cases, ...[...cases].reverse()]) {
      expect(eventPrefix({ app_id: appId, received_at: receivedAt })).toBe(prefix);
    }
  });

  it('partitions bad rows by error type and arrival date, else failure date', () => {
    expect(badRowPrefix({ error_type: 'parse', arrived_at: '2026-11-25T23:59:59.000Z', failed_at: '2026-11-26T00:00:01.000Z' })).toBe(
      'bad_rows/error_type=parse/event_date=2026-11-25/',
    );
    expect(badRowPrefix({ error_type: 'validation', arrived_at: null, failed_at: '2026-11-26T00:00:01.000Z' })).toBe(
      'bad_rows/error_type=validation/event_date=2026-11-26/',
    );
  });
});

describe('objectName', () => {
  it('is derived from shard and sequence range only', () => {
    expect(objectName('shardId-000000000001', '4960', '4971')).toBe('shardId-000000000001-4960-4971.ndjson.gz');
  });

  it('refuses parts that could escape the folder', () => {
    expect(() => objectName('../x', '1', '2')).toThrow(/unsafe/);
  });
});

describe('NDJSON + gzip', () => {
  it('round-trips values, one per line', () => {
    const values = [storedEvent(), { nested: { a: [1, 'two', null] }, text: 'line\nbreak ✓' }];
    const bytes = encodeNdjsonGzip(values);
    expect(bytes[0]).toBe(0x1f); // gzip magic
    expect(decodeNdjsonGzip(bytes)).toEqual(values);
  });
});

describe('writeFileAtomic and the folder sink', () => {
  it('creates folders, replaces content and leaves no temp files', async () => {
    const dir = await dirs.make();
    const path = join(dir, 'a', 'b', 'file.json');
    await writeFileAtomic(path, Buffer.from('one'));
    await writeFileAtomic(path, Buffer.from('two'));
    expect(await readFile(path, 'utf8')).toBe('two');
    expect(await listFiles(dir)).toEqual(['a/b/file.json']);
  });

  it('writes objects under the root and rejects keys outside it', async () => {
    const dir = await dirs.make();
    const sink = createFolderSink(dir);
    await sink.write('events/x/f.ndjson.gz', encodeNdjsonGzip([{ a: 1 }]));
    expect(decodeNdjsonGzip(await readFile(join(dir, 'events/x/f.ndjson.gz')))).toEqual([{ a: 1 }]);
    await expect(sink.write('../escape.txt', Buffer.from('x'))).rejects.toThrow(/inside the lake/);
    await expect(sink.write('/abs.txt', Buffer.from('x'))).rejects.toThrow(/inside the lake/);
  });
});

describe('deliverRecords', () => {
  it('dedupes a flush on (app_id, event_id): another app\'s row with the same event_id is delivered', async () => {
    const dir = await dirs.make();
    const shop = storedEvent({ app_id: 'shop' });
    const blog = { ...shop, app_id: 'blog' };
    const result = await deliverRecords('shardId-000000000000', [record(shop), record(blog), record(blog)], createFolderSink(dir));
    expect(result).toMatchObject({ rowsDelivered: 2, duplicates: 1 });
    expect((await listFiles(dir)).map((f) => f.split('/')[1])).toEqual(['app_id=blog', 'app_id=shop']);
  });

  it('writes one file per partition, named by the sequence range it holds', async () => {
    const dir = await dirs.make();
    const nine = storedEvent({ received_at: '2026-11-25T09:00:00.000Z' });
    const ten = storedEvent({ received_at: '2026-11-25T10:00:00.000Z' });
    const nineAgain = storedEvent({ received_at: '2026-11-25T09:59:59.999Z' });
    const records = [record(nine), record(ten), record('not json'), record(nineAgain), record(nine)];
    const result = await deliverRecords('shardId-000000000000', records, createFolderSink(dir));

    expect(result).toMatchObject({ rowsDelivered: 3, badRows: 1, duplicates: 1, filesWritten: 3 });
    const seq = records.map((r) => r.sequenceNumber);
    expect(await listFiles(dir)).toEqual(
      [
        `bad_rows/error_type=parse/event_date=2026-11-25/shardId-000000000000-${seq[2]}-${seq[2]}.ndjson.gz`,
        `events/app_id=shop/event_date=2026-11-25/hour=09/shardId-000000000000-${seq[0]}-${seq[3]}.ndjson.gz`,
        `events/app_id=shop/event_date=2026-11-25/hour=10/shardId-000000000000-${seq[1]}-${seq[1]}.ndjson.gz`,
      ].sort(),
    );
    const nineFile = join(dir, `events/app_id=shop/event_date=2026-11-25/hour=09/shardId-000000000000-${seq[0]}-${seq[3]}.ndjson.gz`);
    expect((decodeNdjsonGzip(await readFile(nineFile)) as { event_id: string }[]).map((r) => r.event_id)).toEqual([nine.event_id, nineAgain.event_id]);
  });

  it('rewrites the same objects when the same records are delivered again', async () => {
    const dir = await dirs.make();
    const records = [record(storedEvent()), record(storedEvent())];
    const first = await deliverRecords('shardId-000000000001', records, createFolderSink(dir));
    const again = await deliverRecords('shardId-000000000001', records, createFolderSink(dir));
    expect(again.objectKeys).toEqual(first.objectKeys);
    expect(await listFiles(dir)).toEqual(first.objectKeys);
  });

  it('cuts a long payload before an emoji that straddles the limit, so DuckDB still reads bad_rows (a lone surrogate made it refuse the file)', async () => {
    const dir = await dirs.make();
    // The emoji's first half is the payload's last kept code unit: a parse failure and a validation failure.
    const unparseable = `{${'x'.repeat(PAYLOAD_MAX_CHARS - 2)}😀 and more`;
    const invalid = storedEvent({ properties: { note: '' }, seq: -1 });
    const prefix = JSON.stringify(invalid).slice(0, JSON.stringify(invalid).indexOf('"note":"') + 8);
    const note = 'y'.repeat(PAYLOAD_MAX_CHARS - 1 - prefix.length) + '🎉🎉';
    const records = [record(unparseable), record({ ...invalid, properties: { note } })];
    const result = await deliverRecords('shardId-000000000000', records, createFolderSink(dir));
    expect(result).toMatchObject({ rowsDelivered: 0, badRows: 2 });
    const rows = await runQuery(dir, 'SELECT error_type, length(payload) AS n, payload_truncated AS cut, right(payload, 2) AS tail FROM bad_rows ORDER BY error_type');
    expect(rows).toEqual([
      { error_type: 'parse', n: PAYLOAD_MAX_CHARS - 1, cut: true, tail: 'xx' },
      { error_type: 'validation', n: PAYLOAD_MAX_CHARS - 1, cut: true, tail: 'yy' },
    ]);
  });
});
