// The build process: load → lint → compile one revision away from the gateway, then send the
// result and the configuration in pieces (see splitConfig).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { splitConfig } from '../policy/index.js';
import type { BuildMessage, BuildRequest } from './build-protocol.js';
import { summarizeImpact } from './impact-summary.js';
import { buildRevision } from './pipeline.js';

process.once('message', (request: BuildRequest) => {
  void run(request).catch((error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error) })).finally(finish);
});

function post(message: BuildMessage): void {
  process.send!(message);
}

/** Leaves once every message has been handed over: disconnecting earlier could drop the last ones. */
function finish(): void {
  process.send!({ type: 'done' } satisfies BuildMessage, undefined, {}, () => process.disconnect());
}

async function run(request: BuildRequest): Promise<void> {
  const built = buildRevision(request.inputs, request.revision, { readProblems: request.problems });
  const hash = built.ok ? built.config.hash : null;
  if (built.ok && request.configDir !== undefined) {
    await mkdir(request.configDir, { recursive: true });
    await writeFile(path.join(request.configDir, `${built.config.hash}.json`), JSON.stringify(built.config));
  }
  for (let i = 0; i < built.resources.length; i += 2000) post({ type: 'resources', items: built.resources.slice(i, i + 2000) });
  const impact = request.base === undefined || request.configDir === undefined ? null : await summarizeImpact(request.configDir, request.base, built).catch(() => null);
  post({ type: 'result', ok: built.ok, diagnostics: built.diagnostics, summary: built.summary, hash, impact });
  if (built.ok) for (const chunk of splitConfig(built.config)) post({ type: 'chunk', chunk });
}
