export type TimerHandle = ReturnType<typeof setTimeout>;

/**
 * setTimeout that never keeps a Node process alive on its own (`unref` where the runtime has it):
 * a script that forgets close() still exits. Browsers and workers have no `unref`; nothing changes there.
 */
export function startTimer(fn: () => void, ms: number): TimerHandle {
  const handle = setTimeout(fn, ms);
  (handle as unknown as { unref?: () => void }).unref?.();
  return handle;
}
