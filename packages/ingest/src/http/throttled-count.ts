/**
 * For events that may come in floods (refused connections): the first is reported at once, the rest
 * at most once per `intervalMs`, as how many came since the last report. Returns the function to call
 * per event. The timer does not keep the process alive (a count still pending at exit is only in the metrics).
 */
export function throttledCount(intervalMs: number, report: (count: number) => void): () => void {
  let pending = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (pending === 0) return void (timer = undefined);
    report(pending);
    pending = 0;
    timer = setTimeout(flush, intervalMs);
    timer.unref();
  };
  return () => {
    if (timer !== undefined) return void (pending += 1);
    pending = 1;
    flush();
  };
}
