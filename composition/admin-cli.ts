/**
 * `npm run admin -- <command>`: administration that needs no administrator (docs/adr/0054).
 *   create-admin <email>   makes the first administrator in auth's database: promotes the account
 *                          with that email, or creates one with a generated password, printed once
 * A main of its own: the configuration (DATABASE_URL / AUTH_DATABASE_URL, DATA_DIR, ...) is read here
 * once, as in composition/main.ts, and auth's database is opened and migrated as the service opens it.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createAdmin, type CreateAdminOutcome } from '../core/auth/create-admin.js';
import { ScryptPasswordHasher } from '../adapters/crypto/scrypt-password-hasher.js';
import { createLogger } from '../adapters/observability/logger.js';
import { openServiceDatabase } from '../adapters/sql/database.js';
import { SqlAuditLog } from '../adapters/sql/auth/sql-audit-log.js';
import { SqlUserRepository } from '../adapters/sql/auth/sql-user-repository.js';
import { RandomIdGenerator } from '../adapters/system/random-id-generator.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { ConfigError, loadConfig, type MeshConfig } from './config.js';
import { embeddedDataDirs } from './storage.js';

const usage = `Usage: npm run admin -- <command> [options]
  create-admin <email>     give the account with this email the admin role (reactivating it if it was deactivated),
                           or create an active admin account with a generated password, printed once
    --name <name>          the new account's name (default: the email's local part)
  --help                   show this text
It writes auth's database: PostgreSQL (AUTH_DATABASE_URL or DATABASE_URL) while the mesh runs, or the embedded
database under DATA_DIR/pglite while the mesh is stopped (one process at a time opens it).
Exit codes: 0 done, 1 the database cannot be opened, 2 wrong usage, settings or email.`;

const fail = (message: string, code: 1 | 2): never => {
  console.error(message);
  process.exit(code);
};

const readConfig = (): MeshConfig => {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return fail(error.message, 2);
  }
};

const describe = (outcome: CreateAdminOutcome, password: string, where: string): string => {
  const { user } = outcome;
  switch (outcome.kind) {
    case 'created':
      return [
        `Created the administrator ${user.email} (user id ${user.id}) in ${where}.`,
        `Its password, shown only now: ${password}`,
        'Sign in with it and change it: PATCH /auth/profile with current_password and new_password.',
      ].join('\n');
    case 'promoted':
      return `Gave ${user.email} (user id ${user.id}) the admin role${outcome.reactivated ? ' and reactivated the account' : ''} in ${where}; roles now: ${user.roles.join(', ')}.`;
    case 'already_admin':
      return `${user.email} (user id ${user.id}) is already an active administrator in ${where}; nothing changed.`;
  }
};

const createAdminCommand = async (config: MeshConfig, email: string, name: string | undefined): Promise<void> => {
  if (config.storage.kind === 'memory') {
    fail('MESH_STORAGE=memory keeps no accounts beyond the process that holds them: there is no database to write an administrator to.', 2);
  }
  const url = config.storage.databaseUrls.auth;
  const where = url ? "auth's PostgreSQL database" : `the embedded database under ${embeddedDataDirs(config, 'auth').dataDir}`;
  const logger = createLogger('admin-cli', 'warn');
  let database: Awaited<ReturnType<typeof openServiceDatabase<'auth'>>>;
  try {
    database = await openServiceDatabase({ service: 'auth', url, ...embeddedDataDirs(config, 'auth'), logger });
    await database.migrate();
  } catch (error) {
    return fail(`cannot open ${where}: ${error instanceof Error ? error.message : String(error)}`, 1);
  }
  try {
    const audit = new SqlAuditLog(database.db);
    const password = randomBytes(18).toString('base64url');
    const outcome = await createAdmin(
      {
        users: new SqlUserRepository(database.db, undefined, audit),
        passwords: new ScryptPasswordHasher({ N: config.auth.passwordHashCost }),
        clock: new SystemClock(),
        ids: new RandomIdGenerator(),
      },
      { email, password, ...(name !== undefined && { name }) },
    );
    if (!outcome.ok) {
      const detail = (outcome.error.violations ?? []).map((violation) => `${violation.field} ${violation.message}`).join('; ');
      fail(`${outcome.error.message}${detail ? ` (${detail})` : ''}`, 2);
    } else {
      console.log(describe(outcome.value, password, where));
    }
  } finally {
    await database.close();
  }
};

const main = async (): Promise<void> => {
  const { positionals, values } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { name: { type: 'string' }, help: { type: 'boolean' } },
  });
  const [command, email, ...rest] = positionals;
  if (values.help || command === undefined) {
    console.log(usage);
    return;
  }
  if (command !== 'create-admin') fail(`unknown command '${command}'\n${usage}`, 2);
  if (email === undefined || rest.length > 0) fail(`create-admin takes one email\n${usage}`, 2);
  await createAdminCommand(readConfig(), email!, values.name);
};

await main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error), 1));
