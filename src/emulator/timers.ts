// Every timer the emulator arms (delays, trickled chunks) goes through one registry, so that
// close() and down() can cancel all of them at once: a forgotten timer would write to a dead
// socket, or keep a test process alive for the length of an injected delay.

export interface Timers {
  /** Runs `fn` after `ms` unless cancelled first; returns the function that cancels it. */
  later(ms: number, fn: () => void): () => void;
  cancelAll(): void;
}

export function createTimers(): Timers {
  const pending = new Set<NodeJS.Timeout>();
  return {
    later(ms, fn) {
      const timer = setTimeout(() => {
        pending.delete(timer);
        fn();
      }, ms);
      pending.add(timer);
      return () => {
        clearTimeout(timer);
        pending.delete(timer);
      };
    },
    cancelAll() {
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
    },
  };
}
