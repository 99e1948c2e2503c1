// The `plugin-codex` command line: thin wiring of commander to the command modules.
import { Command } from 'commander';
import { registerCheckCommand } from './commands/check';
import { registerDbCommands } from './commands/db';
import { registerHookCommand } from './commands/hook';
import { registerLspCommand } from './commands/lsp';
import { registerPluginCommands } from './commands/plugin';
import { registerServeCommand } from './commands/serve';
import { registerTokenCommands } from './commands/token';

const program = new Command()
  .name('plugin-codex')
  .description('Plugin Codex: the AI plugin marketplace registry and the self-debugging codex')
  .version('0.1.0')
  .showHelpAfterError();

registerServeCommand(program);
registerDbCommands(program);
registerTokenCommands(program);
registerLspCommand(program);
registerPluginCommands(program);
registerCheckCommand(program);
registerHookCommand(program);

await program.parseAsync(process.argv);
