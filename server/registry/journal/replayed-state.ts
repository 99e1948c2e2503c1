import type { Database } from '../db/database';
import { stateDigest, type StateDigest } from '../db/state-digest';

/**
 * Tables that journal replay deliberately does not reproduce: operational records (alerts, webhook
 * deliveries), credentials (API token hashes and webhook secrets never enter the journal, which is
 * exported and mirrored), the user cache behind them, and plugin key/value storage written by
 * sandboxed code. Everything else is marketplace state and must come back identical.
 */
export const NOT_REPLAYED_TABLES = ['alerts', 'api_tokens', 'users', 'plugin_storage', 'webhooks', 'webhook_deliveries', 'debug_sessions', 'debug_error_fingerprints', 'debug_snapshots', 'fix_suggestions', 'fix_outcomes', 'invocations'] as const;

/** The digest of exactly the state that replaying the journal reproduces. */
export function replayedStateDigest(db: Database): Promise<StateDigest> {
  return stateDigest(db, { excludeTables: NOT_REPLAYED_TABLES });
}
