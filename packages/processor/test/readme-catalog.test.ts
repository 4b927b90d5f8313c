import { hiveType, LAKE_COLUMNS } from '@eventline/schemas';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const readme = (): Promise<string> => readFile(new URL('../README.md', import.meta.url), 'utf8');

describe('README: envelope version 2', () => {
  it("gives Athena users the ALTER TABLE that adds exactly the catalog's v2 columns, with their types", async () => {
    const added = LAKE_COLUMNS.filter((c) => c.name.startsWith('first_touch_'));
    expect(added).toHaveLength(7);
    // They are the catalog's last columns: ADD COLUMNS appends, so the table's order stays the catalog's.
    expect(LAKE_COLUMNS.slice(-added.length)).toEqual(added);
    const sql = `ALTER TABLE events ADD COLUMNS (${added.map((c) => `${c.name} ${hiveType(c.type)}`).join(', ')})`;
    expect(await readme()).toContain(`\n  ${sql}\n`);
  });
});
