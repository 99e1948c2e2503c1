// The generated docs must match what the generator makes from the current sources: a route, RBAC
// entry, CLI option, LSP method, rule, manifest field, setting, variable or migration added without
// `npm run docs` fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_FILES, generateDocs } from '../../scripts/docs/generate';
import { commandsInHelp, readEnvExample } from '../../scripts/docs/sources';
import { openTestDatabase, testDatabaseKinds } from '../support/test-databases';

const root = join(import.meta.dirname, '../..');

describe('generated docs', () => {
  it('are up to date (regenerated in memory and compared with the committed files)', async () => {
    const database = await openTestDatabase(testDatabaseKinds()[0]!);
    const files = await generateDocs({ root, database });
    expect([...files.keys()].sort()).toEqual([...GENERATED_FILES, 'README.md'].sort());
    const stale = [...files].filter(([path, content]) => readFileSync(join(root, path), 'utf8') !== content).map(([path]) => path);
    expect(stale, `stale generated docs: ${stale.join(', ')} — run npm run docs`).toEqual([]);
    // Deterministic: nothing in the output depends on the clock or the machine.
    for (const [path, content] of files) {
      expect(content, `${path} contains a timestamp`).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:\d\d/);
      expect(content, `${path} contains the checkout's path`).not.toContain(root);
    }
  }, 300_000);

  it('finds the subcommands in commander help', () => {
    const help = 'Usage: x [options] [command]\n\nOptions:\n  -h, --help  help\n\nCommands:\n  status [options]   show it\n  migrate            move it\n                     further\n  help [command]     display help\n';
    expect(commandsInHelp(help)).toEqual(['status', 'migrate']);
    expect(commandsInHelp('Usage: x [options]\n\nOptions:\n  -h, --help  help\n')).toEqual([]);
  });

  it('reads every variable of .env.example with the comment above it', () => {
    const variables = readEnvExample('# Header of the file.\n\n# Where it listens.\n# HOST=0.0.0.0\nHOST=\nPORT=\n\n# The secret.\nJWT_SECRET=\n# Its issuer.\nJWT_ISSUER=\n');
    expect(variables).toEqual([
      { name: 'HOST', description: 'Where it listens.', example: 'HOST=0.0.0.0' },
      { name: 'PORT', description: 'Where it listens.' },
      { name: 'JWT_SECRET', description: 'The secret.' },
      { name: 'JWT_ISSUER', description: 'Its issuer.' },
    ]);
    const real = readEnvExample(readFileSync(join(root, '.env.example'), 'utf8'));
    expect(real.map((variable) => variable.name)).toContain('DATABASE_URL');
    expect(real.every((variable) => variable.description !== '')).toBe(true);
  });
});
