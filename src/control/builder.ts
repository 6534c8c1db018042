import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic, LintSummary } from '../analyzer/index.js';
import { ConfigAssembler, type RuntimeConfig } from '../policy/index.js';
import type { BuildMessage, BuildRequest, ImpactSummary } from './build-protocol.js';
import { summarizeImpact } from './impact-summary.js';
import { buildRevision, type ResourceState } from './pipeline.js';

export interface BuildOutput {
  readonly ok: boolean;
  readonly diagnostics: readonly Diagnostic[];
  readonly summary: LintSummary;
  readonly resources: readonly ResourceState[];
  readonly config: RuntimeConfig | undefined;
  /** What the revision changes compared with the one in service (when it was given). */
  readonly impact: ImpactSummary | null;
}

const WORKER = fileURLToPath(new URL('./build-worker.js', import.meta.url));

/** Nice value of the build process: the gateway's own work comes first on a busy machine. */
const BUILD_PRIORITY = 10;

/**
 * Builds a revision in a process of its own: loading, linting and compiling a large repository
 * (tens of seconds and over a gigabyte for 10,000 APIs) neither blocks the gateway's event loop
 * nor grows its memory, and at a lower priority it does not starve it of CPU either (a worker
 * thread did both: its garbage collections took the machine's cores for a second at a time).
 * The process ends after each build. Running from TypeScript sources (tests), where the
 * compiled build script does not exist, it builds here.
 */
export async function buildOffThread(request: BuildRequest): Promise<BuildOutput> {
  if (!existsSync(WORKER)) return buildHere(request);
  const worker = fork(WORKER, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    if (worker.pid !== undefined) setPriority(worker.pid, BUILD_PRIORITY);
  } catch {
    // Not allowed to lower it (some containers): build at the same priority.
  }
  try {
    return await new Promise<BuildOutput>((resolve, reject) => {
      const assembler = new ConfigAssembler();
      const resources: ResourceState[] = [];
      let result: Omit<BuildOutput, 'config'> | undefined;
      worker.on('message', (message: BuildMessage) => {
        // Each piece arrives as its own task: traffic is served between them.
        switch (message.type) {
          case 'done':
            return;
          case 'failed':
            return reject(new Error(`the build failed: ${message.message}`));
          case 'resources':
            for (const item of message.items) resources.push(item);
            return;
          case 'result':
            result = { ok: message.ok, diagnostics: message.diagnostics, summary: message.summary, resources, impact: message.impact };
            if (!message.ok) resolve({ ...result, config: undefined });
            return;
          case 'chunk': {
            const config = assembler.add(message.chunk);
            if (config !== undefined && result !== undefined) resolve({ ...result, config });
          }
        }
      });
      worker.once('error', reject);
      // 'close' comes after the last message was delivered ('exit' may come before).
      worker.once('close', (code, signal) => reject(new Error(`the build process exited (${signal ?? `code ${code}`}) before it finished`)));
      worker.send(request);
    });
  } finally {
    if (worker.exitCode === null) worker.kill();
  }
}

async function buildHere(request: BuildRequest): Promise<BuildOutput> {
  const built = buildRevision(request.inputs, request.revision, { readProblems: request.problems });
  if (built.ok && request.configDir !== undefined) {
    await mkdir(request.configDir, { recursive: true });
    await writeFile(path.join(request.configDir, `${built.config.hash}.json`), JSON.stringify(built.config));
  }
  const impact = request.base === undefined || request.configDir === undefined ? null : await summarizeImpact(request.configDir, request.base, built).catch(() => null);
  return { ok: built.ok, diagnostics: built.diagnostics, summary: built.summary, resources: built.resources, config: built.ok ? built.config : undefined, impact };
}
