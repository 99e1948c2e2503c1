import { CATEGORIES, type Category, type Finding, type Fix, type Severity } from '../protocol/findings';
import type { CodexConfig } from './config';
import { LineMap } from './positions';
import { isRuleId, ruleById } from './rule-catalogue';
import { Suppressions } from './suppressions';

/** An edit given as offsets into the file being reported on. */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

/** What a rule reports; the reporter adds category, severity, positions and the docs link. */
export interface Report {
  ruleId: string;
  start: number;
  end: number;
  message: string;
  code?: string;
  /** Overrides the rule's default severity (before the configuration's override). */
  severity?: Severity;
  fixes?: { title: string; kind: Fix['kind']; edits: OffsetEdit[] }[];
  /** The fixes are left to be computed on demand (see Finding.fixesPending). */
  fixesPending?: boolean;
  suggestion?: string;
}

/** Decides whether rules run and at which severity, following the configuration. */
export class RuleSettings {
  constructor(private readonly config: CodexConfig) {}

  categoryEnabled(category: Category, requested?: readonly Category[]): boolean {
    if (requested && !requested.includes(category)) return false;
    return this.config.categories?.[category] !== false;
  }

  enabled(ruleId: string, requested?: readonly Category[]): boolean {
    const rule = ruleById(ruleId);
    if (!this.categoryEnabled(rule.category, requested)) return false;
    return this.config.rules?.[ruleId] !== 'off';
  }

  severity(ruleId: string, reported?: Severity): Severity {
    const setting = this.config.rules?.[ruleId];
    if (setting && setting !== 'on' && setting !== 'off') return setting;
    return reported ?? ruleById(ruleId).defaultSeverity;
  }
}

/** Collects the findings of one file. */
export class FileReporter {
  readonly findings: Finding[] = [];
  readonly lines: LineMap;
  /** The file's `plugin-codex-disable…` comments, read on the first report. */
  private suppressions: Suppressions | undefined;

  constructor(
    readonly file: string,
    text: string,
    private readonly settings: RuleSettings,
    private readonly requested?: readonly Category[],
  ) {
    this.lines = new LineMap(text);
  }

  /** True when `ruleId` should run for this request. */
  wants(ruleId: string): boolean {
    return this.settings.enabled(ruleId, this.requested);
  }

  /**
   * Reports the names in the file's `plugin-codex-disable…` comments that are no rule id or
   * category (as ESLint reports an unknown rule in a disable comment), under lint.
   */
  reportDirectiveProblems(): void {
    if (!this.wants('lint')) return;
    const known = (name: string): boolean => isRuleId(name) || (CATEGORIES as readonly string[]).includes(name);
    for (const problem of this.directives().problems(known)) {
      this.report({ ruleId: 'lint', code: 'plugin-codex-directive', severity: 'warning', start: problem.start, end: problem.end, message: problem.message,
        suggestion: `Name a rule id (docs/rules) or a category: ${CATEGORIES.join(', ')}.` });
    }
  }

  private directives(): Suppressions {
    this.suppressions ??= Suppressions.of(this.file, this.lines.text);
    return this.suppressions;
  }

  report(report: Report): void {
    if (!this.wants(report.ruleId)) return;
    const rule = ruleById(report.ruleId);
    if (this.directives().covers(report.ruleId, rule.category, this.lines.position(report.start).line)) return;
    const finding: Finding = {
      ruleId: report.ruleId,
      category: rule.category,
      severity: this.settings.severity(report.ruleId, report.severity),
      message: report.message,
      file: this.file,
      range: this.lines.range(report.start, report.end),
      fixes: (report.fixes ?? []).map((fix) => ({
        title: fix.title,
        kind: fix.kind,
        edits: fix.edits.map((edit) => ({ file: this.file, range: this.lines.range(edit.start, edit.end), newText: edit.newText })),
      })),
      docsUrl: rule.docsPath,
    };
    if (report.code) finding.code = report.code;
    if (report.fixesPending) finding.fixesPending = true;
    if (report.suggestion) finding.suggestion = report.suggestion;
    this.findings.push(finding);
  }
}

/**
 * A reporter that keeps what the rules report, unfiltered and unconverted: every rule of the given
 * categories runs whatever the settings say, so the reports can be stored (the check cache) and
 * replayed later through a real reporter, under whatever settings are current then.
 */
export class RecordingReporter extends FileReporter {
  readonly reports: Report[] = [];

  constructor(file: string, text: string, categories: readonly Category[]) {
    super(file, text, new RuleSettings({}), categories);
  }

  override report(report: Report): void {
    if (this.wants(report.ruleId)) this.reports.push(report);
  }
}
