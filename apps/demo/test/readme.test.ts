import { fileURLToPath } from 'node:url';
import { undocumentedEnvVars } from '@eventline/devstack';
import { expect, it } from 'vitest';

it('the README documents every environment variable the demo and its bench read', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  expect(undocumentedEnvVars(`${root}src`, `${root}README.md`)).toEqual([]);
  // The benchmark's knobs too (`npm run bench` reads them).
  expect(undocumentedEnvVars(`${root}bench`, `${root}README.md`)).toEqual([]);
});
