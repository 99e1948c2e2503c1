import { describe, expect, test } from 'vitest';
import { clampLimits, completeCeilings, DEFAULT_CEILINGS, DEFAULT_LIMITS, limitsAboveCeilings } from './limits';

describe('clampLimits', () => {
  const ceilings = completeCeilings({ cpuMs: 500, memoryBytes: 16 * 1024 * 1024 });

  test('missing requests get the defaults, capped by the ceilings', () => {
    const limits = clampLimits(undefined, ceilings);
    expect(limits.cpuMs).toBe(500);
    expect(limits.memoryBytes).toBe(16 * 1024 * 1024);
    expect(limits.wallClockMs).toBe(DEFAULT_LIMITS.wallClockMs);
  });

  test.each([
    ['above the ceiling', { cpuMs: 10_000 }, 'cpuMs', 500],
    ['below the ceiling', { cpuMs: 50 }, 'cpuMs', 50],
    ['below the floor', { memoryBytes: 10 }, 'memoryBytes', 1024 * 1024],
    ['not a number', { wallClockMs: Number.NaN }, 'wallClockMs', DEFAULT_LIMITS.wallClockMs],
    ['fractional', { concurrency: 2.7 }, 'concurrency', 2],
    ['zero concurrency', { concurrency: 0 }, 'concurrency', 1],
  ] as const)('a request %s is clamped', (_label, requested, name, expected) => {
    expect(clampLimits(requested, ceilings)[name]).toBe(expected);
  });

  test('partial ceilings keep the defaults for the rest and ignore nonsense', () => {
    expect(completeCeilings({ cpuMs: -1, logBytes: 10 })).toEqual({ ...DEFAULT_CEILINGS, logBytes: 10 });
  });

  test('requests above the ceilings are listed for the admin', () => {
    expect(limitsAboveCeilings({ cpuMs: 600, outputBytes: 1 }, ceilings)).toEqual(['cpuMs 600 > ceiling 500']);
  });
});
