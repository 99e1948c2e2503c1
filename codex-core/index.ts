/**
 * codex-core: the diagnosis engine. It takes a project (a root folder, files on disk and unsaved
 * overlays) and returns plain data: findings, fixes as text edits, the rule catalogue. It knows
 * nothing of LSP, VS Code, HTTP or databases; hosts (the language server, the CLI, the registry)
 * convert its results and inject what it cannot do itself (the live database catalog).
 *
 * ```ts
 * const codex = createCodex({ root });
 * codex.setOverlay(file, unsavedText);
 * const { findings } = await codex.analyzeFile(file, { layers: 'fast' });
 * ```
 */
export { createCodex } from './codex';
export type { AnalysisProgress, AnalyzeFileOptions, AnalyzeProjectOptions, AnalyzeTextOptions, Codex, CodexOptions, FileAnalysis, FileFix, Layer, ProjectAnalysis } from './codex';
export { CheckCache, type CacheStats } from './check-cache';
export { CodexConfigError, loadConfig, type CodexConfig, type RuleSetting } from './config';
export { RULES, ruleById } from './rule-catalogue';
export type { Catalog, CatalogTable } from './rules/sql-migrations';
export { toSarif, type SarifLog } from './sarif';
export { disableNextLineComment } from './suppressions';
export { applyTextEdits, editsBetween } from './text-edits';
export type { Category, Finding, Fix, Position, Range, RuleDescription, Severity, TextEdit } from '../protocol/findings';
export { CATEGORIES, SEVERITIES, isAtLeast } from '../protocol/findings';
