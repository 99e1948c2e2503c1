import type { Queryable } from './database';

/** Queries of the key/value settings table (defaults are inserted by the first migration). */
export function createSettingsRepository(db: Queryable) {
  return {
    async all(): Promise<Record<string, unknown>> {
      const result = await db.query<{ key: string; value: unknown }>('SELECT key, value FROM settings ORDER BY key');
      return Object.fromEntries(result.rows.map((row) => [row.key, row.value]));
    },
    async get<T>(key: string): Promise<T | undefined> {
      const result = await db.query<{ value: T }>('SELECT value FROM settings WHERE key = $1', [key]);
      return result.rows[0]?.value;
    },
    async set(key: string, value: unknown, tx: Queryable = db): Promise<void> {
      await tx.query(
        `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [key, JSON.stringify(value)],
      );
    },
  };
}

export type SettingsRepository = ReturnType<typeof createSettingsRepository>;
