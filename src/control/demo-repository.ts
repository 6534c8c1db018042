import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { runGit } from './git/run-git.js';

const IDENTITY = ['-c', 'user.name=gitgate demo', '-c', 'user.email=demo@gitgate.localhost'];

/**
 * The example as a GitOps repository: a bare "remote" that the control plane follows, and a
 * working clone for the user to edit, commit and push. Kept across runs, so changes survive.
 */
export async function prepareDemoRepository(exampleDir: string, dataDir: string): Promise<{ remote: string; workdir: string; created: boolean }> {
  const remote = path.resolve(dataDir, 'demo', 'airlines.git');
  const workdir = path.resolve(dataDir, 'demo', 'airlines');
  if (existsSync(path.join(remote, 'HEAD')) && existsSync(path.join(workdir, '.git'))) return { remote, workdir, created: false };
  await runGit(['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  await runGit(['clone', '--quiet', remote, workdir]);
  cpSync(exampleDir, workdir, { recursive: true, filter: (source) => !source.split(path.sep).includes('.git') });
  await runGit(['checkout', '--quiet', '-B', 'main'], { cwd: workdir });
  await runGit(['add', '--all'], { cwd: workdir });
  await runGit([...IDENTITY, 'commit', '--quiet', '-m', 'The airlines example'], { cwd: workdir });
  await runGit(['push', '--quiet', 'origin', 'main'], { cwd: workdir });
  return { remote, workdir, created: true };
}
