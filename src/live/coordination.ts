/**
 * The two decisions a fleet of replicas must share, behind small interfaces: who polls a key,
 * and how its events reach every subscriber. In one process both are trivial (this file); a
 * shared store (Redis) implements the same interfaces with a lease per key and a channel.
 */
import type { LiveEvent } from './events.ts';

/** What a replica with subscribers for a key is asked to do. */
export interface PollerRole {
  /** Run the key's poll loop here. */
  lead(): void;
  /** Stop it here (another replica polls, or nobody here listens any more). */
  follow(): void;
}

/** Who polls a key. */
export interface PollerElection {
  /** This replica has subscribers for `key`; returns the function to call when it has none left. */
  join(key: string, role: PollerRole): () => void;
  /** Ends every membership (shutdown). */
  close(): void;
}

/** Where a key's events go. */
export interface PageBus {
  publish(key: string, event: LiveEvent): void;
  /** Hears the key's events; returns the function that stops listening. */
  listen(key: string, deliver: (event: LiveEvent) => void): () => void;
  close(): void;
}

/** One process: it polls every key it has subscribers for. */
export function createLocalElection(): PollerElection {
  const members = new Map<string, PollerRole>();
  return {
    join(key, role) {
      members.set(key, role);
      role.lead();
      return () => {
        if (members.get(key) !== role) return;
        members.delete(key);
        role.follow();
      };
    },
    close() {
      for (const role of members.values()) role.follow();
      members.clear();
    },
  };
}

/** One process: events go straight to the listeners of their key. */
export function createLocalBus(): PageBus {
  const listeners = new Map<string, (event: LiveEvent) => void>();
  return {
    publish(key, event) {
      listeners.get(key)?.(event);
    },
    listen(key, deliver) {
      listeners.set(key, deliver);
      return () => {
        if (listeners.get(key) === deliver) listeners.delete(key);
      };
    },
    close() {
      listeners.clear();
    },
  };
}
