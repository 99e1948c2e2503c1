import type { Database } from './database';
import { readCatalog } from './catalog';

/**
 * A sample write for one table: statements that insert a marked row (parents first), and a query
 * that counts the marked row. Every table needs one; a table without a sample fails the self-test,
 * so a migration that adds a table also adds its sample here.
 */
interface TableSample {
  writes: string[];
  count: string;
}

const MARK = 'codex-self-test';

const SAMPLES: Record<string, TableSample> = {
  settings: {
    writes: [`INSERT INTO settings (key, value) VALUES ('${MARK}', '{"ok": true}')`],
    count: `SELECT count(*) AS n FROM settings WHERE key = '${MARK}' AND value = '{"ok": true}'::jsonb`,
  },
  roles: {
    // The role names are fixed by a CHECK constraint, so the round trip updates a description.
    writes: [`UPDATE roles SET description = '${MARK}' WHERE name = 'user'`],
    count: `SELECT count(*) AS n FROM roles WHERE description = '${MARK}'`,
  },
  users: {
    writes: [`INSERT INTO users (id, role) VALUES ('${MARK}', 'user')`],
    count: `SELECT count(*) AS n FROM users WHERE id = '${MARK}'`,
  },
  api_tokens: {
    writes: [
      `INSERT INTO users (id, role) VALUES ('${MARK}-t', 'user')`,
      `INSERT INTO api_tokens (id, user_id, name, token_hash, role) VALUES ('00000000-0000-4000-8000-000000000001', '${MARK}-t', '${MARK}', '${'0'.repeat(64)}', 'user')`,
    ],
    count: `SELECT count(*) AS n FROM api_tokens WHERE name = '${MARK}'`,
  },
  alerts: {
    writes: [`INSERT INTO alerts (kind, severity, message) VALUES ('self-test', 'info', '${MARK}')`],
    count: `SELECT count(*) AS n FROM alerts WHERE message = '${MARK}'`,
  },
  events: {
    writes: [`INSERT INTO events (seq, actor, type, prev_hash, hash) VALUES (9223372036854775806, '${MARK}', 'self-test', '${'0'.repeat(64)}', '${'f'.repeat(64)}')`],
    count: `SELECT count(*) AS n FROM events WHERE actor = '${MARK}'`,
  },
};

/** Registers the sample for a table added by a later migration. */
export function registerSelfTestSample(table: string, sample: TableSample): void {
  SAMPLES[table] = sample;
}

class RollbackSentinel extends Error {}

/** The outcome of `db self-test`. */
export interface SelfTestReport {
  tables: string[];
  failures: { table: string; error: string }[];
}

/**
 * For every table: writes a marked row and reads it back inside a transaction, rolls back, and checks
 * the row is gone. Nothing is left behind, whatever happens.
 */
export async function runSelfTest(db: Database): Promise<SelfTestReport> {
  const tables = Object.keys(await readCatalog(db)).sort();
  const failures: SelfTestReport['failures'] = [];
  for (const table of tables) {
    const sample = SAMPLES[table];
    if (!sample) {
      failures.push({ table, error: 'no self-test sample is defined for this table' });
      continue;
    }
    try {
      await db.transaction(async (tx) => {
        for (const write of sample.writes) await tx.query(write);
        const seen = await tx.query<{ n: string }>(sample.count);
        if (Number(seen.rows[0]?.n) !== 1) throw new Error(`wrote a row but read back ${seen.rows[0]?.n ?? 0}`);
        throw new RollbackSentinel();
      });
      failures.push({ table, error: 'the transaction committed instead of rolling back' });
    } catch (error) {
      if (!(error instanceof RollbackSentinel)) {
        failures.push({ table, error: error instanceof Error ? error.message : String(error) });
        continue;
      }
      const after = await db.query<{ n: string }>(sample.count);
      if (Number(after.rows[0]?.n) !== 0) failures.push({ table, error: 'the row survived the rollback' });
    }
  }
  return { tables, failures };
}
