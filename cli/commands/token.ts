import type { Command } from 'commander';
import { isRole, ROLES, type Role } from '../../protocol/roles';
import { configFromCli } from '../cli-config';

function parseRole(value: string): Role {
  if (!isRole(value)) throw new Error(`--role "${value}" must be one of ${ROLES.join(', ')}`);
  return value;
}

function parseHours(value: string): number {
  const hours = Number(value);
  if (!Number.isInteger(hours) || hours < 1) throw new Error(`--ttl-hours "${value}" must be a positive integer`);
  return hours;
}

/** `plugin-codex token mint | create`: credentials for the registry, from the server side. */
export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('issue credentials for the registry');

  token.command('mint')
    .description('mint a JWT signed with this registry\'s secret (JWT_SECRET or the generated one)')
    .requiredOption('--user <id>', 'the user id (`sub` claim)')
    .option('--role <role>', `one of ${ROLES.join(', ')}`, parseRole, 'user')
    .option('--ttl-hours <hours>', 'validity in hours', parseHours, 12)
    .action(async (flags: { user: string; role: Role; ttlHours: number }) => {
      const config = configFromCli();
      const [{ createAuthenticator }, { createUsersRepository }] = await Promise.all([import('../../server/registry/auth'), import('../../server/registry/db/users-repository')]);
      const users = createUsersRepository({ query: async () => ({ rows: [], rowCount: 0 }), exec: async () => undefined });
      const auth = createAuthenticator(config, users);
      if (!auth.canMintTokens) {
        console.error('error: this registry verifies tokens with JWT_JWKS_URL; get a token from that identity provider');
        process.exit(2);
      }
      console.log(await auth.mintToken({ sub: flags.user, role: flags.role }, flags.ttlHours * 3600));
    });

  token.command('create')
    .description('create a revocable API token (stored hashed; printed once) for CLI and CI use')
    .requiredOption('--user <id>', 'the user id')
    .option('--role <role>', `one of ${ROLES.join(', ')}`, parseRole, 'developer')
    .option('--name <name>', 'a label for the token', 'cli')
    .option('--ttl-hours <hours>', 'validity in hours (default: no expiry)', parseHours)
    .action(async (flags: { user: string; role: Role; name: string; ttlHours?: number }) => {
      const config = configFromCli();
      const [{ openDatabaseForCli }, { createUsersRepository }] = await Promise.all([import('./db-access'), import('../../server/registry/db/users-repository')]);
      const managed = await openDatabaseForCli(config);
      try {
        const users = createUsersRepository(managed.db);
        const created = await managed.db.transaction(async (tx) => {
          await users.upsert({ id: flags.user, role: flags.role }, tx);
          return users.createToken({ userId: flags.user, name: flags.name, role: flags.role, ttlHours: flags.ttlHours }, tx);
        });
        console.log(created.token);
      } finally {
        await managed.close();
      }
    });
}
