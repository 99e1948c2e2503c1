import type { DebugResult, SnapshotDiff, SnapshotListItem, SnapshotSummary } from '../../../../protocol/debug-api';
import type { SnapshotRecord } from '../../db/debug-repository';
import { runKey } from './traced-runs';

/** A finding's identity across versions: rule, file and message (lines move with edits). */
const findingKey = (finding: DebugResult['findings'][number]) => `${finding.ruleId} ${finding.file}: ${finding.message}`;

/** The summary every snapshot keeps, also once its whole run is dropped. */
export function summarise(result: DebugResult): SnapshotSummary {
  const bySeverity: Record<string, number> = {};
  for (const finding of result.findings) bySeverity[finding.severity] = (bySeverity[finding.severity] ?? 0) + 1;
  const keys: Record<string, string> = {};
  for (const run of result.runs) keys[runKey(run)] = run.ok ? 'ok' : run.error?.code ?? 'failed';
  const firstFailure = result.runs.find((run) => !run.ok);
  return {
    verdict: result.verdict,
    findings: { total: result.findings.length, bySeverity, keys: [...new Set(result.findings.map(findingKey))].sort() },
    runs: { total: result.runs.length, failed: result.runs.filter((run) => !run.ok).length, keys },
    drift: result.migrations?.drift.length ?? 0,
    durations: result.durations,
    firstError: result.errors[0] ?? (firstFailure?.error ? `${firstFailure.error.code}: ${firstFailure.error.message}` : null),
  };
}

/** A snapshot as the dashboard lists it. */
export function toListItem(snapshot: SnapshotRecord): SnapshotListItem {
  const runs = snapshot.data?.runs ?? [];
  const failed = runs.find((run) => !run.ok);
  const shown = failed ?? runs[runs.length - 1];
  return {
    id: snapshot.id,
    sessionId: snapshot.sessionId,
    pluginId: snapshot.pluginId,
    version: snapshot.version,
    startedAt: snapshot.createdAt,
    status: snapshot.status === 'passed' ? 'ok' : 'error',
    sessionStatus: snapshot.status,
    whole: snapshot.data !== null,
    summary: snapshot.summary,
    input: shown?.input ?? null,
    output: shown?.output ?? null,
    logs: runs.flatMap((run) => run.logs.map((line) => ({ ...line, message: `[${runKey(run)}] ${line.message}` }))),
    ...(snapshot.summary.firstError ? { error: snapshot.summary.firstError } : {}),
  };
}

/**
 * Compares two snapshots: findings that appeared or went away, runs whose outcome changed, outputs
 * that differ (whole snapshots only), durations and drift counts.
 */
export function diffSnapshots(from: SnapshotRecord, to: SnapshotRecord): SnapshotDiff {
  const before = new Set(from.summary.findings.keys);
  const after = new Set(to.summary.findings.keys);
  const runNames = [...new Set([...Object.keys(from.summary.runs.keys), ...Object.keys(to.summary.runs.keys)])].sort();
  const outputs: SnapshotDiff['outputs'] = [];
  if (from.data && to.data) {
    const fromRuns = new Map(from.data.runs.map((run) => [runKey(run), run.output]));
    for (const run of to.data.runs) {
      const key = runKey(run);
      if (JSON.stringify(fromRuns.get(key) ?? null) !== JSON.stringify(run.output ?? null)) outputs.push({ run: key, from: fromRuns.get(key) ?? null, to: run.output ?? null });
    }
  }
  const side = (snapshot: SnapshotRecord) => ({ id: snapshot.id, version: snapshot.version, status: snapshot.status, whole: snapshot.data !== null });
  return {
    from: side(from),
    to: side(to),
    findings: { added: [...after].filter((key) => !before.has(key)), removed: [...before].filter((key) => !after.has(key)) },
    runs: runNames
      .map((run) => ({ run, from: from.summary.runs.keys[run] ?? null, to: to.summary.runs.keys[run] ?? null }))
      .filter((entry) => entry.from !== entry.to),
    outputs,
    durations: { fromMs: from.summary.durations.totalMs, toMs: to.summary.durations.totalMs, deltaMs: to.summary.durations.totalMs - from.summary.durations.totalMs },
    drift: { from: from.summary.drift, to: to.summary.drift },
    partial: !(from.data && to.data),
  };
}
