import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { createCodex, type Codex, type Finding, type ProjectAnalysis } from '../../../../codex-core/index';
import type { ResolvedPluginManifest } from '../../../../protocol/plugin-manifest';

/** Files codex-core reads as source. */
const SOURCE = /\.(m|c)?(j|t)sx?$/;

/**
 * A plugin package's files written to a private temporary folder, so codex-core (which works on a
 * project folder plus in-memory overlays) can scan them. Only the package's own files are there;
 * nothing is executed. `dispose` removes the folder.
 */
export interface PluginWorkspace {
  root: string;
  codex: Codex;
  /** Text of a package file (path relative to the package root). */
  text(path: string): string | undefined;
  /** Absolute path of a package file. */
  absolute(path: string): string;
  /** Package-relative path of an absolute path inside the workspace. */
  relative(path: string): string;
  dispose(): void;
}

/** Writes `files` into a fresh temporary folder and creates the codex of it. */
export function openPluginWorkspace(files: Map<string, Buffer>, manifest: ResolvedPluginManifest): PluginWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'codex-debug-'));
  const texts = new Map<string, string>();
  for (const [path, bytes] of files) {
    const target = join(root, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
    if (SOURCE.test(path) || path.endsWith('.json')) texts.set(path, bytes.toString('utf8'));
  }
  const entryPoints = [manifest.entry, ...(manifest.ui ? [manifest.ui.entry] : [])];
  const codex = createCodex({ root, config: { entryPoints } });
  return {
    root,
    codex,
    text: (path) => texts.get(path),
    absolute: (path) => join(root, ...path.split('/')),
    relative: (path) => relative(root, path).split(sep).join('/'),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** The codex-core security findings of every source file (the publish gate's fast scan). */
export async function securityFindings(workspace: PluginWorkspace): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const file of workspace.codex.projectFiles()) {
    const analysis = await workspace.codex.analyzeFile(file, { layers: 'full', categories: ['security'] });
    findings.push(...analysis.findings);
  }
  return findings;
}

/** The whole-project analysis (every layer and category). */
export function scanProject(workspace: PluginWorkspace, onProgress?: (done: number, total: number, file: string) => void, signal?: AbortSignal): Promise<ProjectAnalysis> {
  return workspace.codex.analyzeProject({ onProgress: (progress) => onProgress?.(progress.done, progress.total, workspace.relative(progress.file)), signal });
}

/** True for a finding that keeps a version quarantined: the security category at severity error. */
export function isCritical(finding: { category: string; severity: string }): boolean {
  return finding.category === 'security' && finding.severity === 'error';
}
