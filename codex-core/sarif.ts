import { relative, sep } from 'node:path';
import type { Finding, RuleDescription, Severity } from '../protocol/findings';

/** The subset of SARIF 2.1.0 the codex writes. */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: { name: string; version: string; rules: SarifRule[] } };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: SarifResult[];
  }[];
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  helpUri?: string;
  /** The rule's doc page, so code scanning shows it without following a link. */
  help?: { text: string; markdown: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { category: string };
}

type SarifLevel = 'error' | 'warning' | 'note';

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: { startLine: number; startColumn: number; endLine: number; endColumn: number } } }[];
  fixes?: { description: { text: string }; artifactChanges: { artifactLocation: { uri: string; uriBaseId: string }; replacements: { deletedRegion: { startLine: number; startColumn: number; endLine: number; endColumn: number }; insertedContent: { text: string } }[] }[] }[];
  properties?: { code?: string; suggestion?: string };
}

function level(severity: Severity): SarifLevel {
  return severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

function uri(root: string, file: string): string {
  return relative(root, file).split(sep).map(encodeURIComponent).join('/');
}

function region(range: Finding['range']): { startLine: number; startColumn: number; endLine: number; endColumn: number } {
  return { startLine: range.start.line + 1, startColumn: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 };
}

/**
 * Converts findings to a SARIF 2.1.0 log for code scanning: paths relative to `%SRCROOT%` (the
 * project root), 1-based lines and columns, trivial fixes as SARIF fixes.
 */
export function toSarif(
  findings: readonly Finding[],
  rules: readonly RuleDescription[],
  options: {
    root: string;
    version: string;
    /** Where the rule pages (`docs/rules/<id>.md`) are published; without it, rules carry no helpUri. */
    docsBaseUrl?: string;
    /** The markdown of a rule's doc page, embedded as the rule's help. */
    ruleHelp?: (rule: RuleDescription) => string | undefined;
  },
): SarifLog {
  const used = rules.filter((rule) => findings.some((finding) => finding.ruleId === rule.id));
  const indexOf = new Map(used.map((rule, index) => [rule.id, index]));
  const docs = options.docsBaseUrl;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'plugin-codex',
          version: options.version,
          rules: used.map((rule) => {
            const help = options.ruleHelp?.(rule);
            return {
              id: rule.id,
              name: rule.id,
              shortDescription: { text: rule.description },
              ...(docs ? { helpUri: `${docs}${rule.docsPath}` } : {}),
              ...(help ? { help: { text: help, markdown: help } } : {}),
              defaultConfiguration: { level: level(rule.defaultSeverity) },
              properties: { category: rule.category },
            };
          }),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { uri: `file://${options.root.split(sep).join('/').replace(/\/?$/, '/')}` } },
      results: findings.map((finding) => {
        const result: SarifResult = {
          ruleId: finding.ruleId,
          ruleIndex: indexOf.get(finding.ruleId) ?? -1,
          level: level(finding.severity),
          message: { text: finding.message },
          locations: [{ physicalLocation: { artifactLocation: { uri: uri(options.root, finding.file), uriBaseId: '%SRCROOT%' }, region: region(finding.range) } }],
        };
        const trivial = finding.fixes.filter((fix) => fix.kind === 'trivial');
        if (trivial.length) {
          result.fixes = trivial.map((fix) => ({
            description: { text: fix.title },
            artifactChanges: [{
              artifactLocation: { uri: uri(options.root, finding.file), uriBaseId: '%SRCROOT%' },
              replacements: fix.edits.map((edit) => ({ deletedRegion: region(edit.range), insertedContent: { text: edit.newText } })),
            }],
          }));
        }
        if (finding.code || finding.suggestion) result.properties = { ...(finding.code ? { code: finding.code } : {}), ...(finding.suggestion ? { suggestion: finding.suggestion } : {}) };
        return result;
      }),
    }],
  };
}
