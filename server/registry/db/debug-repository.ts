import type { DebugResult, DebugSessionStatus, DebugTrigger, SnapshotSummary } from '../../../protocol/debug-api';
import type { Database, Queryable } from './database';

/** How many snapshots per plugin keep their whole run; older ones keep the summary only. */
export const WHOLE_SNAPSHOTS_PER_PLUGIN = 10;

/** A debug session row. */
export interface DebugSessionRecord {
  id: string;
  pluginId: string;
  version: string;
  target: string | null;
  trigger: DebugTrigger;
  status: DebugSessionStatus;
  fingerprint: string | null;
  startedBy: string;
  createdAt: string;
  finishedAt: string | null;
  result: DebugResult | null;
}

/** A stored run snapshot; `data` is null once summarised. */
export interface SnapshotRecord {
  id: string;
  sessionId: string;
  pluginId: string;
  version: string;
  status: 'passed' | 'failed' | 'error';
  createdAt: string;
  summary: SnapshotSummary;
  data: DebugResult | null;
}

/** A fix suggestion row. */
export interface SuggestionRecord {
  id: string;
  sessionId: string;
  pluginId: string;
  version: string;
  subject: string;
  file: string;
  status: 'verified' | 'failed-verification' | 'published' | 'rejected' | 'reverted';
  reason: string;
  diff: string;
  newText: string | null;
  rejected: string[];
  publishedVersion: string | null;
  createdBy: string;
  createdAt: string;
}

/** One learning record. */
export interface FixOutcomeRecord {
  id: string;
  suggestionId: string | null;
  subject: string;
  pluginId: string;
  outcome: 'offered' | 'accepted' | 'rejected' | 'reverted' | 'failed-verification';
  verified: boolean;
  message: string;
  before: string;
  after: string;
  reason: string;
  createdAt: string;
}

/** Outcome counts of one rule (or one rule and day). */
export interface OutcomeCounts {
  rule: string;
  day?: string;
  offered: number;
  accepted: number;
  rejected: number;
  reverted: number;
  failedVerification: number;
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

interface SessionRow {
  id: string; plugin_id: string; version: string; target_id: string | null; trigger: DebugTrigger; status: DebugSessionStatus;
  fingerprint: string | null; started_by: string; created_at: Date | string; finished_at: Date | string | null; result: DebugResult | null;
}
const toSession = (row: SessionRow): DebugSessionRecord => ({
  id: row.id, pluginId: row.plugin_id, version: row.version, target: row.target_id, trigger: row.trigger, status: row.status,
  fingerprint: row.fingerprint, startedBy: row.started_by, createdAt: iso(row.created_at)!, finishedAt: iso(row.finished_at), result: row.result,
});

interface SnapshotRow {
  id: string; session_id: string; plugin_id: string; version: string; status: SnapshotRecord['status']; created_at: Date | string;
  summary: SnapshotSummary; data: DebugResult | null;
}
const toSnapshot = (row: SnapshotRow): SnapshotRecord => ({
  id: row.id, sessionId: row.session_id, pluginId: row.plugin_id, version: row.version, status: row.status, createdAt: iso(row.created_at)!,
  summary: row.summary, data: row.data,
});

interface SuggestionRow {
  id: string; session_id: string; plugin_id: string; version: string; subject: string; file: string; status: SuggestionRecord['status'];
  reason: string; diff: string; new_text: string | null; rejected: string[]; published_version: string | null; created_by: string; created_at: Date | string;
}
const toSuggestion = (row: SuggestionRow): SuggestionRecord => ({
  id: row.id, sessionId: row.session_id, pluginId: row.plugin_id, version: row.version, subject: row.subject, file: row.file, status: row.status,
  reason: row.reason, diff: row.diff, newText: row.new_text, rejected: row.rejected, publishedVersion: row.published_version,
  createdBy: row.created_by, createdAt: iso(row.created_at)!,
});

const SESSION_COLUMNS = 'id, plugin_id, version, target_id, trigger, status, fingerprint, started_by, created_at, finished_at, result';
const SUGGESTION_COLUMNS = 'id, session_id, plugin_id, version, subject, file, status, reason, diff, new_text, rejected, published_version, created_by, created_at';

/** Queries of debug sessions, run snapshots, runtime-error fingerprints, fix suggestions and fix outcomes. */
export function createDebugRepository(db: Database) {
  return {
    async insertSession(tx: Queryable, session: { id: string; pluginId: string; version: string; target: string | null; trigger: DebugTrigger; fingerprint: string | null; startedBy: string }): Promise<void> {
      await tx.query(
        `INSERT INTO debug_sessions (id, plugin_id, version, target_id, trigger, status, fingerprint, started_by) VALUES ($1, $2, $3, $4, $5, 'running', $6, $7)`,
        [session.id, session.pluginId, session.version, session.target, session.trigger, session.fingerprint, session.startedBy],
      );
    },

    async finishSession(tx: Queryable, id: string, status: Exclude<DebugSessionStatus, 'running'>, result: DebugResult): Promise<void> {
      await tx.query('UPDATE debug_sessions SET status = $2, result = $3, finished_at = now() WHERE id = $1', [id, status, JSON.stringify(result)]);
    },

    async findSession(id: string, tx: Queryable = db): Promise<DebugSessionRecord | undefined> {
      const result = await tx.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM debug_sessions WHERE id = $1`, [id]);
      return result.rows[0] && toSession(result.rows[0]);
    },

    async deleteSession(tx: Queryable, id: string): Promise<void> {
      await tx.query('DELETE FROM debug_sessions WHERE id = $1', [id]);
    },

    /** Ids of the sessions still `running` that started before `before` (candidates for {@link failAbandoned}). */
    async runningSessionsBefore(before: Date, tx: Queryable = db): Promise<string[]> {
      const result = await tx.query<{ id: string }>("SELECT id FROM debug_sessions WHERE status = 'running' AND created_at < $1 ORDER BY created_at", [before.toISOString()]);
      return result.rows.map((row) => row.id);
    },

    /** Sessions left `running` by a registry that stopped mid-session end as errors. */
    async failAbandoned(ids: readonly string[], result: DebugResult): Promise<void> {
      if (ids.length === 0) return;
      await db.query("UPDATE debug_sessions SET status = 'error', result = $2, finished_at = now() WHERE id = ANY($1::uuid[]) AND status = 'running'", [ids, JSON.stringify(result)]);
    },

    /**
     * Records a runtime error's fingerprint for `sessionId`, or counts one more occurrence of a
     * known one. Returns the session the fingerprint belongs to: `sessionId` for a new fingerprint,
     * the earlier session otherwise (concurrent callers wait on the primary key and see the first).
     */
    async claimFingerprint(tx: Queryable, row: { fingerprint: string; pluginId: string; version: string; sessionId: string; error: unknown }): Promise<{ sessionId: string; occurrences: number }> {
      const result = await tx.query<{ session_id: string; occurrences: number }>(
        `INSERT INTO debug_error_fingerprints (fingerprint, plugin_id, version, session_id, error) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (fingerprint) DO UPDATE SET occurrences = debug_error_fingerprints.occurrences + 1, last_seen_at = now()
         RETURNING session_id, occurrences`,
        [row.fingerprint, row.pluginId, row.version, row.sessionId, JSON.stringify(row.error)],
      );
      return { sessionId: result.rows[0]!.session_id, occurrences: Number(result.rows[0]!.occurrences) };
    },

    async fingerprint(fingerprint: string, tx: Queryable = db): Promise<{ sessionId: string; occurrences: number } | undefined> {
      const result = await tx.query<{ session_id: string; occurrences: number }>('SELECT session_id, occurrences FROM debug_error_fingerprints WHERE fingerprint = $1', [fingerprint]);
      const row = result.rows[0];
      return row && { sessionId: row.session_id, occurrences: Number(row.occurrences) };
    },

    /**
     * Stores a snapshot and summarises the plugin's older ones, so exactly the newest
     * {@link WHOLE_SNAPSHOTS_PER_PLUGIN} keep their whole run.
     */
    async insertSnapshot(tx: Queryable, snapshot: { id: string; sessionId: string; pluginId: string; version: string; status: SnapshotRecord['status']; summary: SnapshotSummary; data: DebugResult }): Promise<void> {
      await tx.query(
        'INSERT INTO debug_snapshots (id, session_id, plugin_id, version, status, summary, data) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [snapshot.id, snapshot.sessionId, snapshot.pluginId, snapshot.version, snapshot.status, JSON.stringify(snapshot.summary), JSON.stringify(snapshot.data)],
      );
      await tx.query(
        `UPDATE debug_snapshots SET data = NULL
          WHERE plugin_id = $1 AND data IS NOT NULL
            AND id NOT IN (SELECT id FROM debug_snapshots WHERE plugin_id = $1 ORDER BY seq DESC LIMIT $2)`,
        [snapshot.pluginId, WHOLE_SNAPSHOTS_PER_PLUGIN],
      );
    },

    /** Snapshots of a plugin, newest first. */
    async listSnapshots(pluginId: string, limit = 100, tx: Queryable = db): Promise<SnapshotRecord[]> {
      const result = await tx.query<SnapshotRow>(
        'SELECT id, session_id, plugin_id, version, status, created_at, summary, data FROM debug_snapshots WHERE plugin_id = $1 ORDER BY seq DESC LIMIT $2',
        [pluginId, limit],
      );
      return result.rows.map(toSnapshot);
    },

    async findSnapshot(id: string, tx: Queryable = db): Promise<SnapshotRecord | undefined> {
      const result = await tx.query<SnapshotRow>('SELECT id, session_id, plugin_id, version, status, created_at, summary, data FROM debug_snapshots WHERE id = $1', [id]);
      return result.rows[0] && toSnapshot(result.rows[0]);
    },

    async insertSuggestion(tx: Queryable, row: Omit<SuggestionRecord, 'createdAt' | 'publishedVersion'>): Promise<void> {
      await tx.query(
        `INSERT INTO fix_suggestions (id, session_id, plugin_id, version, subject, file, status, reason, diff, new_text, rejected, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [row.id, row.sessionId, row.pluginId, row.version, row.subject, row.file, row.status, row.reason, row.diff, row.newText, JSON.stringify(row.rejected), row.createdBy],
      );
    },

    async findSuggestion(id: string, tx: Queryable = db): Promise<SuggestionRecord | undefined> {
      const result = await tx.query<SuggestionRow>(`SELECT ${SUGGESTION_COLUMNS} FROM fix_suggestions WHERE id = $1`, [id]);
      return result.rows[0] && toSuggestion(result.rows[0]);
    },

    /** Locks a suggestion for a state change (publish, revert). */
    async lockSuggestion(tx: Queryable, id: string): Promise<SuggestionRecord | undefined> {
      const result = await tx.query<SuggestionRow>(`SELECT ${SUGGESTION_COLUMNS} FROM fix_suggestions WHERE id = $1 FOR UPDATE`, [id]);
      return result.rows[0] && toSuggestion(result.rows[0]);
    },

    async listSuggestions(sessionId: string, tx: Queryable = db): Promise<SuggestionRecord[]> {
      const result = await tx.query<SuggestionRow>(`SELECT ${SUGGESTION_COLUMNS} FROM fix_suggestions WHERE session_id = $1 ORDER BY created_at, id`, [sessionId]);
      return result.rows.map(toSuggestion);
    },

    async setSuggestionStatus(tx: Queryable, id: string, status: SuggestionRecord['status'], publishedVersion?: string): Promise<void> {
      await tx.query('UPDATE fix_suggestions SET status = $2, published_version = COALESCE($3, published_version) WHERE id = $1', [id, status, publishedVersion ?? null]);
    },

    async insertOutcome(tx: Queryable, row: Omit<FixOutcomeRecord, 'createdAt'>): Promise<void> {
      await tx.query(
        `INSERT INTO fix_outcomes (id, suggestion_id, subject, plugin_id, outcome, verified, message, before_text, after_text, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [row.id, row.suggestionId, row.subject, row.pluginId, row.outcome, row.verified, row.message, row.before, row.after, row.reason],
      );
    },

    /** The learning record of a rule (or fingerprint), oldest first, at most the newest `limit`. */
    async outcomesFor(subject: string, limit = 500, tx: Queryable = db): Promise<FixOutcomeRecord[]> {
      const result = await tx.query<{ id: string; suggestion_id: string | null; subject: string; plugin_id: string; outcome: FixOutcomeRecord['outcome']; verified: boolean; message: string; before_text: string; after_text: string; reason: string; created_at: Date | string }>(
        `SELECT * FROM (SELECT id, suggestion_id, subject, plugin_id, outcome, verified, message, before_text, after_text, reason, created_at
           FROM fix_outcomes WHERE subject = $1 ORDER BY created_at DESC, id LIMIT $2) newest ORDER BY created_at, id`,
        [subject, limit],
      );
      return result.rows.map((row) => ({
        id: row.id, suggestionId: row.suggestion_id, subject: row.subject, pluginId: row.plugin_id, outcome: row.outcome, verified: row.verified,
        message: row.message, before: row.before_text, after: row.after_text, reason: row.reason, createdAt: iso(row.created_at)!,
      }));
    },

    /** Outcome counts per rule, and per rule and UTC day. */
    async outcomeCounts(tx: Queryable = db): Promise<{ rules: OutcomeCounts[]; days: OutcomeCounts[] }> {
      const select = `count(*) FILTER (WHERE outcome = 'offered') AS offered, count(*) FILTER (WHERE outcome = 'accepted') AS accepted,
        count(*) FILTER (WHERE outcome = 'rejected') AS rejected, count(*) FILTER (WHERE outcome = 'reverted') AS reverted,
        count(*) FILTER (WHERE outcome = 'failed-verification') AS failed`;
      type Row = { subject: string; day?: string; offered: string; accepted: string; rejected: string; reverted: string; failed: string };
      const map = (row: Row): OutcomeCounts => ({
        rule: row.subject, ...(row.day ? { day: row.day } : {}), offered: Number(row.offered), accepted: Number(row.accepted),
        rejected: Number(row.rejected), reverted: Number(row.reverted), failedVerification: Number(row.failed),
      });
      const rules = await tx.query<Row>(`SELECT subject, ${select} FROM fix_outcomes GROUP BY subject ORDER BY subject`);
      const days = await tx.query<Row>(
        `SELECT subject, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, ${select} FROM fix_outcomes GROUP BY subject, day ORDER BY day, subject`,
      );
      return { rules: rules.rows.map(map), days: days.rows.map(map) };
    },

    async sessionCounts(tx: Queryable = db): Promise<Record<DebugSessionStatus, number>> {
      const result = await tx.query<{ status: DebugSessionStatus; n: string }>('SELECT status, count(*) AS n FROM debug_sessions GROUP BY status');
      const counts: Record<DebugSessionStatus, number> = { running: 0, passed: 0, failed: 0, error: 0 };
      for (const row of result.rows) counts[row.status] = Number(row.n);
      return counts;
    },
  };
}

export type DebugRepository = ReturnType<typeof createDebugRepository>;

const MARK = 'codex-self-test';
const SESSION = `INSERT INTO debug_sessions (id, plugin_id, version, trigger, status, started_by) VALUES ('00000000-0000-4000-8000-0000000000d1', '@self-test/p', '1.0.0', 'manual', 'running', '${MARK}')`;
const SUGGESTION = `INSERT INTO fix_suggestions (id, session_id, plugin_id, version, subject, file, status, created_by) VALUES ('00000000-0000-4000-8000-0000000000d2', '00000000-0000-4000-8000-0000000000d1', '@self-test/p', '1.0.0', 'r', 'index.js', 'verified', '${MARK}')`;

/** The `db self-test` samples of the debug tables (registered in self-test.ts). */
export const DEBUG_SELF_TEST_SAMPLES: Record<string, { writes: string[]; count: string }> = {
  debug_sessions: { writes: [SESSION], count: `SELECT count(*) AS n FROM debug_sessions WHERE started_by = '${MARK}'` },
  debug_error_fingerprints: {
    writes: [SESSION, `INSERT INTO debug_error_fingerprints (fingerprint, plugin_id, version, session_id, error) VALUES ('${MARK}', '@self-test/p', '1.0.0', '00000000-0000-4000-8000-0000000000d1', '{}')`],
    count: `SELECT count(*) AS n FROM debug_error_fingerprints WHERE fingerprint = '${MARK}'`,
  },
  debug_snapshots: {
    writes: [SESSION, `INSERT INTO debug_snapshots (id, session_id, plugin_id, version, status, summary) VALUES ('00000000-0000-4000-8000-0000000000d3', '00000000-0000-4000-8000-0000000000d1', '@self-test/p', '1.0.0', 'passed', '{}')`],
    count: "SELECT count(*) AS n FROM debug_snapshots WHERE id = '00000000-0000-4000-8000-0000000000d3'",
  },
  fix_suggestions: { writes: [SESSION, SUGGESTION], count: `SELECT count(*) AS n FROM fix_suggestions WHERE created_by = '${MARK}'` },
  fix_outcomes: {
    writes: [`INSERT INTO fix_outcomes (id, subject, plugin_id, outcome, verified, message) VALUES ('00000000-0000-4000-8000-0000000000d4', 'r', '@self-test/p', 'offered', true, '${MARK}')`],
    count: `SELECT count(*) AS n FROM fix_outcomes WHERE message = '${MARK}'`,
  },
};
