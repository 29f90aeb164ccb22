/** The part of AbortSignal a call listens to: an AbortSignal, or anything as small that acts alike. */
export interface CallSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * An AbortController for what stays inside the gateway (a fan-out's branches, a shared call's
 * waiters): a fan-out makes two per call, and Node's AbortController cost 5 µs each (a fifth of
 * a cached trainingJobCounts in a profile), for EventTarget machinery no one here uses. Listeners
 * run once, in the order added, when abort() is first called.
 */
export class CallController implements CallSignal {
  aborted = false;
  private listeners: Array<() => void> | undefined;

  /** The controller is its own signal: hand it to whoever listens. */
  get signal(): CallSignal {
    return this;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    const listeners = (this.listeners ??= []);
    // As an EventTarget does: the same listener twice is one.
    if (!listeners.includes(listener)) listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners?.indexOf(listener) ?? -1;
    if (i >= 0) this.listeners!.splice(i, 1);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.listeners;
    if (listeners === undefined) return;
    // As an AbortSignal does: a listener removed by an earlier one during the abort is not called.
    for (const listener of [...listeners]) {
      const i = listeners.indexOf(listener);
      if (i < 0) continue;
      listeners.splice(i, 1);
      listener();
    }
    this.listeners = undefined;
  }
}
