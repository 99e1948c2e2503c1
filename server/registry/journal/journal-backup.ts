import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, ftruncateSync, statSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import ssri from 'ssri';
import { canonicalJson } from '../../../protocol/canonical-json';
import { findChainBreak, GENESIS_HASH, type JournalEvent } from '../db/events-repository';

/** Events per segment file before the writer starts a new one. */
const SEGMENT_EVENTS = 10_000;

/** Makes a folder's entries (a new or renamed file) durable. */
async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Where an artifact with this integrity lives in the content-addressed store. */
function artifactFile(root: string, integrity: string): string {
  const hex = Buffer.from(integrity.replace(/^sha512-/, ''), 'base64').toString('hex');
  return join(root, 'artifacts', hex.slice(0, 2), hex);
}

/** A problem found while reading the local journal. */
export class JournalBackupError extends Error {
  constructor(readonly file: string, readonly seq: number | undefined, message: string) {
    super(message);
  }
}

/**
 * The local backup: the journal mirrored to append-only, fsync'd segment files
 * (`journal/segment-000001.jsonl`, one canonical JSON event per line) plus a content-addressed
 * store of plugin artifacts (`artifacts/<hex sha512>`). Nothing is ever rewritten, except that a
 * torn last line left by a crash is cut off when the backup is opened again.
 */
export class JournalBackup {
  private readonly journalDir: string;
  private last: JournalEvent | undefined;
  private events: number;

  private constructor(readonly root: string) {
    this.journalDir = join(root, 'journal');
    mkdirSync(this.journalDir, { recursive: true });
    mkdirSync(join(root, 'artifacts'), { recursive: true });
    const { last, count } = this.recover();
    this.last = last;
    this.events = count;
  }

  /** Opens (creating if needed) the backup in `root`, verifying the whole chain. */
  static open(root: string): JournalBackup {
    return new JournalBackup(root);
  }

  /** The segment files in order. */
  segments(): string[] {
    return readdirSync(this.journalDir).filter((name) => /^segment-\d{6}\.jsonl$/.test(name)).sort().map((name) => join(this.journalDir, name));
  }

  /** The newest mirrored event. */
  lastEvent(): JournalEvent | undefined {
    return this.last;
  }

  /** How many events the backup holds. */
  size(): number {
    return this.events;
  }

  /** Reads every event in order, verifying each link; throws naming the file and event on a break. */
  *read(): Generator<JournalEvent> {
    let prev = GENESIS_HASH;
    let seq = 1;
    for (const file of this.segments()) {
      const lines = readFileSync(file, 'utf8').split('\n');
      for (let index = 0; index < lines.length; index += 1) {
        const line = lines[index]!;
        if (line === '') continue;
        let event: JournalEvent;
        try {
          event = JSON.parse(line) as JournalEvent;
        } catch {
          throw new JournalBackupError(file, seq, `${file} line ${index + 1} is not valid JSON (event ${seq} is damaged)`);
        }
        const broken = findChainBreak([event], prev, seq);
        if (broken) throw new JournalBackupError(file, broken.seq, `${file} line ${index + 1}: ${broken.reason}`);
        prev = event.hash;
        seq += 1;
        yield event;
      }
    }
  }

  /** Verifies the whole local journal without throwing. */
  verify(): { ok: boolean; events: number; error?: string; seq?: number; file?: string } {
    let count = 0;
    try {
      for (const _event of this.read()) count += 1;
      return { ok: true, events: count };
    } catch (error) {
      if (error instanceof JournalBackupError) return { ok: false, events: count, error: error.message, seq: error.seq, file: error.file };
      throw error;
    }
  }

  /**
   * Appends committed events (they must continue the chain) and fsyncs before returning, so a
   * crash after this call cannot lose them. The writes are asynchronous: a long backfill never
   * blocks the registry's event loop. Callers must not append concurrently (the journal service
   * runs one cycle at a time).
   */
  async append(events: readonly JournalEvent[]): Promise<void> {
    if (events.length === 0) return;
    const broken = findChainBreak(events, this.last?.hash ?? GENESIS_HASH, (this.last?.seq ?? 0) + 1);
    if (broken) throw new JournalBackupError(this.journalDir, broken.seq, `cannot mirror event ${broken.seq}: ${broken.reason}`);
    let offset = 0;
    while (offset < events.length) {
      const segmentIndex = Math.floor(this.events / SEGMENT_EVENTS) + 1;
      const room = SEGMENT_EVENTS - (this.events % SEGMENT_EVENTS);
      const batch = events.slice(offset, offset + room);
      const file = join(this.journalDir, `segment-${String(segmentIndex).padStart(6, '0')}.jsonl`);
      const created = !existsSync(file);
      const handle = await open(file, 'a');
      try {
        await handle.write(batch.map((event) => canonicalJson(event) + '\n').join(''));
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (created) await fsyncDir(this.journalDir);
      this.events += batch.length;
      this.last = batch.at(-1);
      offset += batch.length;
    }
  }

  hasArtifact(integrity: string): boolean {
    return existsSync(artifactFile(this.root, integrity));
  }

  /** Stores artifact bytes under their integrity (verified first), atomically and durably. */
  async putArtifact(integrity: string, bytes: Buffer): Promise<void> {
    if (!ssri.checkData(bytes, integrity)) throw new Error(`artifact bytes do not match ${integrity.slice(0, 24)}…`);
    const file = artifactFile(this.root, integrity);
    if (existsSync(file)) return;
    await mkdir(join(file, '..'), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w');
    try {
      await handle.write(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
    await fsyncDir(join(file, '..'));
  }

  /** The artifact's bytes, verified against their integrity; undefined when absent. */
  artifact(integrity: string): Buffer | undefined {
    const file = artifactFile(this.root, integrity);
    if (!existsSync(file)) return undefined;
    const bytes = readFileSync(file);
    if (!ssri.checkData(bytes, integrity)) throw new JournalBackupError(file, undefined, `artifact ${file} was altered: its bytes no longer match ${integrity.slice(0, 24)}…`);
    return bytes;
  }

  /** A fingerprint of the mirrored journal (its length and last hash). */
  fingerprint(): string {
    return createHash('sha256').update(`${this.events}:${this.last?.hash ?? GENESIS_HASH}`).digest('hex');
  }

  /** Reads the tail after a crash: cuts a torn last line, verifies the chain, and finds the last event. */
  private recover(): { last: JournalEvent | undefined; count: number } {
    const segments = this.segments();
    const lastSegment = segments.at(-1);
    if (lastSegment) {
      const text = readFileSync(lastSegment, 'utf8');
      if (text.length > 0 && !text.endsWith('\n')) {
        // A crash mid-write left a partial line: it was never acknowledged, so it is dropped.
        const keep = text.lastIndexOf('\n') + 1;
        const fd = openSync(lastSegment, 'r+');
        try {
          ftruncateSync(fd, Buffer.byteLength(text.slice(0, keep)));
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      }
    }
    let last: JournalEvent | undefined;
    let count = 0;
    for (const event of this.read()) {
      last = event;
      count += 1;
    }
    return { last, count };
  }

  /** Bytes used by the journal segments (for status output). */
  journalBytes(): number {
    return this.segments().reduce((total, file) => total + statSync(file).size, 0);
  }
}
