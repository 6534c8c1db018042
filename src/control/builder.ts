import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Diagnostic, LintSummary } from '../analyzer/index.js';
import { ConfigAssembler, type RuntimeConfig } from '../policy/index.js';
import type { BuildMessage, BuildRequest } from './build-protocol.js';
import { buildRevision, type ResourceState } from './pipeline.js';

export interface BuildOutput {
  readonly ok: boolean;
  readonly diagnostics: readonly Diagnostic[];
  readonly summary: LintSummary;
  readonly resources: readonly ResourceState[];
  readonly config: RuntimeConfig | undefined;
}

const WORKER = fileURLToPath(new URL('./build-worker.js', import.meta.url));

/**
 * Builds a revision in a thread of its own, so loading, linting and compiling a large repository
 * (tens of seconds for 10,000 APIs) never blocks the gateway's event loop; the thread ends after
 * each build, which gives its memory back. Running from TypeScript sources (tests), where the
 * compiled worker does not exist, it builds in this thread.
 */
export async function buildOffThread(request: BuildRequest): Promise<BuildOutput> {
  if (!existsSync(WORKER)) return buildHere(request);
  const worker = new Worker(WORKER);
  try {
    return await new Promise<BuildOutput>((resolve, reject) => {
      const assembler = new ConfigAssembler();
      let result: Extract<BuildMessage, { type: 'result' }> | undefined;
      worker.on('message', (message: BuildMessage) => {
        if (message.type === 'failed') return reject(new Error(`the build failed: ${message.message}`));
        if (message.type === 'result') {
          result = message;
          if (!message.ok) resolve({ ...message, config: undefined });
          return;
        }
        // Each piece arrives as its own task: traffic is served between them.
        const config = assembler.add(message.chunk);
        if (config !== undefined && result !== undefined) resolve({ ...result, config });
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the build thread exited (code ${code}) before it finished`)));
      worker.postMessage(request);
    });
  } finally {
    void worker.terminate();
  }
}

async function buildHere(request: BuildRequest): Promise<BuildOutput> {
  const built = buildRevision(request.inputs, request.revision, { readProblems: request.problems });
  if (built.ok && request.configDir !== undefined) {
    await mkdir(request.configDir, { recursive: true });
    await writeFile(path.join(request.configDir, `${built.config.hash}.json`), JSON.stringify(built.config));
  }
  return { ok: built.ok, diagnostics: built.diagnostics, summary: built.summary, resources: built.resources, config: built.ok ? built.config : undefined };
}
