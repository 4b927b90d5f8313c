import { LAKE_COLUMNS, LEGACY_FIRST_TOUCH, SCHEMA_VERSION } from '@eventline/schemas';
import { describe, expect, it } from 'vitest';
import { checkPiiPolicy, processRecords } from '../src';
import { COLUMN_PATHS } from '../src/core/lake-row';
import { record, storedEvent, storedEventV1 } from './fixtures/events';

const library = { name: 'eventline-sdk', version: '0.1.0' };
const firstTouch = { source: 'google', medium: 'cpc', name: 'launch', term: 'shoes', content: 'ad-1', click_id: 'g-123', click_id_type: 'gclid' };
const firstTouchColumns = {
  first_touch_source: 'google',
  first_touch_medium: 'cpc',
  first_touch_name: 'launch',
  first_touch_term: 'shoes',
  first_touch_content: 'ad-1',
  first_touch_click_id: 'g-123',
  first_touch_click_id_type: 'gclid',
};

describe('context.first_touch (envelope v2)', () => {
  it('flattens a v2 first_touch into the seven first_touch_* columns and leaves it out of context', () => {
    const { rows, badRows } = processRecords([record(storedEvent({ context: { library, first_touch: firstTouch, campaign: { source: 'news' } } }))]);
    expect(badRows).toEqual([]);
    expect(rows[0]).toMatchObject({ schema_version: 2, campaign_source: 'news', ...firstTouchColumns });
    expect(rows[0]?.context).toBeUndefined();
  });

  it('upcasts a v1 record: a campaign-shaped first_touch fills the columns, and the row says version 2', () => {
    const { rows, badRows } = processRecords([record(storedEventV1({ context: { library, first_touch: { source: 'bing', click_id: 'm-1', click_id_type: 'msclkid' } } }))]);
    expect(badRows).toEqual([]);
    expect(rows[0]).toMatchObject({ schema_version: SCHEMA_VERSION, first_touch_source: 'bing', first_touch_click_id: 'm-1', first_touch_click_id_type: 'msclkid' });
    expect(rows[0]?.first_touch_medium).toBeUndefined();
    expect(rows[0]?.context).toBeUndefined();
  });

  it('a v1 record without schema_version is upcast the same way', () => {
    const unversioned = storedEventV1({ context: { library, first_touch: { source: 'bing' } } });
    delete unversioned.schema_version;
    const { rows, badRows } = processRecords([record(unversioned)]);
    expect(badRows).toEqual([]);
    expect(rows[0]).toMatchObject({ schema_version: 2, first_touch_source: 'bing' });
  });

  it('keeps a v1 first_touch that is no campaign in the context column, under legacy_first_touch, and fills no column', () => {
    const odd = { source: 'google', landing: '/sale' };
    const { rows, badRows } = processRecords([
      record(storedEventV1({ context: { library, first_touch: 'google' } })),
      record(storedEventV1({ context: { library, first_touch: odd } })),
    ]);
    expect(badRows).toEqual([]);
    expect(rows.map((r) => r.context)).toEqual([{ [LEGACY_FIRST_TOUCH]: 'google' }, { [LEGACY_FIRST_TOUCH]: odd }]);
    for (const row of rows) expect(Object.entries(row).filter(([k, v]) => k.startsWith('first_touch_') && v !== undefined)).toEqual([]);
  });

  it('a v1 record whose misfit first_touch cannot move (legacy_first_touch taken) is a validation bad row on context.first_touch', () => {
    const { rows, badRows } = processRecords([record(storedEventV1({ context: { library, first_touch: 'google', [LEGACY_FIRST_TOUCH]: 'x' } }))]);
    expect(rows).toEqual([]);
    expect(badRows).toHaveLength(1);
    expect(badRows[0]).toMatchObject({ error_type: 'validation' });
    expect(badRows[0]?.reason).toMatch(/^context\.first_touch/);
  });

  it('a v2 record whose first_touch is no campaign is a validation bad row (v2 is not upcast)', () => {
    const { rows, badRows } = processRecords([record({ ...storedEvent(), context: { library, first_touch: 'google' } })]);
    expect(rows).toEqual([]);
    expect(badRows[0]?.reason).toMatch(/^context\.first_touch/);
  });

  it('every first_touch_* column of the catalog has its path, so the PII policy can name it', () => {
    const catalog = LAKE_COLUMNS.filter((c) => c.name.startsWith('first_touch_')).map((c) => c.name);
    expect(catalog).toHaveLength(7);
    expect(catalog.map((c) => COLUMN_PATHS.get(c))).toEqual(catalog.map((c) => `context.first_touch.${c.slice('first_touch_'.length)}`));
  });

  it('the PII policy hashes and drops context.first_touch.* like context.campaign.*', () => {
    const policy = checkPiiPolicy({ hash: ['context.first_touch.click_id', 'context.campaign.click_id'], drop: ['context.first_touch.term'], salt: 'pepper' });
    const events = [
      storedEvent({ context: { library, first_touch: firstTouch, campaign: { click_id: 'g-123' } } }),
      storedEventV1({ context: { library, first_touch: firstTouch } }),
    ];
    const { rows, badRows } = processRecords(events.map((e) => record(e)), { pii: policy });
    expect(badRows).toEqual([]);
    const [v2, v1] = rows;
    expect(v2?.first_touch_click_id).toMatch(/^[0-9a-f]{64}$/);
    // Same salt and value: the same hash in both columns and both versions, so they still join.
    expect(v2?.first_touch_click_id).toBe(v2?.click_id);
    expect(v1?.first_touch_click_id).toBe(v2?.first_touch_click_id);
    for (const row of [v2, v1]) {
      expect(row?.first_touch_term).toBeUndefined();
      expect(row).toMatchObject({ first_touch_source: 'google', first_touch_click_id_type: 'gclid' });
    }
  });
});
