import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Category, Finding } from '../protocol/findings';
import type { Codex } from './codex';
import { LineMap } from './positions';

/** The marker that shows where a finding must start in a test fixture. */
export const MARKER = '/*@*/';

/** Removes the markers from `code` and returns the text with the offsets where they stood. */
export function stripMarkers(code: string): { text: string; offsets: number[] } {
  const offsets: number[] = [];
  let text = '';
  let rest = code;
  for (let at = rest.indexOf(MARKER); at >= 0; at = rest.indexOf(MARKER)) {
    text += rest.slice(0, at);
    offsets.push(text.length);
    rest = rest.slice(at + MARKER.length);
  }
  return { text: text + rest, offsets };
}

/** Writes `files` (relative path → content) into a new temporary folder and returns its path. */
export function writeFixture(files: Record<string, string>, prefix = 'codex-fixture-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return root;
}

/** Deletes a fixture folder. */
export function removeFixture(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** One row of a rule's case table: code with markers where findings must start, or none for a look-alike. */
export interface RuleCase {
  name: string;
  code: string;
  /** The case file's extension (default `.ts`; `.test.ts` makes it a test file). */
  extension?: string;
  /** A folder under the fixture root for the case file (`migrations`), when where it lives matters. */
  folder?: string;
}

/** The result of running one case: the findings of the rule and where they had to be. */
export interface CaseOutcome {
  found: Finding[];
  expected: { line: number; character: number }[];
  text: string;
}

let counter = 0;

/** Runs one case through the public API as an unsaved file of the codex's project. */
export async function runCase(codex: Codex, ruleId: string, category: Category, code: string, extension = '.ts', folder = ''): Promise<CaseOutcome> {
  const { text, offsets } = stripMarkers(code);
  const file = join(codex.root, folder, `case-${++counter}${extension}`);
  codex.setOverlay(file, text);
  try {
    const result = await codex.analyzeFile(file, { layers: 'full', categories: [category] });
    if (result.error) throw new Error(result.error);
    const lines = new LineMap(text);
    return { found: result.findings.filter((finding) => finding.ruleId === ruleId), expected: offsets.map((offset) => lines.position(offset)), text };
  } finally {
    codex.setOverlay(file, undefined);
  }
}

/** The start positions of findings, for comparing with the expected ones. */
export function starts(findings: readonly Finding[]): { line: number; character: number }[] {
  return findings.map((finding) => finding.range.start).sort((a, b) => a.line - b.line || a.character - b.character);
}

/** A project-level case: files (relative path → content with markers); markers anywhere are expected findings. */
export type ProjectCase = { name: string; files: Record<string, string> };

/**
 * Writes the case's files into a fresh project, analyses the whole project and returns the rule's
 * findings as `path:line:character` strings next to the expected ones.
 */
export async function runProjectCase(
  create: (root: string) => Codex,
  ruleId: string,
  category: Category,
  files: Record<string, string>,
): Promise<{ found: string[]; expected: string[] }> {
  const expected: string[] = [];
  const plain: Record<string, string> = {};
  for (const [path, code] of Object.entries(files)) {
    const { text, offsets } = stripMarkers(code);
    plain[path] = text;
    const lines = new LineMap(text);
    for (const offset of offsets) {
      const position = lines.position(offset);
      expected.push(`${path}:${position.line}:${position.character}`);
    }
  }
  const root = writeFixture(plain);
  try {
    const codex = create(root);
    const result = await codex.analyzeProject({ categories: [category] });
    const found = result.findings
      .filter((finding) => finding.ruleId === ruleId)
      .map((finding) => `${finding.file.slice(root.length + 1)}:${finding.range.start.line}:${finding.range.start.character}`);
    return { found: found.sort(), expected: expected.sort() };
  } finally {
    removeFixture(root);
  }
}
