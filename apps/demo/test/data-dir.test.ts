import { describe, expect, it } from 'vitest';
import { queryHint } from '../src/data-dir';

describe('the banner’s query line', () => {
  it('is the plain command for the default lake, and sets LAKE_DIR (shell-quoted) for any other', () => {
    expect(queryHint('/repo/.data/lake', '/repo/')).toBe('npm run query -- "select event, count(*) from events group by all"');
    expect(queryHint('/tmp/d/lake', '/repo/')).toMatch(/^LAKE_DIR=\/tmp\/d\/lake npm run query -- "select /);
    expect(queryHint("/tmp/it's here/lake", '/repo/')).toMatch(/^LAKE_DIR='\/tmp\/it'\\''s here\/lake' npm run query/);
  });
});
