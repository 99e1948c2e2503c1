import type { Command } from 'commander';
import { resolve } from 'node:path';
import { configFromCli, parsePort } from '../cli-config';

/** `plugin-codex serve`: runs the registry (REST API, web console, MCP endpoint). */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the registry (embedded PGlite unless DATABASE_URL is set)')
    .option('--port <port>', 'port to listen on (default: PORT or 8787)', parsePort)
    .option('--host <host>', 'address to bind (default: HOST or 127.0.0.1)')
    .option('--data-dir <dir>', 'data directory (default: PLUGIN_CODEX_DATA_DIR or ./.plugin-codex/data)')
    .action(async (flags: { port?: number; host?: string; dataDir?: string }) => {
      const config = configFromCli({ port: flags.port, host: flags.host, dataDir: flags.dataDir ? resolve(flags.dataDir) : undefined });
      const { startRegistry } = await import('../../server/registry/main');
      const { app, url } = await startRegistry(config);
      const services = app.registryServices;
      const lines = [
        '',
        `  Plugin Codex registry is running at ${url}`,
        `  Web console:   ${url}/`,
        `  Health:        ${url}/api/health`,
        `  API reference: ${url}/api/openapi.json`,
      ];
      if (services.auth.canMintTokens) {
        await services.repos.users.upsert({ id: 'admin', role: 'super-admin', displayName: 'Administrator' }).catch(() => undefined);
        const token = await services.auth.mintToken({ sub: 'admin', role: 'super-admin' });
        lines.push(
          '',
          '  Sign in as the super-admin "admin" with this token (valid 12 hours; paste it into the console,',
          '  or send it as "Authorization: Bearer <token>"):',
          '',
          `  ${token}`,
          '',
          '  Mint another any time with: node bin/plugin-codex.js token mint --user admin --role super-admin',
        );
      }
      console.log(lines.join('\n') + '\n');
    });
}
