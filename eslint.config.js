// ESLint for the project's own code. Besides the recommended TypeScript rules it keeps the
// architecture's boundaries: `vscode` only in extension/, `vscode-languageserver` only in
// server/lsp/, `pg` and PGlite only in server/registry/db/.
import tseslint from 'typescript-eslint';

const restricted = (names, message) => names.map((name) => ({ name, message }));
const boundary = {
  vscode: restricted(['vscode'], 'Only extension/ may import vscode.'),
  languageServer: restricted(['vscode-languageserver', 'vscode-languageserver/node', 'vscode-languageserver-textdocument'], 'Only server/lsp/ may import vscode-languageserver.'),
  database: restricted(['pg', '@electric-sql/pglite', 'postgrator'], 'Only server/registry/db/ may talk to the database driver.'),
};
const patterns = {
  languageServer: ['vscode-languageserver/*'],
  database: ['@electric-sql/pglite/*'],
};

function boundaryRule(allowed) {
  const paths = Object.entries(boundary).filter(([key]) => !allowed.includes(key)).flatMap(([, entries]) => entries);
  const groups = Object.entries(patterns).filter(([key]) => !allowed.includes(key)).flatMap(([, group]) => group);
  return ['error', { paths, patterns: groups.length ? [{ group: groups, message: 'This import crosses an architecture boundary.' }] : [] }];
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'test-artifacts/**', '**/fixtures/**', 'bench/**/results/**', 'samples/**/dist/**', '.plugin-codex/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': boundaryRule([]),
    },
  },
  { files: ['extension/**/*.ts'], rules: { 'no-restricted-imports': boundaryRule(['vscode']) } },
  { files: ['server/lsp/**/*.ts'], rules: { 'no-restricted-imports': boundaryRule(['languageServer']) } },
  { files: ['server/registry/db/**/*.ts'], rules: { 'no-restricted-imports': boundaryRule(['database']) } },
  // Cross-process tests drive real databases and real language servers from the outside.
  { files: ['test/**/*.ts', 'bench/**/*.ts', 'bench/**/*.mjs', 'scripts/**/*.mjs'], rules: { 'no-restricted-imports': 'off' } },
);
