/** A tiny typed event emitter. A throwing listener never breaks the SDK: its error is re-thrown on a fresh task. */
export interface Emitter<Events> {
  on: <K extends keyof Events>(name: K, listener: (payload: Events[K]) => void) => () => void;
  emit: <K extends keyof Events>(name: K, payload: Events[K]) => void;
}

export function createEmitter<Events>(): Emitter<Events> {
  const listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  return {
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) {
        set = new Set();
        listeners.set(name, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    emit(name, payload) {
      const set = listeners.get(name);
      if (!set) return;
      for (const listener of [...set] as ((p: typeof payload) => void)[]) {
        try {
          listener(payload);
        } catch (error) {
          // The listener's bug belongs to the host page: surface it to its error reporting,
          // off our call path, instead of hiding it or letting it abort a flush.
          setTimeout(() => {
            throw error;
          }, 0);
        }
      }
    },
  };
}
