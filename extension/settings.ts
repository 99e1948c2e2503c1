import * as vscode from 'vscode';
import type { CodexInitializationOptions } from '../protocol/lsp-methods';

/** The extension's settings section (`pluginCodex.*` in settings.json). */
export const SECTION = 'pluginCodex';
/** The SecretStorage key of the LLM API key (never kept in settings files). */
export const LLM_KEY_SECRET = 'pluginCodex.llm.apiKey';

/** The registry URL the user set, or undefined for the embedded registry. */
export function registryUrl(): string | undefined {
  const url = vscode.workspace.getConfiguration(SECTION).get<string>('registry.url', '').trim();
  return url === '' ? undefined : url.replace(/\/+$/, '');
}

/** What the language server is started with; the API key comes from SecretStorage or the environment. */
export function serverOptions(storagePath: string | undefined, apiKey: string | undefined): CodexInitializationOptions {
  const config = vscode.workspace.getConfiguration(SECTION);
  const mode = config.get<'push' | 'pull'>('diagnostics.mode', 'push');
  return {
    diagnosticMode: mode,
    debounceMs: config.get<number>('diagnostics.debounceMs', 50),
    categories: config.get<string[]>('categories', []),
    severityOverrides: config.get<Record<string, string>>('severityOverrides', {}),
    ...(storagePath ? { storagePath } : {}),
    scanCache: config.get<boolean>('scanCache', true),
    llm: {
      baseUrl: config.get<string>('llm.baseUrl', '') || process.env.CODEX_LLM_BASE_URL || undefined,
      model: config.get<string>('llm.model', '') || process.env.CODEX_LLM_MODEL || undefined,
      apiKey: apiKey || process.env.CODEX_LLM_API_KEY || undefined,
      maxAttempts: config.get<number>('llm.maxAttempts', 3),
    },
  };
}
