import { Command } from 'commander';
import { rollbackRepository } from '../../control/index.js';
import type { CliIO } from '../io.js';

export function rollbackCommand(io: CliIO, setExitCode: (code: number) => void): Command {
  return new Command('rollback')
    .description('revert the branch to an earlier revision with one new commit, and push it')
    .option('--repo <path-or-url>', 'the repository (a local clone, a bare repository or a URL)', '.')
    .option('--branch <branch>', 'the branch', 'main')
    .option('--to <sha>', 'the revision to return to (default: the parent of the branch head)')
    .addHelpText(
      'after',
      `
The new commit has the target's content and reverts every commit after it: history stays the
source of truth, and a control plane following the branch applies it on its next fetch. A
checked-out branch is fast-forwarded (its worktree must be clean); origin gets the commit
when it exists. To roll back a running control plane at once, use POST /api/v1/rollback.
`,
    )
    .action(async (flags: { repo: string; branch: string; to?: string }) => {
      try {
        const report = await rollbackRepository({
          repo: flags.repo,
          branch: flags.branch,
          ...(flags.to === undefined ? {} : { to: flags.to }),
          ...(process.env.GITGATE_GIT_TOKEN === undefined ? {} : { token: process.env.GITGATE_GIT_TOKEN }),
        });
        io.stdout(`${report.commit}\n`);
        io.stderr(
          `rolled ${flags.branch} back to ${report.target.slice(0, 12)}: commit ${report.commit.slice(0, 12)} reverts ${report.reverted} commit${report.reverted === 1 ? '' : 's'}; ${report.pushedTo === null ? 'not pushed (no origin remote)' : `pushed to ${report.pushedTo}`}\n`,
        );
        setExitCode(0);
      } catch (error) {
        io.stderr(`gitgate: rollback failed: ${(error as Error).message}\n`);
        setExitCode(1);
      }
    });
}
