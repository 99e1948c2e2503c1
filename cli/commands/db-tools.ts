// The database commands' heavy dependencies, loaded only when a `db` command runs (the CLI bundle is
// split so `--help` and `check` never load the registry's database layer).
export { openDatabaseForCli, withDatabase } from './db-access';
export { databaseVersion, latestVersion, migrate } from '../../server/registry/db/migrations';
export { runSelfTest } from '../../server/registry/db/self-test';
export { createEventsRepository } from '../../server/registry/db/events-repository';
export { importExport, writeExport } from '../../server/registry/journal/export-file';
export { JournalBackup } from '../../server/registry/journal/journal-backup';
export { mirrorToBackup, reconcileWithBackup } from '../../server/registry/journal/journal-sync';
export { replayedStateDigest } from '../../server/registry/journal/replayed-state';
export { redactUrl } from '../../server/registry/config';
