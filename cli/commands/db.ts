import type { Command } from 'commander';
import { configFromCli } from '../cli-config';

/** The commands' implementation modules, loaded on first use. */
const tools = () => import('./db-tools');

/** `plugin-codex db status | migrate | self-test | backup | restore | export | import | verify`. */
export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('inspect and maintain the registry database');

  db.command('status')
    .description('show the driver, schema version, drift and open alerts')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const { withDatabase, latestVersion, redactUrl } = await tools();
      await withDatabase(async (managed, config) => {
        const state = managed.state();
        const drift = await managed.checkDrift();
        const report = {
          database: redactUrl(config.databaseUrl) ?? `PGlite in ${config.dataDir}/pglite`,
          schema: config.databaseSchema,
          driver: state.driver,
          phase: state.phase,
          schemaVersion: state.schemaVersion,
          latestVersion: latestVersion(),
          drift,
        };
        if (flags.json) console.log(JSON.stringify(report, null, 2));
        else {
          console.log(`database:       ${report.database} (schema ${report.schema}, ${report.driver})`);
          console.log(`state:          ${report.phase}`);
          console.log(`schema version: ${report.schemaVersion} (this code knows up to ${report.latestVersion})`);
          console.log(drift.length === 0 ? 'drift:          none' : `drift:\n${drift.map((item) => `  - ${item.message}`).join('\n')}`);
        }
        process.exitCode = drift.length === 0 && state.phase === 'ready' ? 0 : 1;
      });
    });

  db.command('migrate')
    .description('migrate the schema to the latest version, or up or down to --to N')
    .option('--to <version>', 'target version (0 removes every table)', (value: string) => {
      const version = Number(value);
      if (!Number.isInteger(version) || version < 0) throw new Error(`--to "${value}" must be a non-negative integer`);
      return version;
    })
    .action(async (flags: { to?: number }) => {
      const { openDatabaseForCli, databaseVersion, latestVersion, migrate } = await tools();
      const config = configFromCli();
      const managed = await openDatabaseForCli(config, { bootstrap: false });
      try {
        if (flags.to !== undefined && flags.to > latestVersion()) {
          console.error(`error: --to ${flags.to} is newer than the latest migration (${latestVersion()})`);
          process.exitCode = 2;
          return;
        }
        const before = await databaseVersion(managed.unguarded);
        const report = await migrate(managed.unguarded, flags.to);
        console.log(report.applied.length === 0
          ? `schema already at version ${before}`
          : `migrated ${report.from} -> ${report.to}: ${report.applied.join(', ')}`);
      } catch (error) {
        console.error(`error: migration failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      } finally {
        await managed.close();
      }
    });

  db.command('self-test')
    .description('write, read and roll back a row in every table; exits non-zero on any failure')
    .action(async () => {
      const { withDatabase, runSelfTest } = await tools();
      await withDatabase(async (managed) => {
        const report = await runSelfTest(managed.db);
        for (const table of report.tables) {
          const failure = report.failures.find((item) => item.table === table);
          console.log(`${failure ? 'FAIL' : 'ok  '} ${table}${failure ? `: ${failure.error}` : ''}`);
        }
        process.exitCode = report.failures.length === 0 ? 0 : 1;
      });
    });

  db.command('backup')
    .description('mirror every committed event and artifact into the local journal backup now')
    .option('--dir <dir>', 'backup folder (default: BACKUP_DIR or <data dir>/backup)')
    .action(async (flags: { dir?: string }) => {
      const { withDatabase, JournalBackup, mirrorToBackup, reconcileWithBackup } = await tools();
      await withDatabase(async (managed, config) => {
        const backup = JournalBackup.open(flags.dir ?? config.backupDir);
        const outcome = await reconcileWithBackup(managed.db, backup);
        if (outcome.action === 'diverged') {
          console.error(`error: ${outcome.message}`);
          process.exitCode = 1;
          return;
        }
        const mirrored = await mirrorToBackup(managed.db, backup);
        console.log(`backup at ${backup.root}: ${backup.size()} events (${outcome.events + mirrored} new)`);
      });
    });

  db.command('restore')
    .description('replay the local journal backup into the database (a new, empty or older database)')
    .option('--dir <dir>', 'backup folder (default: BACKUP_DIR or <data dir>/backup)')
    .action(async (flags: { dir?: string }) => {
      const { withDatabase, JournalBackup, reconcileWithBackup, replayedStateDigest } = await tools();
      await withDatabase(async (managed, config) => {
        const backup = JournalBackup.open(flags.dir ?? config.backupDir);
        const outcome = await reconcileWithBackup(managed.db, backup);
        console.log(outcome.message);
        if (outcome.action === 'diverged') process.exitCode = 1;
        else console.log(`state digest: ${(await replayedStateDigest(managed.db)).digest}`);
      });
    });

  db.command('export')
    .description('write the journal and artifacts to one portable file that imports into any PostgreSQL or PGlite')
    .argument('<file>', 'the export file to write (gzipped JSON lines)')
    .action(async (file: string) => {
      const { withDatabase, writeExport } = await tools();
      await withDatabase(async (managed) => {
        const header = await writeExport(managed.db, file);
        console.log(`exported ${header.events} events and ${header.artifacts} artifacts (schema ${header.schemaVersion}) to ${file}`);
        console.log(`state digest: ${header.digest}`);
      });
    });

  db.command('import')
    .description('replay an export file into an empty database and check the resulting digest')
    .argument('<file>', 'an export written by `db export`')
    .action(async (file: string) => {
      const { withDatabase, importExport } = await tools();
      await withDatabase(async (managed) => {
        try {
          const report = await importExport(managed.db, file);
          console.log(`imported ${report.header.events} events and ${report.header.artifacts} artifacts`);
          console.log(`state digest: ${report.digest} (${report.digestMatches ? 'matches the export' : `DIFFERS from the export's ${report.header.digest}`})`);
          process.exitCode = report.digestMatches ? 0 : 1;
        } catch (error) {
          console.error(`error: import failed: ${error instanceof Error ? error.message : String(error)}`);
          process.exitCode = 1;
        }
      });
    });

  db.command('verify')
    .description('check the journal hash chain in the database and in the local backup, and print the state digest')
    .option('--dir <dir>', 'backup folder (default: BACKUP_DIR or <data dir>/backup)')
    .option('--json', 'print JSON')
    .action(async (flags: { dir?: string; json?: boolean }) => {
      const { withDatabase, createEventsRepository, replayedStateDigest, JournalBackup } = await tools();
      await withDatabase(async (managed, config) => {
        const chain = await createEventsRepository(managed.db).verifyChain();
        const backup = verifyBackupFolder(() => JournalBackup.open(flags.dir ?? config.backupDir));
        const digest = await replayedStateDigest(managed.db);
        const report = { database: chain, backup, digest: digest.digest };
        if (flags.json) console.log(JSON.stringify(report, null, 2));
        else {
          console.log(chain.ok ? `database journal: ok (${chain.events} events)` : `database journal: BROKEN at event ${chain.break?.seq}: ${chain.break?.reason}`);
          console.log(backup.ok ? `local backup:     ok (${backup.events} events)` : `local backup:     BROKEN: ${backup.error}`);
          console.log(`state digest:     ${digest.digest}`);
        }
        process.exitCode = chain.ok && backup.ok ? 0 : 1;
      });
    });
}

/** Opens and verifies the backup, turning an unreadable one into a failed verdict instead of a crash. */
function verifyBackupFolder(open: () => { verify(): { ok: boolean; events: number; error?: string } }): { ok: boolean; events: number; error?: string } {
  try {
    return open().verify();
  } catch (error) {
    return { ok: false, events: 0, error: error instanceof Error ? error.message : String(error) };
  }
}
