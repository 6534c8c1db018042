import { Command } from 'commander';
import { IdentityService, type IdentityResult } from '../../identity/index.js';
import { createInvitation } from '../../portal/index.js';
import { openStore } from '../../store/index.js';
import { UsageError, type CliIO } from '../io.js';

const DATA_DIR = './.gitgate';

async function withIdentity<T>(dataDir: string, run: (identity: IdentityService) => Promise<T>): Promise<T> {
  const store = await openStore({ dataDir });
  try {
    return await run(new IdentityService(store.identity));
  } finally {
    await store.close();
  }
}

function groupsOf(text: string): string[] {
  return text.split(',').map((g) => g.trim()).filter((g) => g !== '');
}

/** Prints a failed result on stderr and returns exit 1; 0 on success. */
function report(io: CliIO, result: IdentityResult<unknown>, success?: string): number {
  if (!result.ok) {
    io.stderr(`gitgate: ${result.message} [${result.code}]\n`);
    return 1;
  }
  if (success !== undefined) io.stderr(`${success}\n`);
  return 0;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('--password-stdin reads the password from standard input: pipe it in');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function usersCommand(io: CliIO, setExitCode: (code: number) => void, readPassword: () => Promise<string> = readStdin): Command {
  const users = new Command('users').description('manage consumers (users with groups)');
  users
    .command('add')
    .description('add a user with groups')
    .requiredOption('--email <email>', "the user's email")
    .option('--groups <groups>', 'comma-separated groups', '')
    .option('--password-stdin', 'read a portal password from standard input')
    .option('--data-dir <dir>', 'data directory', DATA_DIR)
    .action(async (flags: { email: string; groups: string; passwordStdin?: boolean; dataDir: string }) => {
      const password = flags.passwordStdin === true ? await readPassword() : undefined;
      const result = await withIdentity(flags.dataDir, (identity) => identity.addUser(flags.email, groupsOf(flags.groups), password));
      setExitCode(report(io, result, `added ${flags.email.trim().toLowerCase()}`));
    });
  users
    .command('set-groups')
    .description("replace a user's groups")
    .requiredOption('--email <email>', "the user's email")
    .requiredOption('--groups <groups>', 'comma-separated groups (empty for none)')
    .option('--data-dir <dir>', 'data directory', DATA_DIR)
    .action(async (flags: { email: string; groups: string; dataDir: string }) => {
      const result = await withIdentity(flags.dataDir, (identity) => identity.setGroups(flags.email, groupsOf(flags.groups)));
      setExitCode(report(io, result, `groups of ${flags.email} set`));
    });
  users
    .command('invite')
    .description('invite someone to sign up on the developer portal (with --portal-signup invite); prints the invitation')
    .requiredOption('--email <email>', "the invitee's email")
    .option('--groups <groups>', 'comma-separated groups they get on sign-up', '')
    .option('--data-dir <dir>', 'data directory', DATA_DIR)
    .action(async (flags: { email: string; groups: string; dataDir: string }) => {
      const store = await openStore({ dataDir: flags.dataDir });
      try {
        io.stdout(`${await createInvitation(store, flags.email, groupsOf(flags.groups))}\n`);
        io.stderr(`invitation for ${flags.email.trim().toLowerCase()}: valid 7 days, once; sign up on the portal with it\n`);
      } finally {
        await store.close();
      }
    });
  users
    .command('list')
    .description('list users')
    .option('--json', 'print JSON')
    .option('--data-dir <dir>', 'data directory', DATA_DIR)
    .action(async (flags: { json?: boolean; dataDir: string }) => {
      const list = await withIdentity(flags.dataDir, (identity) => identity.listUsers());
      if (flags.json === true) io.stdout(`${JSON.stringify(list, null, 2)}\n`);
      else io.stdout(table(['EMAIL', 'GROUPS', 'PASSWORD', 'CREATED'], list.map((u) => [u.email, u.groups.join(','), u.hasPassword ? 'yes' : 'no', u.createdAt])));
    });
  return users;
}

export function keysCommand(io: CliIO, setExitCode: (code: number) => void): Command {
  const keys = new Command('keys').description("manage consumers' API keys (stored only as SHA-256 hashes)");
  keys
    .command('create')
    .description('create a key and print it: it is shown this once')
    .requiredOption('--email <email>', "the owner's email")
    .requiredOption('--name <name>', 'a name for the key, unique per user')
    .option('--data-dir <dir>', 'data directory', DATA_DIR)
    .action(async (flags: { email: string; name: string; dataDir: string }) => {
      const result = await withIdentity(flags.dataDir, (identity) => identity.createKey(flags.email, flags.name));
      if (result.ok) io.stdout(`${result.value}\n`);
      setExitCode(report(io, result));
    });
  keys
    .command('list')
    .description('list keys (never the keys themselves)')
    .option('--email <email>', 'only the keys of this user')
    .option('--json', 'print JSON')
    .option('--data-dir <dir>', 'data directory', DATA_DIR)
    .action(async (flags: { email?: string; json?: boolean; dataDir: string }) => {
      const list = await withIdentity(flags.dataDir, (identity) => identity.listKeys(flags.email));
      if (flags.json === true) io.stdout(`${JSON.stringify(list, null, 2)}\n`);
      else {
        io.stdout(
          table(
            ['EMAIL', 'NAME', 'PREFIX', 'STATUS', 'CREATED', 'LAST USED'],
            list.map((k) => [k.email, k.name, k.prefix, k.suspended ? 'suspended' : 'active', k.createdAt, k.lastUsedAt ?? '-']),
          ),
        );
      }
    });
  for (const [name, description, run] of [
    ['suspend', 'suspend a key (refused by every gateway within a second)', (i: IdentityService, e: string, n: string) => i.setSuspended(e, n, true)],
    ['resume', 'resume a suspended key', (i: IdentityService, e: string, n: string) => i.setSuspended(e, n, false)],
    ['delete', 'delete a key (refused by every gateway within a second)', (i: IdentityService, e: string, n: string) => i.deleteKey(e, n)],
  ] as const) {
    keys
      .command(name)
      .description(description)
      .requiredOption('--email <email>', "the owner's email")
      .requiredOption('--name <name>', 'the key name')
      .option('--data-dir <dir>', 'data directory', DATA_DIR)
      .action(async (flags: { email: string; name: string; dataDir: string }) => {
        const result = await withIdentity(flags.dataDir, (identity) => run(identity, flags.email, flags.name));
        setExitCode(report(io, result, `${name === 'delete' ? 'deleted' : name === 'suspend' ? 'suspended' : 'resumed'} key ${flags.name} of ${flags.email}`));
      });
  }
  return keys;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '(none)\n';
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
