/**
 * The findings the codex produces, as plain serialisable data. They cross process boundaries (the
 * language server, the CLI's JSON and SARIF output, the registry's debug engine), so they hold no
 * class instances, no functions and no compiler objects.
 */

/** A position in a text document: 0-based line and 0-based UTF-16 character offset in that line. */
export interface Position {
  line: number;
  character: number;
}

/** A range in a text document; `end` is exclusive. */
export interface Range {
  start: Position;
  end: Position;
}

/** Replace `range` of `file` with `newText` (an insertion has an empty range, a deletion an empty text). */
export interface TextEdit {
  /** Absolute path of the file the edit applies to. */
  file: string;
  range: Range;
  newText: string;
}

/**
 * A fix for a finding. `trivial` fixes are deterministic and safe to apply without review ("fix all
 * trivial"); `suggestion` fixes change behaviour and are offered, never applied automatically.
 */
export interface Fix {
  title: string;
  kind: 'trivial' | 'suggestion';
  edits: TextEdit[];
}

/** How serious a finding is, from most to least severe. */
export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** Every severity, most severe first. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'hint'];

/** The families of rules. */
export type Category = 'type' | 'lint' | 'dependency' | 'security' | 'performance' | 'dead-zone' | 'schema-drift';

/** Every category, in the order reports list them. */
export const CATEGORIES: readonly Category[] = ['type', 'lint', 'dependency', 'security', 'performance', 'dead-zone', 'schema-drift'];

/** One problem found in one place. */
export interface Finding {
  /** The codex rule, e.g. `security-sql-injection`, `type-check` or `lint`. */
  ruleId: string;
  category: Category;
  severity: Severity;
  message: string;
  /** Absolute path of the file. */
  file: string;
  range: Range;
  /** The underlying tool's own code when the rule wraps one: `TS2322`, `@typescript-eslint/no-unused-vars`. */
  code?: string;
  fixes: Fix[];
  /**
   * The compiler's code fixes are not computed yet (an editor's per-keystroke analysis leaves them
   * until they are asked for, since computing them costs a full check of the file); the host
   * resolves them on demand (the language server does when code actions are requested).
   */
  fixesPending?: boolean;
  /** What to do when no edit can be offered (version upgrades, refactors, schema drift). */
  suggestion?: string;
  /** Where the rule is documented (a path relative to the repository, or a URL). */
  docsUrl?: string;
}

/** A rule as the catalogue describes it. */
export interface RuleDescription {
  id: string;
  category: Category;
  defaultSeverity: Severity;
  description: string;
  /** Path of the rule's page, relative to the Plugin Codex repository: `docs/rules/<id>.md`. */
  docsPath: string;
}

/** Returns true when `severity` is at least as severe as `threshold`. */
export function isAtLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}
