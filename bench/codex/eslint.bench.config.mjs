// The rule set the codex uses for projects without a flat config (codex-core/lint.ts builtInConfig),
// repeated here so that plain `eslint` runs the equivalent lint in the benchmark.
import stylistic from '@stylistic/eslint-plugin';
import security from 'eslint-plugin-security';
import tseslint from 'typescript-eslint';
import { readFileSync } from 'node:fs';

const commonJs = (() => {
  try {
    return JSON.parse(readFileSync('package.json', 'utf8')).type !== 'module';
  } catch {
    return true;
  }
})();

export default [
  { files: ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'] },
  ...tseslint.configs.recommended,
  security.configs.recommended,
  {
    plugins: { '@stylistic': stylistic },
    rules: {
      'security/detect-object-injection': 'off',
      'security/detect-non-literal-fs-filename': 'off',
      'no-debugger': 'error',
      'no-dupe-keys': 'error',
      'no-unsafe-finally': 'error',
      'no-self-assign': 'error',
      'no-var': 'warn',
      'prefer-const': 'warn',
      '@stylistic/no-extra-semi': 'warn',
      '@stylistic/no-trailing-spaces': 'warn',
      '@stylistic/no-mixed-spaces-and-tabs': 'warn',
    },
  },
  { files: ['**/*.cjs', ...(commonJs ? ['**/*.js'] : [])], rules: { '@typescript-eslint/no-require-imports': 'off' } },
];
