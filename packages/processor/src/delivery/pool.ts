/**
 * Run `task` on every item, at most `concurrency` at a time, and settle them all (in item order),
 * like `Promise.allSettled` but never holding more than `concurrency` tasks open. A task starts
 * only when one finishes, so what a task opens (a file, a socket, an encoded buffer) is bounded too.
 */
export async function settleEach<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const outcomes: PromiseSettledResult<R>[] = new Array<PromiseSettledResult<R>>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        outcomes[i] = { status: 'fulfilled', value: await task(items[i] as T) };
      } catch (reason) {
        outcomes[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return outcomes;
}
