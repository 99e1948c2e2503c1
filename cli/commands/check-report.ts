import { relative } from 'node:path';
import type { Finding, Severity } from '../../protocol/findings';
import { CATEGORIES } from '../../protocol/findings';

const COLOURS: Record<Severity, string> = { error: '\u001b[31m', warning: '\u001b[33m', info: '\u001b[36m', hint: '\u001b[90m' };

/** Formats findings for a terminal: grouped by file, `line:column severity message rule`, then totals. */
export function formatPretty(findings: readonly Finding[], root: string, colour: boolean): string {
  const paint = (severity: Severity, text: string): string => (colour ? `${COLOURS[severity]}${text}\u001b[0m` : text);
  const byFile = new Map<string, Finding[]>();
  for (const finding of findings) byFile.set(finding.file, [...(byFile.get(finding.file) ?? []), finding]);
  const lines: string[] = [];
  for (const [file, list] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(colour ? `\u001b[4m${relative(root, file)}\u001b[0m` : relative(root, file));
    list.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    for (const finding of list) {
      const where = `${finding.range.start.line + 1}:${finding.range.start.character + 1}`.padEnd(8);
      const fixable = finding.fixes.some((fix) => fix.kind === 'trivial') ? ' (fixable)' : '';
      lines.push(`  ${where} ${paint(finding.severity, finding.severity.padEnd(7))} ${finding.message}${fixable}  ${finding.code ?? finding.ruleId}`);
      if (finding.suggestion) lines.push(`           ${' '.repeat(7)} → ${finding.suggestion}`);
    }
    lines.push('');
  }
  const counts = CATEGORIES.map((category) => [category, findings.filter((finding) => finding.category === category).length] as const).filter(([, count]) => count > 0);
  lines.push(findings.length === 0 ? 'No findings.' : `${findings.length} finding(s): ${counts.map(([category, count]) => `${category} ${count}`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
