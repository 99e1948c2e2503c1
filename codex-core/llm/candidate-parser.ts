import { applyPatch, parsePatch } from 'diff';

/** A line-range replacement as the model writes it: 1-based, `endLine` inclusive. */
export interface LineEdit {
  startLine: number;
  endLine: number;
  replacement: string;
}

/** One proposed fix: the model's reason and the whole new text of the file. */
export interface Candidate {
  reason: string;
  newText: string;
  /** How the model expressed it. */
  format: 'edits' | 'diff';
}

/** The JSON schema the model is asked to answer with (response_format json_schema). */
export const CANDIDATES_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['candidates'],
  properties: {
    candidates: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['reason', 'edits'],
        properties: {
          reason: { type: 'string', description: 'Why this change fixes the problem, in one or two sentences.' },
          edits: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['startLine', 'endLine', 'replacement'],
              properties: {
                startLine: { type: 'integer', description: '1-based first line replaced' },
                endLine: { type: 'integer', description: '1-based last line replaced (inclusive); startLine - 1 to insert before startLine' },
                replacement: { type: 'string', description: 'The new text of those lines, without a trailing newline' },
              },
            },
          },
        },
      },
    },
  },
} as const;

/** Thrown when a completion is neither usable JSON edits nor an applicable unified diff; the message is fed back to the model. */
export class CandidateFormatError extends Error {}

/** Applies line edits (1-based, inclusive) to `text`; overlapping or out-of-range edits are rejected. */
export function applyLineEdits(text: string, edits: readonly LineEdit[]): string {
  const lines = text.split('\n');
  const sorted = [...edits].sort((a, b) => b.startLine - a.startLine);
  let previousStart = Number.POSITIVE_INFINITY;
  for (const edit of sorted) {
    if (!Number.isInteger(edit.startLine) || !Number.isInteger(edit.endLine) || typeof edit.replacement !== 'string') {
      throw new CandidateFormatError('each edit needs integer startLine and endLine and a string replacement');
    }
    if (edit.startLine < 1 || edit.endLine < edit.startLine - 1 || edit.endLine > lines.length) {
      throw new CandidateFormatError(`edit lines ${edit.startLine}-${edit.endLine} are outside the file (1-${lines.length})`);
    }
    if (edit.endLine >= previousStart) throw new CandidateFormatError('edits overlap');
    previousStart = edit.startLine;
    const replacement = edit.replacement === '' && edit.endLine >= edit.startLine ? [] : edit.replacement.split('\n');
    lines.splice(edit.startLine - 1, edit.endLine - edit.startLine + 1, ...replacement);
  }
  return lines.join('\n');
}

function stripFence(content: string): string {
  const fenced = /```[a-z]*\n([\s\S]*?)```/i.exec(content);
  return (fenced ? fenced[1]! : content).trim();
}

/** Reads a unified diff (the fallback format) and applies it to `text`. */
export function applyUnifiedDiff(text: string, content: string): string {
  const body = stripFence(content);
  let patches;
  try {
    patches = parsePatch(body.endsWith('\n') ? body : `${body}\n`);
  } catch (error) {
    throw new CandidateFormatError(`the unified diff does not parse: ${(error as Error).message}`);
  }
  const patch = patches.find((candidate) => candidate.hunks.length > 0);
  if (!patch) throw new CandidateFormatError('the answer holds neither JSON edits nor a unified diff with hunks');
  const result = applyPatch(text, patch, { fuzzFactor: 1 });
  if (result === false) throw new CandidateFormatError('the unified diff does not apply to the file (context lines differ)');
  return result;
}

/**
 * Turns a completion into candidates: JSON (`{ candidates: [{ reason, edits }] }`, or a single
 * `{ reason, edits }`) when it parses, else a unified diff with an optional reason line before it.
 */
export function parseCandidates(text: string, content: string): Candidate[] {
  const trimmed = stripFence(content);
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    json = undefined;
  }
  if (json !== undefined) {
    const list = (json as { candidates?: unknown }).candidates ?? [json];
    if (!Array.isArray(list) || list.length === 0) throw new CandidateFormatError('the JSON answer has no candidates');
    return list.map((entry) => {
      const { reason, edits } = (entry ?? {}) as { reason?: unknown; edits?: unknown };
      if (!Array.isArray(edits) || edits.length === 0) throw new CandidateFormatError('a candidate has no edits');
      return { reason: typeof reason === 'string' ? reason : '', newText: applyLineEdits(text, edits as LineEdit[]), format: 'edits' as const };
    });
  }
  const diffStart = content.search(/^(---|@@) /m);
  if (diffStart < 0) throw new CandidateFormatError('the answer is neither valid JSON nor a unified diff');
  // Patch headers (`Index:`, `====`, `diff --git`) are not part of the reason.
  const reason = content.slice(0, diffStart).replace(/```[a-z]*/gi, '').split('\n')
    .filter((line) => !/^(=+|Index: .*|diff --git .*)$/.test(line.trim())).join('\n').trim();
  return [{ reason, newText: applyUnifiedDiff(text, content.slice(diffStart)), format: 'diff' }];
}
