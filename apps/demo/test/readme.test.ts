import { fileURLToPath } from 'node:url';
import { undocumentedEnvVars } from '@eventline/devstack';
import { expect, it } from 'vitest';

it('the README documents every environment variable the demo reads', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  expect(undocumentedEnvVars(`${root}src`, `${root}README.md`)).toEqual([]);
});
