/**
 * CallController, the gateway's own AbortController for a fan-out's calls (src/upstream/signal.ts):
 * it must act as AbortSignal does wherever the calls listen.
 */
import { describe, expect, it } from 'vitest';
import { CallController } from '../../src/upstream/signal.ts';

describe('CallController', () => {
  it('runs each listener once, in the order added, on the first abort only', () => {
    const c = new CallController();
    const seen: string[] = [];
    const a = () => seen.push('a');
    c.signal.addEventListener('abort', a, { once: true });
    c.signal.addEventListener('abort', () => seen.push('b'));
    c.signal.addEventListener('abort', a);
    expect(c.signal.aborted).toBe(false);
    c.abort();
    c.abort();
    expect(c.signal.aborted).toBe(true);
    expect(seen).toEqual(['a', 'b']);
  });

  it('forgets a removed listener, and never calls one added after the abort', () => {
    const c = new CallController();
    const seen: string[] = [];
    const gone = () => seen.push('gone');
    c.signal.addEventListener('abort', gone);
    c.signal.removeEventListener('abort', gone);
    c.signal.removeEventListener('abort', () => {});
    c.abort();
    c.signal.addEventListener('abort', () => seen.push('late'));
    expect(seen).toEqual([]);
  });

  it('skips a listener that an earlier one removed during the abort, as AbortSignal does', () => {
    const c = new CallController();
    const seen: string[] = [];
    const second = () => seen.push('second');
    c.signal.addEventListener('abort', () => {
      seen.push('first');
      c.signal.removeEventListener('abort', second);
    });
    c.signal.addEventListener('abort', second);
    c.abort();
    expect(seen).toEqual(['first']);
  });
});
