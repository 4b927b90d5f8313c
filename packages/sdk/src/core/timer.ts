export type TimerHandle = ReturnType<typeof setTimeout>;

/** setTimeout runs a longer delay at once (a 32-bit signed overflow in every runtime): it is capped to this. */
const LONGEST_DELAY_MS = 2_147_483_647; // 2 ** 31 - 1, written out: a bundler keeps a top-level `**` (it cannot know it is pure)

/**
 * setTimeout that never keeps a Node process alive on its own (`unref` where the runtime has it):
 * a script that forgets close() still exits. Browsers and workers have no `unref`; nothing changes there.
 * A longer delay (a `Retry-After` of a month, say) waits the longest a timer can, ~24.8 days, instead of none.
 */
export function startTimer(fn: () => void, ms: number): TimerHandle {
  const handle = setTimeout(fn, Math.min(ms, LONGEST_DELAY_MS));
  (handle as unknown as { unref?: () => void }).unref?.();
  return handle;
}
