// Adds a `settleMs` per edit (time to the last publish before a quiet period) to a copy of the shared
// lsp-bench harness, and its median to the summary: the harness itself reports only the first
// publish and the first one that reflects the edit.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
let source = readFileSync(file, 'utf8');
if (!source.includes('settleMs')) {
  source = source
    .replace('    if (!usePull) await waitQuiet(); else await sleep(200);\n', '')
    .replace('    editRes.push({ edit: e, insert, anyMs: r1(anyMs), reflectMs: r1(reflMs),',
      '    let settleMs = null;\n    if (!usePull) { const tLast = await waitQuiet(); settleMs = tLast ? tLast - tEdit : null; } else await sleep(200);\n    editRes.push({ edit: e, insert, anyMs: r1(anyMs), reflectMs: r1(reflMs), settleMs: r1(settleMs),')
    .replace('    editReflectedMs: median(all.map((e) => e.reflectMs)),', '    editReflectedMs: median(all.map((e) => e.reflectMs)),\n    editSettledMs: median(all.map((e) => e.settleMs)),');
  writeFileSync(file, source);
}
