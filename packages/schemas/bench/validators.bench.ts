import * as v from 'valibot';
import { bench, describe } from 'vitest';
import { validateEvent } from '../src';
import { validEvent } from '../test/fixtures';
import { valibotEvent, zodEvent } from './equivalents';

// One valid and one invalid event, validated by each library in the same run; vitest prints
// each library's speed as a ratio of the fastest.
const good = validEvent({ context: { library: { name: 'sdk', version: '1' }, locale: 'en-GB', user_agent: 'Mozilla/5.0' } });
const bad = validEvent({ properties: { af_revenue: '12' }, seq: -1 });

for (const [label, input] of [['valid event', good], ['invalid event', bad]] as const) {
  describe(label, () => {
    bench('typebox (compiled, ours)', () => void validateEvent(input));
    bench('zod 4', () => void zodEvent.safeParse(input));
    bench('valibot 1', () => void v.safeParse(valibotEvent, input));
  });
}
