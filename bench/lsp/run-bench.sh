#!/usr/bin/env bash
# Runs ../shared/tools/lsp-bench on zod@4.6.7's sources with the codex server beside
# typescript-language-server and vscode-eslint-language-server, interleaved (A B C A B C …) so the
# shared machine's drift hits every server alike. Results go to bench/lsp/results/ (git-ignored).
# Usage: bench/lsp/run-bench.sh [rounds=3] [edits=6]   (SKIP_ESLINT=1 leaves the ESLint server out)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-3}
edits=${2:-6}
work=${LSP_BENCH_WORK:-/tmp/codex-lsp-bench}
results="$repo/bench/lsp/results"
mkdir -p "$work" "$results"
if [ ! -d "$work/bench/node_modules" ]; then
  mkdir -p "$work/bench" && cp -r "$repo/../shared/tools/lsp-bench/." "$work/bench"
  (cd "$work/bench" && npm install --no-audit --no-fund && npm install --no-audit --no-fund typescript-eslint@8.73.0)
  # Also record when each edit's diagnostics settle (the last publish before a quiet period): for the
  # codex that is its complete (semantic) result, for the peers their only one.
  node "$repo/bench/lsp/patch-harness.mjs" "$work/bench/harness/lsp-bench.mjs"
fi
corpus="$work/corpus/package"
if [ ! -d "$corpus" ]; then
  mkdir -p "$work/corpus" && (cd "$work/corpus" && npm pack zod@4.6.7 >/dev/null && tar xzf zod-4.6.7.tgz)
  ln -sfn "$work/bench/node_modules" "$corpus/node_modules"
  # The same lint rules for the ESLint server and the codex (which picks up the project's flat config).
  printf "import tseslint from 'typescript-eslint';\nexport default tseslint.config({ files: ['**/*.ts'] }, ...tseslint.configs.recommended);\n" > "$corpus/eslint.config.mjs"
fi
(cd "$repo" && node scripts/build.mjs --production >/dev/null)
cp "$repo/dist/lsp-server.cjs" "$work/codex-lsp-server.cjs"
cd "$work/bench"
common=(--root "$corpus" --runs 1 --edits "$edits" --quiet-ms 4000)
for file in src/v4/classic/schemas.ts src/v4/core/errors.ts; do
  tag=$(basename "$file" .ts)
  for round in $(seq 1 "$rounds"); do
    node harness/lsp-bench.mjs --preset custom --cmd "node $work/codex-lsp-server.cjs --stdio" --file "$file" "${common[@]}" --mode push --out "$results/$tag-codex-$round.json"
    node harness/lsp-bench.mjs --preset tsls --file "$file" "${common[@]}" --mode push --out "$results/$tag-tsls-$round.json"
    # The ESLint server answers pull requests (textDocument/diagnostic) only: --mode auto asks it the
    # way it advertises. A peer that fails (no diagnostics within the timeout) must not stop the others.
    [ -n "${SKIP_ESLINT:-}" ] || node harness/lsp-bench.mjs --preset eslint --file "$file" "${common[@]}" --mode auto --timeout-ms 30000 --out "$results/$tag-eslint-$round.json" || true
  done
done
node harness/summarize.mjs "$results"
