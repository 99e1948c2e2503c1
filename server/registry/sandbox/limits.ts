import type { SandboxLimits } from '../../../protocol/sandbox';

/** The limits an installation gets when it requests none (each is further capped by the ceilings). */
export const DEFAULT_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  memoryBytes: 32 * 1024 * 1024,
  stackBytes: 256 * 1024,
  cpuMs: 1_000,
  wallClockMs: 10_000,
  outputBytes: 1024 * 1024,
  logBytes: 64 * 1024,
  concurrency: 4,
  queueLength: 64,
  bridgeCalls: 100,
  fetchResponseBytes: 2 * 1024 * 1024,
  fetchTimeoutMs: 5_000,
});

/** Admin ceilings used when the caller sets none: nothing above these is ever granted. */
export const DEFAULT_CEILINGS: Readonly<SandboxLimits> = Object.freeze({
  memoryBytes: 256 * 1024 * 1024,
  stackBytes: 1024 * 1024,
  cpuMs: 30_000,
  wallClockMs: 120_000,
  outputBytes: 16 * 1024 * 1024,
  logBytes: 1024 * 1024,
  concurrency: 32,
  queueLength: 1_000,
  bridgeCalls: 10_000,
  fetchResponseBytes: 32 * 1024 * 1024,
  fetchTimeoutMs: 60_000,
});

/**
 * Floors below which a limit makes no sense: QuickJS needs some heap and stack to create a context
 * at all, and a zero concurrency would block the installation for good.
 */
const FLOORS: Readonly<SandboxLimits> = Object.freeze({
  memoryBytes: 1024 * 1024,
  stackBytes: 32 * 1024,
  cpuMs: 1,
  wallClockMs: 1,
  outputBytes: 16,
  logBytes: 0,
  concurrency: 1,
  queueLength: 0,
  bridgeCalls: 0,
  fetchResponseBytes: 0,
  fetchTimeoutMs: 1,
});

const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as (keyof SandboxLimits)[];

/**
 * Completes partial admin ceilings with the defaults, so that a deployment can lower only what it
 * cares about.
 */
export function completeCeilings(ceilings: Partial<SandboxLimits> | undefined): SandboxLimits {
  const complete = { ...DEFAULT_CEILINGS };
  for (const name of LIMIT_NAMES) {
    const value = ceilings?.[name];
    if (typeof value === 'number' && Number.isFinite(value) && value >= FLOORS[name]) complete[name] = Math.floor(value);
  }
  return complete;
}

/**
 * The limits an invocation actually runs under: each requested value (or the default when it is
 * missing or not a finite number) clamped to the admin ceiling, and raised to a floor that keeps the
 * sandbox usable.
 */
export function clampLimits(requested: Partial<SandboxLimits> | undefined, ceilings: SandboxLimits): SandboxLimits {
  const limits = {} as SandboxLimits;
  for (const name of LIMIT_NAMES) {
    const value = requested?.[name];
    const wanted = typeof value === 'number' && Number.isFinite(value) ? Math.floor(value) : DEFAULT_LIMITS[name];
    limits[name] = Math.max(FLOORS[name], Math.min(wanted, ceilings[name]));
  }
  return limits;
}

/**
 * The names of requested limits that exceed the ceilings, for an admin UI or an install-time warning
 * ("cpuMs 60000 > ceiling 30000").
 */
export function limitsAboveCeilings(requested: Partial<SandboxLimits> | undefined, ceilings: SandboxLimits): string[] {
  const above: string[] = [];
  for (const name of LIMIT_NAMES) {
    const value = requested?.[name];
    if (typeof value === 'number' && value > ceilings[name]) above.push(`${name} ${value} > ceiling ${ceilings[name]}`);
  }
  return above;
}
