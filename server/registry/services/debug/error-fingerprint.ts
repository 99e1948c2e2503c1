import { createHash } from 'node:crypto';

/** A runtime error as the runtime reports it. */
export interface RuntimeErrorReport {
  pluginId: string;
  version: string;
  /** The install target the invocation ran for, when there was one. */
  target?: string | null;
  tool: string;
  error: { code: string; message: string; stack?: string };
}

/**
 * Strips what varies between occurrences of the same error: numbers, ids, hex runs, quoted values
 * and whitespace, so `timeout after 2013 ms for "abc"` and `timeout after 1998 ms for "xyz"` match.
 */
export function normaliseMessage(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/\b[0-9a-f]{12,}\b/gi, '<hex>')
    .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, '<str>')
    .replace(/\d+(\.\d+)?/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
}

/** The top frame of a stack (function and file, without line and column, which move with edits). */
export function stackTop(stack: string | undefined): string {
  const frame = stack?.split('\n').map((line) => line.trim()).find((line) => line.startsWith('at '));
  return frame ? frame.replace(/:\d+(:\d+)?\)?$/, '').replace(/\($/, '') : '';
}

/**
 * The fingerprint of a runtime error: sha256 over `plugin@version`, the error code, the normalised
 * message and the top stack frame. The same bug in the same version gives the same fingerprint
 * however often it happens; one debug session is started per fingerprint.
 */
export function errorFingerprint(report: RuntimeErrorReport): string {
  return createHash('sha256')
    .update(`${report.pluginId}@${report.version}\n${report.error.code}\n${normaliseMessage(report.error.message)}\n${stackTop(report.error.stack)}`)
    .digest('hex');
}
