import { execFile } from 'node:child_process';

/** A git command that failed: its exit code and the first lines it printed on stderr. */
export class GitError extends Error {
  readonly code = 'ERR_GIT';
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor(args: readonly string[], exitCode: number | null, stderr: string) {
    super(`git ${args.slice(0, 3).join(' ')} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${firstLines(stderr)}`);
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

export interface GitOptions {
  readonly cwd?: string;
  readonly input?: string | Buffer;
  readonly timeoutMs?: number;
  /** Extra `-c key=value` settings (credentials): passed on the command line, never logged. */
  readonly config?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly maxBuffer?: number;
}

/**
 * Runs the system git. Prompts are off (a missing credential fails instead of hanging), and
 * SSH runs in batch mode with the user's own keys.
 */
export function runGit(args: readonly string[], options: GitOptions = {}): Promise<Buffer> {
  // Settings (credentials) go through GIT_CONFIG_* variables rather than `-c`: the command line
  // of a process can be read by every local user, its environment cannot.
  const settings = options.config ?? [];
  const configEnv: Record<string, string> = settings.length === 0 ? {} : { GIT_CONFIG_COUNT: String(settings.length) };
  settings.forEach((setting, i) => {
    const eq = setting.indexOf('=');
    configEnv[`GIT_CONFIG_KEY_${i}`] = setting.slice(0, eq);
    configEnv[`GIT_CONFIG_VALUE_${i}`] = setting.slice(eq + 1);
  });
  const fullArgs = [...args];
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      fullArgs,
      {
        cwd: options.cwd,
        encoding: 'buffer',
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: options.maxBuffer ?? 512 * 1024 * 1024,
        env: {
          ...process.env,
          ...options.env,
          ...configEnv,
          GIT_TERMINAL_PROMPT: '0',
          GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
          LC_ALL: 'C',
        },
      },
      (error, stdout, stderr) => {
        if (error !== null) reject(new GitError(args, typeof error.code === 'number' ? error.code : null, stderr.toString('utf8') || error.message));
        else resolve(stdout);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export async function gitText(args: readonly string[], options: GitOptions = {}): Promise<string> {
  return (await runGit(args, options)).toString('utf8').trim();
}

function firstLines(text: string): string {
  return text
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(0, 3)
    .join(' / ')
    .slice(0, 500);
}
