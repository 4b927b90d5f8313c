import { afterAll, describe, expect, it } from 'vitest';
import { compilePrefix, createFolderSink, DEFAULT_ERROR_PREFIX, DEFAULT_EVENT_PREFIX, deliverRecords, PartitionValueError, PrefixExpressionError, runQuery } from '../src';
import { record, storedEvent } from './fixtures/events';
import { tempDirs } from './fixtures/temp-dir';
import { readEnv } from '../src/config';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const at = new Date('2026-11-25T09:07:05.000Z');

describe('Firehose-style prefix expressions', () => {
  it('defaults to the Hive layout', () => {
    expect(compilePrefix(DEFAULT_EVENT_PREFIX)({ timestamp: at, partitionKeys: { app_id: 'shop' } })).toBe(
      'events/app_id=shop/event_date=2026-11-25/hour=09/',
    );
    expect(compilePrefix(DEFAULT_ERROR_PREFIX, 'errors')({ timestamp: at, partitionKeys: {}, errorOutputType: 'parse' })).toBe(
      'bad_rows/error_type=parse/event_date=2026-11-25/',
    );
  });

  it("evaluates Firehose's own default and custom layouts", () => {
    expect(compilePrefix('!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/')({ timestamp: at, partitionKeys: {} })).toBe(
      '2026/11/25/09/',
    );
    const custom = compilePrefix('raw/!{partitionKeyFromLambda:event}/!{timestamp:yyyyMMdd-HHmmss}/');
    expect(custom({ timestamp: at, partitionKeys: { event: 'af_purchase' } })).toBe('raw/af_purchase/20261125-090705/');
  });

  it('writes yyyy with four digits before year 1000, as Firehose does (event_date=999-06-01 was neither a date nor sortable)', async () => {
    const early = new Date('0999-06-01T10:00:00.000Z');
    expect(compilePrefix(DEFAULT_EVENT_PREFIX)({ timestamp: early, partitionKeys: { app_id: 'shop' } })).toBe('events/app_id=shop/event_date=0999-06-01/hour=10/');
    expect(compilePrefix('!{timestamp:yyyyMMdd}/')({ timestamp: new Date('0005-01-02T00:00:00Z'), partitionKeys: {} })).toBe('00050102/');
    expect(() => compilePrefix('!{timestamp:yyyy}/')({ timestamp: new Date(Date.UTC(10_000, 0, 1)), partitionKeys: {} })).toThrow(PartitionValueError);

    // Through delivery: the early event's folder reads back with its event_date, next to a current one.
    const lake = await dirs.make();
    const events = [storedEvent(), storedEvent({ received_at: '0999-06-01T10:00:00.000Z' })];
    const result = await deliverRecords('shardId-000000000000', events.map((e) => record(e)), createFolderSink(lake));
    expect(result.objectKeys.map((k) => k.split('/').slice(0, 4).join('/')).sort()).toEqual([
      'events/app_id=shop/event_date=0999-06-01/hour=10',
      'events/app_id=shop/event_date=2026-11-25/hour=09',
    ]);
    expect(await runQuery(lake, "SELECT strftime(event_date, '%Y-%m-%d') AS day, hour FROM events ORDER BY event_date")).toEqual([
      { day: '0999-06-01', hour: 10 },
      { day: '2026-11-25', hour: 9 },
    ]);
  });

  it("refuses at start a format or key that wrote something else than it says (Java's letters, lengths and syntax; an unknown partition key), naming the form to write", () => {
    const refused: Record<string, string> = {
      'x/!{timestamp:YYYY}/': '!{timestamp:YYYY}: "YYYY" is the week-based year (the next year already in the last days of December): write yyyy (supported: yyyy MM dd HH mm ss)',
      'x/!{timestamp:yyyy-MM-DD}/': '!{timestamp:yyyy-MM-DD}: "DD" is the day of the year: write dd for the day of the month (supported: yyyy MM dd HH mm ss)',
      'x/!{timestamp:hh}/': '!{timestamp:hh}: "hh" is the hour on a 12-hour clock: write HH (supported: yyyy MM dd HH mm ss)',
      'x/!{timestamp:MMMM}/': '!{timestamp:MMMM}: "MMMM" is the month name: write MM (supported: yyyy MM dd HH mm ss)',
      'x/!{timestamp:yyyyyyyy}/': '!{timestamp:yyyyyyyy}: "yyyyyyyy" is not supported: write yyyy (supported: yyyy MM dd HH mm ss)',
      "x/!{timestamp:'year='yyyy}/": `!{timestamp:'year='yyyy}: "'" is pattern syntax in Firehose and is not supported: write literal text outside the expression, e.g. year=!{timestamp:yyyy}/`,
      'x/!{timestamp:}/': '!{timestamp:}: an empty format writes nothing: write one, e.g. yyyy-MM-dd',
      'x/!{timestamp:yyyy/mm/dd}/': 'prefix "x/!{timestamp:yyyy/mm/dd}/": mm is the minute, and no HH comes with it: write MM for the month',
      'x/!{partitionKeyFromQuery:appid}/': '!{partitionKeyFromQuery:appid}: no partition key "appid" (the keys are app_id, type, event)',
      'x/!{partitionKeyFromLambda:App_Id}/': '!{partitionKeyFromLambda:App_Id}: no partition key "App_Id" (the keys are app_id, type, event)',
      'x//!{timestamp:yyyy}/': 'prefix "x//!{timestamp:yyyy}/" has an empty or "." folder name: write each folder once, "a/b/"',
      './x/': 'prefix "./x/" has an empty or "." folder name: write each folder once, "a/b/"',
    };
    for (const [expression, message] of Object.entries(refused)) expect(() => compilePrefix(expression)).toThrow(new PrefixExpressionError(message));
    // Every supported field, minute with hour, a known key: accepted.
    const ctx = { timestamp: at, partitionKeys: { app_id: 'shop', type: 'track', event: 'buy' } };
    expect(compilePrefix('m=!{timestamp:yyyy-MM-dd HH:mm}/!{partitionKeyFromQuery:type}/')(ctx)).toBe('m=2026-11-25 09:07/track/');
    expect(() => readEnv({ STREAM_NAME: 'e', AWS_REGION: 'eu-west-1', EVENT_PREFIX: 'e/!{timestamp:YYYY}/' })).toThrow(/EVENT_PREFIX: !\{timestamp:YYYY\}: "YYYY" is the week-based year/);
  });

  it('refuses what would break exactly-once names or escape the lake', () => {
    expect(() => compilePrefix('x/!{firehose:random-string}/')).toThrow(/exactly-once/);
    expect(() => compilePrefix('events/!{firehose:error-output-type}/')).toThrow(/error prefix/);
    expect(() => compilePrefix('../x/')).toThrow(PrefixExpressionError);
    expect(() => compilePrefix('x')).toThrow(/end with/);
    expect(() => compilePrefix('!{timestamp:yyyy-QQ}/')).toThrow('!{timestamp:yyyy-QQ}: "QQ" is not supported (supported: yyyy MM dd HH mm ss)');
    expect(() => compilePrefix('!{nope:x}/')).toThrow(/unknown/);
    expect(() => compilePrefix('!{partitionKeyFromQuery:app_id}/')({ timestamp: at, partitionKeys: { app_id: '../etc' } })).toThrow(
      /no usable value/,
    );
  });
});
