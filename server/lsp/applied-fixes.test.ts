import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { WorkspaceEdit } from 'vscode-languageserver';
import { AppliedFixes } from './applied-fixes';

const BEFORE = ['a', 'let x = 1;', 'b', 'c', 'd', 'e', 'f', 'g', 'h', ''].join('\n');
const AFTER = BEFORE.replace('let x', 'const x');

function revert(ledger: AppliedFixes, current: string): Promise<{ reverted: boolean; text: string }> {
  let text = current;
  return ledger.revertLast(() => current, async (edit: WorkspaceEdit) => {
    text = TextDocument.applyEdits(TextDocument.create('file:///a.ts', 'typescript', 1, current), edit.changes!['file:///a.ts']!);
    return true;
  }).then((result) => ({ reverted: result.reverted, text }));
}

describe('AppliedFixes', () => {
  it('reverts only confirmed fixes', async () => {
    const ledger = new AppliedFixes();
    ledger.pend({ uri: 'file:///a.ts', title: 't', before: BEFORE, after: AFTER });
    expect((await revert(ledger, AFTER)).reverted).toBe(false);
  });

  it('reverts the last fix even after edits elsewhere in the file', async () => {
    const ledger = new AppliedFixes();
    ledger.confirm(ledger.pend({ uri: 'file:///a.ts', title: 't', before: BEFORE, after: AFTER }));
    const edited = `${AFTER}more\n`.replace('h\n', 'H\n');
    const result = await revert(ledger, edited);
    expect(result).toEqual({ reverted: true, text: `${BEFORE}more\n`.replace('h\n', 'H\n') });
    expect((await revert(ledger, result.text)).reverted).toBe(false);
  });

  it('refuses to revert when the fixed lines were edited since', async () => {
    const ledger = new AppliedFixes();
    ledger.confirm(ledger.pend({ uri: 'file:///a.ts', title: 't', before: BEFORE, after: AFTER }));
    expect((await revert(ledger, AFTER.replace('const x = 1', 'const x = 2'))).reverted).toBe(false);
  });
});
