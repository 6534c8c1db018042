import { createHash } from 'node:crypto';
import { readSourceDir, type FileProblem, type SourceInput } from '../model/index.js';

export interface Snapshot {
  readonly inputs: readonly SourceInput[];
  readonly problems: readonly FileProblem[];
  /** What was read, named: a commit for git, `dir:<content hash>` for a directory. */
  readonly revision: string;
}

/** Reads the resources of a directory; its revision is a hash of the files read. */
export async function readDirectorySnapshot(dir: string, options: { include?: readonly string[]; exclude?: readonly string[] } = {}): Promise<Snapshot> {
  const { inputs, problems } = await readSourceDir(dir, options);
  const hash = createHash('sha256');
  for (const input of inputs) hash.update(input.path).update('\0').update(input.content).update('\0');
  return { inputs, problems, revision: `dir:${hash.digest('hex').slice(0, 12)}` };
}
