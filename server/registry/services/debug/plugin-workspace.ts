import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import type { FileAnalysis, Finding, ProjectAnalysis } from '../../../../codex-core/index';
import type { ResolvedPluginManifest } from '../../../../protocol/plugin-manifest';
import type { ScanTarget, ScanWorker } from './scan-worker-client';

/** Files codex-core reads as source. */
const SOURCE = /\.(m|c)?(j|t)sx?$/;

/**
 * A plugin package's files written to a private temporary folder, so codex-core (which works on a
 * project folder plus in-memory overlays) can scan them in the scan worker. Only the package's own
 * files are there; nothing is executed. `dispose` removes the folder and the worker's codex of it.
 */
export interface PluginWorkspace extends ScanTarget {
  /** The worker thread that runs codex-core over this folder. */
  scanner: ScanWorker;
  /** Text of a package file (path relative to the package root). */
  text(path: string): string | undefined;
  /** Absolute path of a package file. */
  absolute(path: string): string;
  /** Package-relative path of an absolute path inside the workspace. */
  relative(path: string): string;
  dispose(): void;
}

/** Writes `files` into a fresh temporary folder, to be scanned by `scanner`. */
export function openPluginWorkspace(files: Map<string, Buffer>, manifest: ResolvedPluginManifest, scanner: ScanWorker): PluginWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'codex-debug-'));
  const texts = new Map<string, string>();
  for (const [path, bytes] of files) {
    const target = join(root, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
    if (SOURCE.test(path) || path.endsWith('.json')) texts.set(path, bytes.toString('utf8'));
  }
  const entryPoints = [manifest.entry, ...(manifest.ui ? [manifest.ui.entry] : [])];
  return {
    root,
    entryPoints,
    scanner,
    text: (path) => texts.get(path),
    absolute: (path) => join(root, ...path.split('/')),
    relative: (path) => relative(root, path).split(sep).join('/'),
    dispose: () => {
      scanner.release(root);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The codex-core security findings of every source file (the publish gate's fast scan). */
export function securityFindings(workspace: PluginWorkspace): Promise<Finding[]> {
  return workspace.scanner.security(workspace);
}

/** The whole-project analysis (every layer and category). */
export function scanProject(workspace: PluginWorkspace, onProgress?: (done: number, total: number, file: string) => void, signal?: AbortSignal): Promise<ProjectAnalysis> {
  return workspace.scanner.scan(workspace, (done, total, file) => onProgress?.(done, total, workspace.relative(file)), signal);
}

/** One file (absolute path) analysed with every layer, `text` standing in for its content (fix verification). */
export function analyzeText(workspace: PluginWorkspace, file: string, text: string, signal?: AbortSignal): Promise<FileAnalysis> {
  return workspace.scanner.analyze(workspace, file, text, signal);
}

/** True for a finding that keeps a version quarantined: the security category at severity error. */
export function isCritical(finding: { category: string; severity: string }): boolean {
  return finding.category === 'security' && finding.severity === 'error';
}
