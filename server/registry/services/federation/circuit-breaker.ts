import type { UpstreamHealth } from '../../../../protocol/federation-api';

/** The thresholds of one upstream's breaker. */
export interface BreakerSettings {
  failureThreshold: number;
  cooldownMs: number;
}

/**
 * A circuit breaker per upstream, in this process's memory: after `failureThreshold` consecutive
 * failures the upstream is skipped (calls fail at once) until `cooldownMs` has passed; then one
 * call is let through (half-open) and its outcome closes or re-opens the circuit. It is not stored:
 * each registry process learns an upstream's health from its own calls.
 */
export function createCircuitBreakers(now: () => number = Date.now) {
  const states = new Map<string, { failures: number; openUntil: number | null; lastError: string | null; probing: boolean }>();
  const stateOf = (id: string) => {
    let state = states.get(id);
    if (!state) {
      state = { failures: 0, openUntil: null, lastError: null, probing: false };
      states.set(id, state);
    }
    return state;
  };

  return {
    /** Whether a call may go out now; a half-open circuit lets one probe through at a time. */
    allows(id: string): boolean {
      const state = stateOf(id);
      if (state.openUntil === null) return true;
      if (now() < state.openUntil || state.probing) return false;
      state.probing = true;
      return true;
    },
    succeeded(id: string): void {
      states.set(id, { failures: 0, openUntil: null, lastError: null, probing: false });
    },
    /** Counts a failure; true when this failure opened the circuit. */
    failed(id: string, settings: BreakerSettings, error: string): boolean {
      const state = stateOf(id);
      const wasOpen = state.openUntil !== null;
      state.failures += 1;
      state.lastError = error;
      state.probing = false;
      if (state.failures >= settings.failureThreshold) {
        state.openUntil = now() + settings.cooldownMs;
        return !wasOpen;
      }
      return false;
    },
    health(id: string): UpstreamHealth {
      const state = stateOf(id);
      const open = state.openUntil !== null;
      return {
        state: !open ? 'closed' : now() < state.openUntil! ? 'open' : 'half-open',
        consecutiveFailures: state.failures,
        lastError: state.lastError,
        openUntil: open ? new Date(state.openUntil!).toISOString() : null,
      };
    },
    forget(id: string): void {
      states.delete(id);
    },
  };
}

export type CircuitBreakers = ReturnType<typeof createCircuitBreakers>;
