import type { Database } from './database';
import { databaseVersion, latestVersion, migrate } from './migrations';

/** What bootstrap found and did. */
export interface BootstrapOutcome {
  /** `created`: the schema was empty; `migrated`: it was behind; `current`: nothing to do; `ahead`: newer than this code. */
  action: 'created' | 'migrated' | 'current' | 'ahead';
  from: number;
  to: number;
  latest: number;
  applied: string[];
}

/**
 * Brings the schema to the version this code expects: creates it in an empty or new database and
 * migrates an old one, all in one transaction. A schema newer than the code is left untouched.
 */
export async function bootstrapSchema(db: Database): Promise<BootstrapOutcome> {
  const latest = latestVersion();
  const from = await databaseVersion(db);
  if (from > latest) return { action: 'ahead', from, to: from, latest, applied: [] };
  if (from === latest) return { action: 'current', from, to: from, latest, applied: [] };
  const report = await migrate(db);
  return { action: from === 0 ? 'created' : 'migrated', from, to: report.to, latest, applied: report.applied };
}
