import { writeFile } from 'node:fs/promises';

/** Where a command writes: injectable so tests run commands in-process and read what they print. */
export interface CliIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const processIO: CliIO = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** A failure the user can fix (bad flag, unreadable path): one line on stderr, exit 2. */
export class UsageError extends Error {
  readonly code = 'ERR_CLI_USAGE';
}

export async function writeOutput(io: CliIO, text: string, file: string | undefined): Promise<void> {
  if (file === undefined) io.stdout(text);
  else {
    await writeFile(file, text).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`${file}: cannot be written: ${error.code ?? error.message}`, { cause: error });
    });
  }
}

/** Collects a repeatable flag (`--include a --include b`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
