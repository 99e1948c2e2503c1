import { describe, expect, it } from 'vitest';
import { createCircuitBreakers } from './circuit-breaker';

describe('circuit breaker', () => {
  it('opens after the threshold, lets one probe through after the cool-down, and closes on success', () => {
    let clock = 1000;
    const breakers = createCircuitBreakers(() => clock);
    const settings = { failureThreshold: 2, cooldownMs: 500 };
    expect(breakers.failed('a', settings, 'refused')).toBe(false);
    expect(breakers.allows('a')).toBe(true);
    expect(breakers.failed('a', settings, 'refused')).toBe(true);
    expect(breakers.allows('a')).toBe(false);
    expect(breakers.health('a')).toMatchObject({ state: 'open', consecutiveFailures: 2, lastError: 'refused' });
    clock += 600;
    expect(breakers.health('a').state).toBe('half-open');
    expect(breakers.allows('a')).toBe(true);
    expect(breakers.allows('a')).toBe(false);
    breakers.succeeded('a');
    expect(breakers.health('a')).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
    expect(breakers.allows('b')).toBe(true);
  });
});
