import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { computeImpact, contractChanges, impactJson, impactMarkdown, impactText, openApiDocuments, type ImpactCounts, type ImpactSide, type ReadFile, type RuleSettings, type UsageData } from '../../analyzer/index.js';
import { readTreeAt, readWorktree, resolveRange, runGit } from '../../control/index.js';
import { collect, UsageError, writeOutput, type CliIO } from '../io.js';

const FORMATS = { markdown: impactMarkdown, json: impactJson, text: impactText } as const;

/** `--fail-on` conditions and what each counts. */
const FAIL_ON: Readonly<Record<string, (counts: ImpactCounts) => number>> = {
  'lint-error': (c) => c.lintErrorsIntroduced,
  'access-revoked': (c) => c.accessRevoked,
  'route-removed': (c) => c.routesRemoved,
  'rate-limit-decreased': (c) => c.limitsDecreased,
  'api-removed': (c) => c.apisRemoved,
  'breaking-change': (c) => c.breakingContracts,
};

interface DiffFlags {
  path: string;
  include: string[];
  exclude: string[];
  format: keyof typeof FORMATS;
  output?: string;
  failOn: string;
  usage?: string;
}

export function diffCommand(io: CliIO, rules: RuleSettings, setExitCode: (code: number) => void, cwd: () => string = () => process.cwd()): Command {
  return new Command('diff')
    .description('report what a change does: routes, access, rate limits, APIs, lint and (with usage) consumers, per gateway')
    .argument('[range]', 'A...B (merge base of A and B to B), A..B, A (A to HEAD), or nothing (HEAD to the working tree)')
    .option('--path <dir>', 'folder of the resources, relative to the repository root', '.')
    .option('--include <glob>', 'only read files matching this glob, relative to --path (repeatable)', collect, [])
    .option('--exclude <glob>', 'skip files matching this glob, relative to --path (repeatable)', collect, [])
    .addOption(new Option('--format <format>', 'output format').choices(Object.keys(FORMATS)).default('markdown'))
    .option('--output <file>', 'write the report to a file instead of standard output')
    .option('--fail-on <list>', `exit 1 when one of these happens: ${Object.keys(FAIL_ON).join(', ')}`, 'lint-error')
    .option('--usage <url>', "the control plane's usage endpoint (http://HOST:9090/api/v1/usage); token in GITGATE_ADMIN_TOKEN")
    .addHelpText(
      'after',
      `
Both sides are read straight from git objects (the working tree for the head when no range is
given), then loaded, linted and compiled with the code the gateway uses; the report is the
difference of the two compiled configurations. Nothing in the repository is changed.

Exit status: 0 nothing --fail-on names happened, 1 one did, 2 usage or git error.
`,
    )
    .action(async (range: string | undefined, flags: DiffFlags) => {
      const failOn = flags.failOn.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const unknown = failOn.filter((condition) => !Object.hasOwn(FAIL_ON, condition));
      if (unknown.length > 0) throw new UsageError(`--fail-on: unknown condition ${unknown.join(', ')}: use ${Object.keys(FAIL_ON).join(', ')}`);
      const resolved = await resolveRange(cwd(), range).catch((error: Error) => {
        throw new UsageError(error.message);
      });
      const normalized = path.posix.normalize(flags.path.replaceAll('\\', '/'));
      if (normalized === '..' || normalized.startsWith('../') || normalized.startsWith('/')) throw new UsageError(`--path ${flags.path} is outside the repository`);
      const folder = normalized === '.' ? '' : normalized.replace(/\/+$/, '');
      // A folder that is in neither side is a mistyped --path, not a change to report.
      if (folder !== '') {
        const isFolderAt = (sha: string) => runGit(['cat-file', '-t', `${sha}:${folder}`], { cwd: resolved.root }).then((out) => out.toString().trim() === 'tree', () => false);
        const inHead = resolved.head === null ? existsSync(path.join(resolved.root, folder)) : await isFolderAt(resolved.head);
        if (!inHead && !(await isFolderAt(resolved.base))) throw new UsageError(`--path ${flags.path}: no such folder in ${resolved.text}`);
      }
      const filters = { include: flags.include, exclude: flags.exclude };
      // Files are named from the repository root in the report, like the pull request names them.
      const fromRoot = (label: string, read: { inputs: ImpactSide['inputs']; problems: ImpactSide['problems'] }): ImpactSide => ({
        label,
        inputs: read.inputs.map((input) => ({ ...input, path: rooted(folder, input.path) })),
        problems: read.problems.map((problem) => ({ ...problem, file: rooted(folder, problem.file) })),
      });
      const commitSide = async (sha: string): Promise<ImpactSide> => fromRoot(sha, await readTreeAt(resolved.gitDir, sha, { path: folder, ...filters }));
      const base = await commitSide(resolved.base);
      const head: ImpactSide =
        resolved.head === null ? fromRoot('working tree', await readWorktree(resolved.root, folder, filters)) : await commitSide(resolved.head);
      const usage = flags.usage === undefined ? undefined : await fetchUsage(flags.usage);
      // OpenAPI documents tied to APIs by file are read from the same revision (or the working tree).
      const readAt = (sha: string | null): ReadFile => (file) => {
        const relative = path.posix.normalize(rooted(folder, file));
        if (relative.startsWith('..') || path.posix.isAbsolute(relative)) return undefined;
        try {
          if (sha === null) return readFileSync(path.join(resolved.root, relative), 'utf8');
          return execFileSync('git', ['cat-file', 'blob', `${sha}:${relative}`], { cwd: resolved.root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 16 * 1024 * 1024 });
        } catch {
          return undefined;
        }
      };
      const { report, counts } = computeImpact(base, head, {
        rules,
        ...(usage === undefined ? {} : { usage }),
        contracts: (before, after) => contractChanges(openApiDocuments(before.graph, readAt(resolved.base)), openApiDocuments(after.graph, readAt(resolved.head))),
      });
      await writeOutput(io, FORMATS[flags.format](report), flags.output);
      const happened = failOn.filter((condition) => FAIL_ON[condition]!(counts) > 0);
      if (flags.output !== undefined) io.stderr(`wrote the ${flags.format} report to ${flags.output}: ${report.summary}\n`);
      if (happened.length > 0) io.stderr(`gitgate diff: ${happened.join(', ')} (--fail-on ${failOn.join(',')})\n`);
      setExitCode(happened.length > 0 ? 1 : 0);
    });
}

function rooted(folder: string, file: string): string {
  return folder === '' ? file : `${folder}/${file}`;
}

/** Reads usage from the control plane: hourly rows of the last 30 days and recent seconds. */
async function fetchUsage(endpoint: string): Promise<UsageData> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`--usage "${endpoint}" is not a URL`);
  }
  url.searchParams.set('seconds', '1');
  const token = process.env.GITGATE_ADMIN_TOKEN;
  const response = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } }).catch((error: Error) => {
    throw new UsageError(`--usage ${url.origin}: ${error.message}`);
  });
  if (!response.ok) throw new UsageError(`--usage ${url.origin}${url.pathname}: answered ${response.status}${response.status === 401 ? ' (set GITGATE_ADMIN_TOKEN)' : ''}`);
  const body = (await response.json().catch(() => undefined)) as { items?: UsageData['hourly']; seconds?: UsageData['seconds'] } | undefined;
  if (body === undefined || !Array.isArray(body.items)) throw new UsageError(`--usage ${url.origin}${url.pathname}: not a usage answer`);
  return { hourly: body.items, seconds: Array.isArray(body.seconds) ? body.seconds : [] };
}
