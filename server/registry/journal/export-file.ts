import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import ssri from 'ssri';
import { canonicalJson } from '../../../protocol/canonical-json';
import type { Database } from '../db/database';
import { findChainBreak, GENESIS_HASH, type JournalEvent } from '../db/events-repository';
import { createJournalRepository } from '../db/journal-repository';
import { databaseVersion } from '../db/migrations';
import { replayEvents } from './journal-sync';
import { replayedStateDigest } from './replayed-state';

/** The first line of an export file. */
export interface ExportHeader {
  format: 'plugin-codex-export';
  formatVersion: 1;
  schemaVersion: number;
  exportedAt: string;
  events: number;
  artifacts: number;
  /** The replayed-state digest of the exporting database; an import must reproduce it. */
  digest: string;
  lastHash: string;
}

type ExportLine = { kind: 'event'; event: JournalEvent } | { kind: 'artifact'; integrity: string; base64: string };

/**
 * Writes one portable file (gzipped JSON lines): a header, every journal event in order, then every
 * artifact. It imports into any PostgreSQL or PGlite and must yield the same digest.
 */
export async function writeExport(db: Database, file: string): Promise<ExportHeader> {
  const journal = createJournalRepository(db);
  const events: JournalEvent[] = [];
  for (let after = 0; ;) {
    const page = await journal.eventsAfter(after, 1000);
    if (page.length === 0) break;
    events.push(...page);
    after = page.at(-1)!.seq;
  }
  const integrities = await journal.artifactIntegrities();
  const header: ExportHeader = {
    format: 'plugin-codex-export',
    formatVersion: 1,
    schemaVersion: await databaseVersion(db),
    exportedAt: new Date().toISOString(),
    events: events.length,
    artifacts: integrities.length,
    digest: (await replayedStateDigest(db)).digest,
    lastHash: events.at(-1)?.hash ?? GENESIS_HASH,
  };
  async function* lines(): AsyncGenerator<string> {
    yield canonicalJson(header) + '\n';
    for (const event of events) yield canonicalJson({ kind: 'event', event }) + '\n';
    for (const integrity of integrities) {
      const bytes = await journal.artifact(integrity);
      if (bytes) yield canonicalJson({ kind: 'artifact', integrity, base64: bytes.toString('base64') }) + '\n';
    }
  }
  await pipeline(Readable.from(lines()), createGzip(), createWriteStream(file));
  return header;
}

/** What an import found and did. */
export interface ImportReport {
  header: ExportHeader;
  digest: string;
  digestMatches: boolean;
}

/** Reads and checks an export file: format, hash chain and artifact integrity. */
export async function readExport(file: string): Promise<{ header: ExportHeader; events: JournalEvent[]; artifacts: Map<string, Buffer> }> {
  const reader = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  let header: ExportHeader | undefined;
  const events: JournalEvent[] = [];
  const artifacts = new Map<string, Buffer>();
  let lineNumber = 0;
  for await (const line of reader) {
    lineNumber += 1;
    if (line === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`${file} line ${lineNumber} is not valid JSON`);
    }
    if (!header) {
      const candidate = parsed as ExportHeader;
      if (candidate.format !== 'plugin-codex-export' || candidate.formatVersion !== 1) throw new Error(`${file} is not a plugin-codex export (format ${String(candidate.format)} v${String(candidate.formatVersion)})`);
      header = candidate;
      continue;
    }
    const entry = parsed as ExportLine;
    if (entry.kind === 'event') events.push(entry.event);
    else if (entry.kind === 'artifact') {
      const bytes = Buffer.from(entry.base64, 'base64');
      if (!ssri.checkData(bytes, entry.integrity)) throw new Error(`${file} line ${lineNumber}: artifact ${entry.integrity.slice(0, 24)}… does not match its integrity`);
      artifacts.set(entry.integrity, bytes);
    } else throw new Error(`${file} line ${lineNumber}: unknown entry kind`);
  }
  if (!header) throw new Error(`${file} is empty`);
  const broken = findChainBreak(events);
  if (broken) throw new Error(`${file}: the journal chain is broken at event ${broken.seq}: ${broken.reason}`);
  if (events.length !== header.events) throw new Error(`${file} holds ${events.length} events but its header says ${header.events}`);
  return { header, events, artifacts };
}

/**
 * Imports an export into a database whose journal is empty (bootstrapped to the current schema):
 * replays every event with the live appliers and compares the resulting digest with the header's.
 */
export async function importExport(db: Database, file: string): Promise<ImportReport> {
  const { header, events, artifacts } = await readExport(file);
  const existing = await createJournalRepository(db).lastEvent();
  if (existing) throw new Error(`the target database already has ${existing.seq} events; import into an empty database`);
  await replayEvents(db, events, (integrity) => artifacts.get(integrity));
  const digest = (await replayedStateDigest(db)).digest;
  return { header, digest, digestMatches: digest === header.digest };
}
