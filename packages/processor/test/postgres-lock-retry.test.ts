import { describe, expect, it } from 'vitest';
import { retryTableLock, type LockRetry } from '../src/sinks/postgres-lock-retry';
import { PostgresTableBusyError } from '../src/sinks/postgres-schema';

const busy = () => new PostgresTableBusyError('held', '"s"."t"', ['seq'], 'ALTER TABLE "s"."t" ADD COLUMN seq bigint');

describe('retryTableLock', () => {
  it('tries again at least once even when the first attempt alone used the whole budget (a slow machine)', async () => {
    let attempts = 0;
    const retries: LockRetry[] = [];
    const result = await retryTableLock(
      async () => {
        attempts += 1;
        // The first attempt outlasts the budget, as one can when the machine is loaded.
        if (attempts === 1) {
          await new Promise((resolve) => setTimeout(resolve, 60));
          throw busy();
        }
        return 'done';
      },
      40,
      10,
      (retry) => void retries.push(retry),
    );
    expect(result).toBe('done');
    expect(attempts).toBe(2);
    expect(retries).toMatchObject([{ table: '"s"."t"', attempt: 1 }]);
  });

  it('gives up once the budget is spent after that second attempt, naming the ALTER to run', async () => {
    let attempts = 0;
    const failure = await retryTableLock(
      async () => {
        attempts += 1;
        await new Promise((resolve) => setTimeout(resolve, 30));
        throw busy();
      },
      40,
      10,
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PostgresTableBusyError);
    expect((failure as Error).message).toContain('on all 2 attempts');
    expect((failure as Error).message).toContain('run: ALTER TABLE "s"."t" ADD COLUMN seq bigint');
    expect(attempts).toBe(2);
  });

  it('passes any other error through at once', async () => {
    let attempts = 0;
    const failure = await retryTableLock(
      () => {
        attempts += 1;
        return Promise.reject(new Error('connection refused'));
      },
      1000,
      10,
    ).catch((error: unknown) => error);
    expect((failure as Error).message).toBe('connection refused');
    expect(attempts).toBe(1);
  });
});
