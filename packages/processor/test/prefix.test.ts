import { describe, expect, it } from 'vitest';
import { compilePrefix, DEFAULT_ERROR_PREFIX, DEFAULT_EVENT_PREFIX, PrefixExpressionError } from '../src';

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

  it('refuses what would break exactly-once names or escape the lake', () => {
    expect(() => compilePrefix('x/!{firehose:random-string}/')).toThrow(/exactly-once/);
    expect(() => compilePrefix('events/!{firehose:error-output-type}/')).toThrow(/error prefix/);
    expect(() => compilePrefix('../x/')).toThrow(PrefixExpressionError);
    expect(() => compilePrefix('x')).toThrow(/end with/);
    expect(() => compilePrefix('!{timestamp:yyyy-QQ}/')).toThrow(/unsupported timestamp/);
    expect(() => compilePrefix('!{nope:x}/')).toThrow(/unknown/);
    expect(() => compilePrefix('!{partitionKeyFromQuery:app_id}/')({ timestamp: at, partitionKeys: { app_id: '../etc' } })).toThrow(
      /no usable value/,
    );
  });
});
