import { describe, expect, it } from 'vitest';
import { errorFields } from '../src/log';

/** An error as Node's fs or the AWS SDK make them: a name, a code, a message naming the file or key. */
function failure(name: string, code: string, message: string): Error {
  return Object.assign(new Error(message), { name, code });
}

describe('errorFields', () => {
  it('keeps name, message and code of a plain error', () => {
    expect(errorFields(failure('Error', 'ENOSPC', 'ENOSPC: no space left on device, write'))).toEqual({
      error: 'ENOSPC: no space left on device, write',
      error_name: 'Error',
      error_code: 'ENOSPC',
    });
    expect(errorFields('thrown text')).toEqual({ error: 'thrown text' });
  });

  it('says what the inner errors of an AggregateError were: the first one, and each kind with a count', () => {
    const flush = new AggregateError(
      [
        failure('SlowDown', 'SlowDown', 'Please reduce your request rate. (events/a.gz)'),
        failure('Error', 'EMFILE', 'EMFILE: too many open files, open events/b.gz'),
        failure('SlowDown', 'SlowDown', 'Please reduce your request rate. (events/c.gz)'),
      ],
      '3 of 3 files failed to write',
    );
    expect(errorFields(flush)).toEqual({
      error: '3 of 3 files failed to write',
      error_name: 'AggregateError',
      first_error: 'Please reduce your request rate. (events/a.gz)',
      error_kinds: [
        { error_name: 'SlowDown', error_code: 'SlowDown', count: 2, example: 'Please reduce your request rate. (events/a.gz)' },
        { error_name: 'Error', error_code: 'EMFILE', count: 1, example: 'EMFILE: too many open files, open events/b.gz' },
      ],
    });
  });

  it('bounds the list of kinds, and follows a cause (the final flush wraps the flush error)', () => {
    const inner = Array.from({ length: 8 }, (_, i) => failure(`Kind${i}`, `C${i}`, `failure ${i}`));
    const wrapped = new Error('shard s-1: final flush failed', { cause: new AggregateError(inner, '8 of 8 files failed to write') });
    const fields = errorFields(wrapped);
    expect(fields).toMatchObject({ error: 'shard s-1: final flush failed', cause: { error: '8 of 8 files failed to write', first_error: 'failure 0', error_kinds_omitted: 3 } });
    expect((fields.cause as { error_kinds: unknown[] }).error_kinds).toHaveLength(5);
  });
});
