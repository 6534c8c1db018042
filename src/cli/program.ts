import { Command, CommanderError } from 'commander';
import { RULES } from '../analyzer/index.js';
import { demoCommand } from './commands/demo.js';
import { diffCommand } from './commands/diff.js';
import { keysCommand, usersCommand } from './commands/identity.js';
import { lintCommand } from './commands/lint.js';
import { rollbackCommand } from './commands/rollback.js';
import { serveCommand } from './commands/serve.js';
import { UsageError, type CliIO } from './io.js';
import { extractRuleFlags } from './rule-flags.js';
import { gitgateVersion } from './version.js';

/**
 * Runs the CLI with `args` (without `node` and the script) and returns the exit status:
 * 0 success, 1 findings (lint errors), 2 usage or read errors.
 */
export async function runCli(args: readonly string[], io: CliIO): Promise<number> {
  let exitCode = 0;
  try {
    const { args: rest, rules } = extractRuleFlags(
      args,
      RULES.map((rule) => rule.id),
      RULES.filter((rule) => rule.disableable === false).map((rule) => rule.id),
    );
    const program = new Command('gitgate')
      .description('GitOps-driven API management: lint, serve and analyze hub.traefik.io/v1alpha1 resources from git')
      .version(gitgateVersion(), '-v, --version')
      .exitOverride()
      .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
      .showHelpAfterError('(run with --help for usage)');
    const setExitCode = (code: number) => (exitCode = code);
    program.addCommand(lintCommand(io, rules, setExitCode));
    program.addCommand(diffCommand(io, rules, setExitCode));
    program.addCommand(serveCommand(io, setExitCode));
    program.addCommand(usersCommand(io, setExitCode));
    program.addCommand(keysCommand(io, setExitCode));
    program.addCommand(rollbackCommand(io, setExitCode));
    program.addCommand(demoCommand(io, setExitCode));
    const configure = (command: Command): void => {
      command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
      command.commands.forEach(configure);
    };
    program.commands.forEach(configure);
    await program.parseAsync([...rest], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; every other commander error is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError || ['ERR_MODEL_READ', 'ERR_GIT', 'ERR_DIFF_RANGE', 'ERR_LISTEN', 'ERR_STORE_OPEN'].includes((error as { code?: string }).code ?? '')) {
      io.stderr(`gitgate: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
}
