import { createTwoFilesPatch } from 'diff';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CodeActionResolveRequest, type CodeAction, type Diagnostic, type InitializeResult, type WorkspaceEdit } from 'vscode-languageserver-protocol';
import { FIX_ALL_KIND, RevertLastFixRequest, ScanWorkspaceRequest, ServerCommands, SnapshotsRequest, StatusNotification, type RunSnapshot, type ScanWorkspaceResult, type StatusParams } from '../../protocol/lsp-methods';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server';
import { startServer, uriOf, type LspSession } from './lsp-client';

/** The fixture: one file with a type error, fixable lint and an unfixable lint problem. */
const SOURCE = [
  'export function describeOrder(count: number): string {',
  '  let label = `order of ${count}`;',
  '  var unit = "items";',
  '  const total: number = "forty-two";',
  '  return `${label} ${unit} ${total}`;',
  '}',
  '',
].join('\n');

function makeProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'codex-lsp-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'fixture', version: '1.0.0', type: 'module', main: 'src/order.ts' }));
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', noEmit: true }, include: ['src'] }));
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src/order.ts'), SOURCE);
  return root;
}

/** Applies a workspace edit (changes or documentChanges) to one document's text. */
function applyEdit(text: string, uri: string, edit: WorkspaceEdit): string {
  const edits = edit.changes?.[uri] ?? edit.documentChanges?.flatMap((change) => ('textDocument' in change && change.textDocument.uri === uri ? change.edits : [])) ?? [];
  return TextDocument.applyEdits(TextDocument.create(uri, 'typescript', 0, text), edits as never);
}

const codes = (diagnostics: Diagnostic[]): string[] => diagnostics.map((diagnostic) => String(diagnostic.code));
const lineOf = (text: string, marker: string): number => text.split('\n').findIndex((line) => line.includes(marker));

async function initialize(session: LspSession, root: string, options: Record<string, unknown> = {}): Promise<InitializeResult> {
  const result = await session.connection.sendRequest<InitializeResult>('initialize', {
    processId: process.pid,
    rootUri: uriOf(root),
    workspaceFolders: [{ uri: uriOf(root), name: 'fixture' }],
    capabilities: { window: { workDoneProgress: true }, workspace: { applyEdit: true, diagnostics: { refreshSupport: true } }, textDocument: { diagnostic: { dynamicRegistration: false }, codeAction: { dataSupport: true, resolveSupport: { properties: ['edit', 'command'] } } } },
    initializationOptions: { debounceMs: 50, storagePath: join(root, '.storage'), ...options },
  });
  await session.connection.sendNotification('initialized', {});
  return result;
}

describe('codex language server over stdio', () => {
  let root: string;
  let session: LspSession;
  let llm: FakeLlmServer;
  let text = SOURCE;
  let version = 1;
  const file = (): string => join(root, 'src/order.ts');
  const uri = (): string => uriOf(file());

  async function change(next: string): Promise<void> {
    text = next;
    await session.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(), version: ++version }, contentChanges: [{ text }] });
  }
  /** The complete diagnostics of the current version: the last layer published (project) for it. */
  async function settled(): Promise<Diagnostic[]> {
    const target = version;
    await session.waitForDiagnostics(uri(), (_, params) => params.version === target);
    const snapshots = (): RunSnapshot[] => (session.notifications.get('codex/runFinished') ?? []) as RunSnapshot[];
    for (let waited = 0; waited < 30_000 && !snapshots().some((snapshot) => snapshot.version === target && snapshot.outcome !== 'cancelled'); waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const last = [...session.published].reverse().find((entry) => entry.uri === uri() && entry.version === target);
    return last!.diagnostics;
  }
  async function actionsAt(line: number, only?: string[]): Promise<CodeAction[]> {
    const diagnostics = [...session.published].reverse().find((entry) => entry.uri === uri())!.diagnostics.filter((diagnostic) => diagnostic.range.start.line === line);
    return session.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: uri() },
      range: { start: { line, character: 0 }, end: { line, character: 0 } },
      context: { diagnostics: only ? [] : diagnostics, ...(only ? { only } : {}) },
    });
  }
  async function applyAction(action: CodeAction): Promise<void> {
    await change(applyEdit(text, uri(), action.edit!));
    if (action.command) await session.connection.sendRequest('workspace/executeCommand', { command: action.command.command, arguments: action.command.arguments });
  }

  beforeAll(async () => {
    root = makeProject();
    llm = await startFakeLlmServer();
    session = startServer();
    const result = await initialize(session, root, { llm: { baseUrl: llm.baseUrl, model: 'fake-model', apiKey: 'test-key', maxAttempts: 3 } });
    expect(result.capabilities.codeActionProvider).toMatchObject({ resolveProvider: true });
    expect(result.capabilities.diagnosticProvider).toBeUndefined();
    await session.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(), languageId: 'typescript', version, text } });
  });

  afterAll(async () => {
    await session?.stop();
    await llm?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('publishes layered diagnostics after open: syntax and lint first, then the type error', async () => {
    const diagnostics = await settled();
    expect(codes(diagnostics)).toEqual(expect.arrayContaining(['prefer-const', 'no-var', 'TS2322']));
    expect(diagnostics.every((diagnostic) => diagnostic.source === 'codex')).toBe(true);
    // The fast layer (no type checking) was published before the semantic one.
    const forOpen = session.published.filter((entry) => entry.uri === uri() && entry.version === 1);
    expect(forOpen.length).toBeGreaterThanOrEqual(2);
    expect(codes(forOpen[0]!.diagnostics)).not.toContain('TS2322');
    const states = ((session.notifications.get(StatusNotification.method) ?? []) as StatusParams[]).map((status) => status.state);
    expect(states).toContain('analyzing');
    expect(states[states.length - 1]).toBe('idle');
  });

  it('re-diagnoses after edits, cancelling stale runs', async () => {
    const broken = text.replace('  return `', '  const unused: string = 42;\n  return `');
    await change(broken);
    // A second edit right away makes the first run stale.
    await change(broken.replace('const unused: string = 42;', 'const unused: string = 43;'));
    const diagnostics = await settled();
    expect(diagnostics.filter((diagnostic) => diagnostic.code === 'TS2322')).toHaveLength(2);
    const runs = (session.notifications.get('codex/runFinished') ?? []) as RunSnapshot[];
    expect(runs.some((run) => run.version === version - 1 && run.outcome === 'cancelled')).toBe(true);
    await change(text.replace('  const unused: string = 43;\n', ''));
    expect((await settled()).filter((diagnostic) => diagnostic.code === 'TS2322')).toHaveLength(1);
  });

  it('re-checks only the edited statement, and resolves the compiler\'s quick fixes when they are asked for', async () => {
    const original = text;
    await change(text.replace('  return `', '  const stale = 1;\n  return `'));
    const diagnostics = await settled();
    const line = lineOf(text, 'const stale');
    expect(diagnostics.filter((diagnostic) => diagnostic.range.start.line === line).map((diagnostic) => diagnostic.code)).toContain('TS6133');
    const runs = (session.notifications.get('codex/runFinished') ?? []) as RunSnapshot[];
    expect(runs.find((run) => run.version === version && run.outcome === 'completed')?.typeCheck, JSON.stringify(runs.map((run) => [run.version, run.outcome, run.typeCheck]))).toMatchObject({ mode: 'incremental', checkedStatements: 1 });
    // The edit's new diagnostic came without its compiler fixes; asking for code actions computes them.
    const actions = await actionsAt(line);
    const remove = actions.find((action) => action.title.startsWith('Remove unused declaration'));
    expect(remove?.edit).toBeDefined();
    expect(applyEdit(text, uri(), remove!.edit!)).not.toContain('const stale');
    await change(original);
    await settled();
  });

  it('offers the quick fixes of a finding and applies one', async () => {
    const line = lineOf(text, 'let label');
    const actions = await actionsAt(line);
    const quickFix = actions.find((action) => action.kind === 'quickfix' && action.edit);
    expect(quickFix?.title).toContain('prefer-const');
    expect(actions.some((action) => action.title === 'Suggest a fix with AI' && !action.edit)).toBe(true);
    await applyAction(quickFix!);
    expect(text).toContain('const label');
    expect(codes(await settled())).not.toContain('prefer-const');
  });

  it('offers to disable a codex rule or an ESLint rule for one line, and the comment it adds turns the finding off', async () => {
    const original = text;
    await change(text.replace('  return `', '  const run = (code: string) => eval(code);\n  run("1");\n  return `'));
    const evalLine = lineOf(text, 'eval(code)');
    expect(codes((await settled()).filter((diagnostic) => diagnostic.range.start.line === evalLine))).toContain('security-dynamic-code');
    const disableRule = (await actionsAt(evalLine)).find((action) => action.title === 'Disable security-dynamic-code for this line');
    expect(disableRule?.edit).toBeDefined();
    await applyAction(disableRule!);
    expect(text).toContain('  // plugin-codex-disable-next-line security-dynamic-code\n  const run = (code: string) => eval(code);');
    expect(codes(await settled())).not.toContain('security-dynamic-code');

    const varLine = lineOf(text, 'var unit');
    const actions = await actionsAt(varLine);
    // ESLint's rule gets ESLint's own comment.
    expect(actions.filter((action) => action.title.startsWith('Disable ')).map((action) => action.title)).toEqual(['Disable no-var for this line']);
    await applyAction(actions.find((action) => action.title === 'Disable no-var for this line')!);
    expect(text).toContain('  // eslint-disable-next-line no-var\n  var unit');
    const after = await settled();
    expect(codes(after)).not.toContain('no-var');
    // A compiler error offers no such action: @ts-expect-error is the compiler's to offer.
    expect((await actionsAt(lineOf(text, 'const total'))).filter((action) => action.title.startsWith('Disable '))).toEqual([]);
    expect(codes(after)).toContain('TS2322');
    await change(original);
    await settled();
  });

  it('fixes all trivial problems (source.fixAll.codex) and reverts that in one step', async () => {
    const before = text;
    const [fixAll] = await actionsAt(0, [FIX_ALL_KIND]);
    expect(fixAll?.kind).toBe(FIX_ALL_KIND);
    await applyAction(fixAll!);
    // Two rounds: no-var turns `var` into `let`, then prefer-const makes it `const`.
    expect(text).toContain('const unit');
    expect(codes(await settled())).not.toContain('no-var');
    const reverted = await session.connection.sendRequest(RevertLastFixRequest.type);
    expect(reverted.reverted).toBe(true);
    const revertEdit = session.appliedEdits[session.appliedEdits.length - 1]!;
    await change(applyEdit(text, uri(), revertEdit.edit));
    expect(text).toBe(before);
    // And again through the server command, as the extension's "Fix all" command does.
    await session.connection.sendRequest('workspace/executeCommand', { command: ServerCommands.fixAll, arguments: [uri()] });
    await change(applyEdit(text, uri(), session.appliedEdits[session.appliedEdits.length - 1]!.edit));
    expect(text).toContain('const unit');
    expect(codes(await settled())).not.toContain('no-var');
  });

  it('offers an AI fix only after verification rejected a malformed and a wrong candidate, and reverts it', async () => {
    const before = text;
    const line = lineOf(text, 'const total');
    const fixed = text.replace('const total: number = "forty-two";', 'const total: number = 42;');
    llm.script(
      { status: 400, error: 'response_format json_schema is not supported' },
      'Sorry, I am not sure what to change here.',
      JSON.stringify({ candidates: [{ reason: 'Use another string.', edits: [{ startLine: line + 1, endLine: line + 1, replacement: '  const total: number = "forty-three";' }] }] }),
      `The value must be a number, not a string.\n${createTwoFilesPatch('order.ts', 'order.ts', text, fixed)}`,
    );
    const actions = await actionsAt(line);
    const ai = actions.find((action) => action.title === 'Suggest a fix with AI')!;
    const resolved = await session.connection.sendRequest(CodeActionResolveRequest.type, ai);
    expect(resolved.disabled).toBeUndefined();
    expect(resolved.title).toBe('AI fix: The value must be a number, not a string.');
    expect(Object.values(resolved.edit?.changeAnnotations ?? {})[0]).toMatchObject({ needsConfirmation: true, description: 'The value must be a number, not a string.' });
    // Four calls: the refused json_schema request, the malformed answer, the wrong fix and the right one.
    expect(llm.requests).toHaveLength(4);
    expect(llm.requests[0]!.response_format?.type).toBe('json_schema');
    expect(llm.requests[1]!.response_format).toBeUndefined();
    const retryPrompt = llm.requests[3]!.messages[1]!.content;
    expect(retryPrompt).toContain('does not remove the problem');
    expect(retryPrompt).toContain('Code around it');
    await applyAction(resolved);
    expect(text).toBe(fixed);
    expect(codes(await settled())).not.toContain('TS2322');

    const reverted = await session.connection.sendRequest(RevertLastFixRequest.type);
    expect(reverted).toMatchObject({ reverted: true });
    await change(applyEdit(text, uri(), session.appliedEdits[session.appliedEdits.length - 1]!.edit));
    expect(text).toBe(before);
    const learning = JSON.parse(readFileSync(join(root, '.storage/codex-fix-learning.json'), 'utf8')) as { outcomes: { outcome: string }[] };
    expect(learning.outcomes.map((outcome) => outcome.outcome)).toEqual(['failed-verification', 'offered', 'accepted', 'reverted']);
  });

  it('uses accepted fixes of the same rule as few-shot examples', async () => {
    await settled();
    const suggest = async (marker: string, replacement: string): Promise<CodeAction> => {
      const line = lineOf(text, marker);
      llm.script(JSON.stringify({ candidates: [{ reason: 'Use a number.', edits: [{ startLine: line + 1, endLine: line + 1, replacement }] }] }));
      const ai = (await actionsAt(line)).find((action) => action.title === 'Suggest a fix with AI')!;
      return session.connection.sendRequest(CodeActionResolveRequest.type, ai);
    };
    const first = await suggest('const total', '  const total: number = 42;');
    // The reverted fix is no example.
    expect(llm.requests[llm.requests.length - 1]!.messages[1]!.content).not.toContain('accepted before');
    await applyAction(first);
    await change(text.replace('  return `', '  const count: number = "seven";\n  return `'));
    await settled();
    await suggest('const count', '  const count: number = 7;');
    const prompt = llm.requests[llm.requests.length - 1]!.messages[1]!.content;
    expect(prompt).toContain('Fixes of the same rule the user accepted before');
    expect(prompt).toContain('const total: number = 42;');
  });

  it('keeps the last 10 run snapshots with findings and timings', async () => {
    for (let edit = 0; edit < 6; edit++) {
      await change(`${text}// edit ${edit}\n`);
      await settled();
    }
    const snapshots = await session.connection.sendRequest(SnapshotsRequest.type);
    expect(snapshots.length).toBe(10);
    expect(snapshots[0]!.id).toBeGreaterThan(snapshots[1]!.id);
    const completed = snapshots.find((snapshot) => snapshot.outcome === 'completed')!;
    expect(completed.timings.fast).toBeGreaterThanOrEqual(0);
    expect(completed.timings.full).toBeGreaterThan(0);
    // Edits run up to the full layer; open, save and configuration changes add the project layer.
    expect(snapshots.every((snapshot) => snapshot.outcome !== 'completed' || snapshot.layer === 'full' || snapshot.layer === 'project')).toBe(true);
    await session.connection.sendNotification('textDocument/didSave', { textDocument: { uri: uri() } });
    await expect.poll(async () => (await session.connection.sendRequest(SnapshotsRequest.type))[0]?.layer, { timeout: 30_000 }).toBe('project');
    expect(completed.findings.length).toBeGreaterThan(0);
  });
});

describe('codex language server: pull diagnostics and failures', () => {
  it('answers textDocument/diagnostic in pull mode', async () => {
    const root = makeProject();
    const session = startServer();
    try {
      const result = await initialize(session, root, { diagnosticMode: 'pull' });
      expect(result.capabilities.diagnosticProvider).toMatchObject({ identifier: 'codex' });
      const uri = uriOf(join(root, 'src/order.ts'));
      await session.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: SOURCE } });
      const first = await session.connection.sendRequest<{ items: Diagnostic[] }>('textDocument/diagnostic', { textDocument: { uri } });
      expect(codes(first.items)).toContain('prefer-const');
      // The deeper layers announce themselves with a refresh; the next pull has the type error.
      let items: Diagnostic[] = [];
      for (let attempt = 0; attempt < 100 && !codes(items).includes('TS2322'); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        items = (await session.connection.sendRequest<{ items: Diagnostic[] }>('textDocument/diagnostic', { textDocument: { uri } })).items;
      }
      expect(codes(items)).toContain('TS2322');
      expect(session.notifications.get('workspace/diagnostic/refresh')?.length).toBeGreaterThan(0);
      expect(session.published).toHaveLength(0);
    } finally {
      await session.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reports the project rules of an open file (unused file, undeclared dependency) after open', async () => {
    const root = makeProject();
    writeFileSync(join(root, 'src/orphan.ts'), "import leftPad from 'left-pad';\nexport const padded = leftPad('x', 3);\n");
    const session = startServer();
    try {
      await initialize(session, root);
      const uri = uriOf(join(root, 'src/orphan.ts'));
      await session.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: readFileSync(join(root, 'src/orphan.ts'), 'utf8') } });
      const diagnostics = await session.waitForDiagnostics(uri, (published) => codes(published).includes('dead-unused-file') && codes(published).includes('dep-undeclared'));
      expect(diagnostics.find((diagnostic) => diagnostic.code === 'dep-undeclared')?.message).toContain('left-pad');
    } finally {
      await session.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps a check cache between workspace scans, across server restarts, and re-checks only what changed', async () => {
    const root = makeProject();
    writeFileSync(join(root, 'src/util.ts'), 'export const double = (n: number): number => n * 2;\n');
    writeFileSync(join(root, 'src/main.ts'), "import { double } from './util';\nimport { describeOrder } from './order';\nexport const text = describeOrder(double(2));\n");
    const scan = async (): Promise<ScanWorkspaceResult> => {
      const session = startServer();
      try {
        await initialize(session, root);
        return await session.connection.sendRequest(ScanWorkspaceRequest.type, {});
      } finally {
        await session.stop();
      }
    };
    try {
      const cold = await scan();
      expect(cold.files).toBe(3);
      expect(cold.cache).toMatchObject({ typeHits: 0, typeMisses: 3, ruleHits: 0 });
      const warm = await scan();
      expect({ findings: warm.findings, byCategory: warm.byCategory }).toEqual({ findings: cold.findings, byCategory: cold.byCategory });
      expect(warm.cache).toMatchObject({ typeHits: 3, typeMisses: 0, ruleHits: 3, ruleMisses: 0 });
      // A new type error in util.ts: its own check runs again, and main.ts, whose import's signature changed.
      writeFileSync(join(root, 'src/util.ts'), 'export const double = (n: number): string => n * 2;\n');
      const edited = await scan();
      expect(edited.cache).toMatchObject({ typeHits: 1, typeMisses: 2 });
      expect(edited.byCategory.type).toBe((cold.byCategory.type ?? 0) + 2);
      expect(readdirSync(join(root, '.storage')).filter((name) => name.startsWith('scan-cache-'))).toHaveLength(1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('shows a broken configuration as an error status and empty diagnostics, not a crash', async () => {
    const root = makeProject();
    writeFileSync(join(root, '.plugin-codex.json'), '{ "rules": { "lint": "loud" } }');
    const session = startServer();
    try {
      await initialize(session, root);
      const uri = uriOf(join(root, 'src/order.ts'));
      await session.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text: SOURCE } });
      const statuses = (): StatusParams[] => (session.notifications.get(StatusNotification.method) ?? []) as StatusParams[];
      for (let waited = 0; waited < 20_000 && !statuses().some((status) => status.state === 'error'); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(statuses().find((status) => status.state === 'error')?.message).toContain('.plugin-codex.json');
      expect(session.published.filter((entry) => entry.uri === uri).every((entry) => entry.diagnostics.length === 0)).toBe(true);
      // Fixing the file (a watched configuration file) brings the diagnostics back.
      writeFileSync(join(root, '.plugin-codex.json'), '{}');
      await session.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(join(root, '.plugin-codex.json')), type: 2 }] });
      await session.waitForDiagnostics(uri, (diagnostics) => codes(diagnostics).includes('TS2322'));
    } finally {
      await session.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
