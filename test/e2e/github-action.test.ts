import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The GitHub Action (action.yml) in a simulated runner: a real git repository in a temporary
// folder (the airlines example on main, a pull-request branch that revokes an access and breaks
// a reference), the event file, $GITHUB_STEP_SUMMARY and $GITHUB_OUTPUT files, and the action's
// `run` step executed as the runner does (its env block evaluated from the inputs, bash with
// -eo pipefail). The setup-node and build steps are not run: `npm test` has built dist/ already.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ACTION = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionYml;
const EXAMPLE = path.join(ROOT, 'examples/github-workflow/gitgate.yml');
const INPUTS = ['path', 'include', 'exclude', 'lint', 'lint-format', 'lint-disabled-rules', 'lint-output-file', 'diff', 'diff-range', 'diff-output-file', 'fail-on', 'usage-url'];
const MARKER = '<!-- gitgate-report -->';
/** The resources' folder in the test repository: a subfolder, so paths must be prefixed. */
const FOLDER = 'config/airlines';

interface ActionStep {
  id?: string;
  name?: string;
  uses?: string;
  with?: Record<string, unknown>;
  shell?: string;
  env?: Record<string, string>;
  run?: string;
}

interface ActionYml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

interface ActionRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Workflow-command annotations printed on standard output, in order. */
  readonly annotations: string[];
  /** $GITHUB_STEP_SUMMARY after the step. */
  readonly summary: string;
  /** The action's outputs as a workflow sees them (`steps.<id>.outputs.*`). */
  readonly outputs: Record<string, string>;
  /** What the step wrote to $GITHUB_OUTPUT. */
  readonly stepOutputs: Record<string, string>;
  readonly runnerTemp: string;
}

let scratch = '';
/** The pull request's checkout: branch `feature` (one commit after main), origin/main fetched. */
let work = '';
let origin = '';
let diffAvailable = false;
const DIFF_MISSING =
  '`gitgate diff` is not implemented in this build (bin/gitgate diff --help shows no diff command): the diff half of the action cannot be checked';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } }).trim();
}

function edit(file: string, change: (text: string) => string): void {
  const before = readFileSync(file, 'utf8');
  const after = change(before);
  expect(after, `edit of ${file} changed nothing`).not.toBe(before);
  writeFileSync(file, after);
}

/** The env a run step gets: `${{ inputs.x }}` evaluated to the given value or the input's default. */
function stepEnv(step: ActionStep, inputs: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(step.env ?? {})) {
    env[name] = String(value).replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expression: string) => {
      const input = /^inputs\.([a-z0-9-]+)$/.exec(expression)?.[1];
      if (input === undefined) throw new Error(`the simulated runner does not evaluate \${{ ${expression} }} (step ${step.id})`);
      const declared = ACTION.inputs[input];
      if (declared === undefined) throw new Error(`action.yml uses inputs.${input}, which it does not declare`);
      return inputs[input] ?? declared.default ?? '';
    });
  }
  return env;
}

/** $GITHUB_OUTPUT's `name=value` and `name<<DELIMITER` forms. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc !== null) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      outputs[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return outputs;
}

interface Simulated {
  /** Workspace (the checkout); defaults to the pull request's. */
  workspace?: string;
  eventName?: string;
  event?: unknown;
  baseRef?: string;
  env?: Record<string, string>;
}

/** Runs the action's `run` step with `inputs` the way the runner would, in a fresh runner folder. */
function runAction(inputs: Readonly<Record<string, string>>, simulated: Simulated = {}): ActionRun {
  for (const name of Object.keys(inputs)) if (!(name in ACTION.inputs)) throw new Error(`action.yml has no input ${name}`);
  const step = ACTION.runs.steps.find((s) => s.id === 'run');
  if (step?.run === undefined) throw new Error('action.yml has no run step with id "run"');
  const runner = mkdtempSync(path.join(scratch, 'runner-'));
  const files = { event: path.join(runner, 'event.json'), summary: path.join(runner, 'step_summary.md'), output: path.join(runner, 'output.txt'), script: path.join(runner, 'step.sh'), temp: path.join(runner, 'temp') };
  mkdirSync(files.temp);
  const eventName = simulated.eventName ?? 'pull_request';
  writeFileSync(files.event, JSON.stringify(simulated.event ?? pullRequestEvent()));
  // The runner creates both files empty before the step.
  writeFileSync(files.summary, '');
  writeFileSync(files.output, '');
  writeFileSync(files.script, step.run);
  // Built from nothing, not from process.env: a test run inside GitHub Actions must not leak
  // the real GITHUB_* variables into the simulated one.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.homedir(),
    LC_ALL: 'C',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION_PATH: ROOT,
    GITHUB_WORKSPACE: simulated.workspace ?? work,
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_OUTPUT: files.output,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'airlines/apis',
    GITHUB_RUN_ID: '4242',
    RUNNER_TEMP: files.temp,
    ...(eventName === 'pull_request' ? { GITHUB_BASE_REF: simulated.baseRef ?? 'main', GITHUB_HEAD_REF: 'feature' } : {}),
    ...simulated.env,
    ...stepEnv(step, inputs),
  };
  const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', files.script], { cwd: env.GITHUB_WORKSPACE, env, encoding: 'utf8', timeout: 60_000 });
  const stepOutputs = parseOutputs(readFileSync(files.output, 'utf8'));
  const outputs: Record<string, string> = {};
  for (const [name, output] of Object.entries(ACTION.outputs)) {
    const key = /^\$\{\{\s*steps\.run\.outputs\.([a-z0-9-]+)\s*\}\}$/.exec(output.value)?.[1];
    outputs[name] = key === undefined ? `(not evaluated: ${output.value})` : (stepOutputs[key] ?? '');
  }
  return {
    code: run.status ?? -1,
    stdout: run.stdout,
    stderr: run.stderr,
    annotations: run.stdout.split('\n').filter((line) => /^::(error|warning|notice)[ :]/.test(line)),
    summary: readFileSync(files.summary, 'utf8'),
    outputs,
    stepOutputs,
    runnerTemp: files.temp,
  };
}

function pullRequestEvent(): unknown {
  return {
    action: 'synchronize',
    number: 7,
    pull_request: { number: 7, base: { ref: 'main', sha: git(work, 'rev-parse', 'origin/main') }, head: { ref: 'feature', sha: git(work, 'rev-parse', 'HEAD') } },
    repository: { full_name: 'airlines/apis' },
  };
}

/** Where the head breaks the ticket API's Service reference (the value of `service.name`). */
function brokenReference(): { line: number; col: number } {
  const lines = readFileSync(path.join(work, FOLDER, 'apps/tickets/api.yaml'), 'utf8').split('\n');
  const index = lines.findIndex((l) => l.trim() === 'name: ticket-app-missing');
  return { line: index + 1, col: lines[index]!.indexOf('ticket-app-missing') + 1 };
}

function bulkApis(count: number): string {
  const docs = Array.from({ length: count }, (_, i) => {
    const name = `bulk-${String(i).padStart(4, '0')}`;
    return `apiVersion: hub.traefik.io/v1alpha1\nkind: API\nmetadata:\n  name: ${name}\n  namespace: apps\n  labels:\n    bulk: "yes"\nspec:\n  pathPrefix: /${name}\n  service:\n    name: ticket-app\n    port:\n      number: 3000\n`;
  });
  docs.push('apiVersion: hub.traefik.io/v1alpha1\nkind: APIAccess\nmetadata:\n  name: bulk\nspec:\n  groups: [partner]\n  apiSelector:\n    matchLabels:\n      bulk: "yes"\n');
  return docs.join('---\n');
}

function annotationFile(annotation: string): string | undefined {
  return /^::\w+ file=([^,]*),/.exec(annotation)?.[1];
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'gitgate-action-'));
  origin = path.join(scratch, 'origin.git');
  work = path.join(scratch, 'work');
  git(scratch, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
  git(scratch, 'clone', '--quiet', origin, work);
  git(work, 'checkout', '--quiet', '-B', 'main');
  cpSync(path.join(ROOT, 'examples/airlines'), path.join(work, FOLDER), { recursive: true });
  writeFileSync(path.join(work, 'README.md'), '# Airlines APIs\n');
  git(work, 'add', '--all');
  git(work, 'commit', '--quiet', '-m', 'airlines');
  git(work, 'push', '--quiet', 'origin', 'main');
  // The pull request: partners lose their access, and the ticket API names a Service that does not exist.
  git(work, 'checkout', '--quiet', '-b', 'feature');
  edit(path.join(work, FOLDER, 'apps/api-gateway.yaml'), (t) => t.replace(/^ {4}- partner-bookings\n/m, ''));
  edit(path.join(work, FOLDER, 'apps/tickets/api.yaml'), (t) => t.replace(/^( {4}name: )ticket-app$/m, '$1ticket-app-missing'));
  git(work, 'commit', '--quiet', '--all', '-m', 'revoke partner bookings; rename the ticket backend');
  git(work, 'push', '--quiet', 'origin', 'feature');
  // A change too large for one comment: 800 new APIs, each with its route and access.
  git(work, 'checkout', '--quiet', '-b', 'big', 'main');
  writeFileSync(path.join(work, FOLDER, 'apps/bulk.yaml'), bulkApis(800));
  edit(path.join(work, FOLDER, 'apps/api-gateway.yaml'), (t) => t.replace(/^( {4}- public-time\n)/m, '$1    - bulk\n'));
  git(work, 'add', '--all');
  git(work, 'commit', '--quiet', '-m', 'bulk APIs');
  git(work, 'checkout', '--quiet', 'feature');

  const help = spawnSync(process.execPath, [path.join(ROOT, 'bin/gitgate'), 'diff', '--help'], { encoding: 'utf8' });
  diffAvailable = help.status === 0 && help.stdout.includes('Usage: gitgate diff');
});

afterAll(() => {
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
});

describe('action.yml', () => {
  it('is a composite action with the documented inputs, each passed to the script', () => {
    expect(ACTION.runs.using).toBe('composite');
    expect(Object.keys(ACTION.inputs)).toEqual(INPUTS);
    for (const [name, input] of Object.entries(ACTION.inputs)) {
      expect(input.description, name).toMatch(/\S/);
      expect(input.required ?? false, name).toBe(false);
    }
    const step = ACTION.runs.steps.find((s) => s.id === 'run')!;
    for (const name of INPUTS) expect(step.env?.[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`], name).toBe(`\${{ inputs.${name} }}`);
    expect(step.run).toContain('node "$GITHUB_ACTION_PATH/scripts/action/run.mjs"');
  });

  it('sets up Node.js 20 first, then builds gitgate in its own checkout', () => {
    const [setup, build] = ACTION.runs.steps;
    expect(setup?.uses).toBe('actions/setup-node@v4');
    expect(String(setup?.with?.['node-version'])).toBe('20');
    expect(build?.run).toContain('bash "$GITHUB_ACTION_PATH/scripts/ensure-built.sh"');
    for (const step of ACTION.runs.steps) if (step.run !== undefined) expect(step.shell, step.name).toBe('bash');
  });

  it('maps every output to what the run step writes', () => {
    for (const [name, output] of Object.entries(ACTION.outputs)) {
      expect(output.value, name).toBe(`\${{ steps.run.outputs.${name} }}`);
      expect(output.description, name).toMatch(/\S/);
    }
    expect(Object.keys(ACTION.outputs)).toEqual(expect.arrayContaining(['lint-exit-code', 'diff-exit-code', 'report-file']));
  });
});

describe('on a pull request, with the default inputs (fail-on: lint-error)', () => {
  let run: ActionRun;
  beforeAll(() => {
    run = runAction({ path: FOLDER });
  });

  it('annotates the files with the lint findings, by path from the repository root', () => {
    const { line, col } = brokenReference();
    expect(run.annotations).toContain(
      `::error file=${FOLDER}/apps/tickets/api.yaml,line=${line},col=${col},title=gitgate reference::resource apps/ticket-app-missing (Service) not found on field "service.name" in resource apps/ticket-api (API)`,
    );
    const located = run.annotations.filter((a) => a.includes(' file='));
    expect(located.length).toBeGreaterThanOrEqual(2);
    for (const annotation of located) expect(annotationFile(annotation), annotation).toMatch(new RegExp(`^${FOLDER}/apps/`));
    for (const annotation of located) expect(existsSync(path.join(work, annotationFile(annotation)!)), annotation).toBe(true);
  });

  it("annotates the pull request's own files first (the runner shows only 10 of each kind per step)", () => {
    const changed = new Set(git(work, 'diff', '--name-only', 'origin/main...HEAD').split('\n'));
    const located = run.annotations.filter((a) => a.includes(' file=')).map((a) => changed.has(annotationFile(a)!));
    expect(located).toContain(false); // the unchanged employee API has a warning: the order is tested
    expect(located).toEqual([...located].sort((a, b) => Number(b) - Number(a)));
  });

  it('sets the lint outputs', () => {
    expect(run.outputs).toMatchObject({ 'lint-exit-code': '1', 'lint-errors': '1', 'lint-report-file': '' });
    expect(Number(run.outputs['lint-warnings'])).toBeGreaterThanOrEqual(1);
  });

  it('writes every output, with the range of the pull request', () => {
    expect(Object.keys(run.stepOutputs).sort()).toEqual(Object.keys(ACTION.outputs).sort());
    expect(run.outputs['diff-range']).toBe('origin/main...HEAD');
  });

  it('fails the job, saying why', () => {
    expect(run.code).toBe(1);
    expect(run.outputs.failed).toBe('true');
    expect(run.annotations).toContain('::error title=gitgate::gitgate lint found 1 error(s), and fail-on includes lint-error');
  });

  it('writes the impact report to the job summary', () => {
    expect(diffAvailable, DIFF_MISSING).toBe(true);
    expect(run.outputs['diff-exit-code'], run.stdout + run.stderr).toBe('1');
    const first = run.summary.split('\n')[0]!;
    expect(first, 'the report starts with a one-line summary').toMatch(/\w/);
    expect(first).not.toMatch(/^#/);
    expect(run.summary).toContain('## api-gateway (APIGateway)');
    // The revoked access: group partner on flight-api.
    expect(run.summary).toMatch(/\|[^\n]*partner[^\n]*apps\/flight-api[^\n]*\|/);
    // Lint fails the job: its findings follow the report.
    expect(run.summary).toContain('## gitgate lint');
    expect(run.summary).toContain(`${FOLDER}/apps/tickets/api.yaml`);
  });

  it('writes the report to a file ready to post as a comment', () => {
    expect(diffAvailable, DIFF_MISSING).toBe(true);
    const file = run.outputs['report-file']!;
    expect(file).toBe(path.join(run.runnerTemp, 'gitgate', 'diff-report.md'));
    const body = readFileSync(file, 'utf8');
    expect(body.split('\n')[0]).toBe(run.summary.split('\n')[0]);
    expect(body).toContain('## api-gateway (APIGateway)');
    expect(body).toContain('(https://github.com/airlines/apis/actions/runs/4242)');
    expect(body.trimEnd().endsWith(MARKER)).toBe(true);
    expect(body.length).toBeLessThan(65_536);
  });

  it('never writes the report to the log, where it could be read as workflow commands', () => {
    expect(diffAvailable, DIFF_MISSING).toBe(true);
    expect(run.stdout).not.toContain('## api-gateway (APIGateway)');
  });
});

describe('fail-on', () => {
  it('access-revoked fails the job through the diff, even with lint passing', () => {
    const run = runAction({ path: FOLDER, 'fail-on': 'access-revoked', 'lint-disabled-rules': 'reference' });
    expect(run.outputs['lint-exit-code']).toBe('0');
    expect(run.annotations.some((a) => a.includes('gitgate reference'))).toBe(false);
    expect(diffAvailable, DIFF_MISSING).toBe(true);
    expect(run.outputs['diff-exit-code'], run.stdout + run.stderr).toBe('1');
    expect(run.code).toBe(1);
    expect(run.outputs.failed).toBe('true');
    expect(run.annotations.some((a) => a.startsWith('::error title=gitgate::') && a.includes('access-revoked'))).toBe(true);
  });

  it('lets the job pass when what happened is not listed', () => {
    // The change revokes an access and breaks a reference; it removes no route and no API.
    const run = runAction({ path: FOLDER, 'fail-on': 'route-removed, api-removed' });
    expect(run.outputs['lint-exit-code']).toBe('1');
    expect(diffAvailable, DIFF_MISSING).toBe(true);
    expect(run.outputs['diff-exit-code'], run.stdout + run.stderr).toBe('0');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs.failed).toBe('false');
    expect(run.summary).toContain('## api-gateway (APIGateway)');
  });

  it('none never fails the job on findings, and the report is still written', () => {
    const run = runAction({ path: FOLDER, 'fail-on': 'none' });
    expect(run.annotations.some((a) => a.startsWith('::error file='))).toBe(true);
    expect(diffAvailable, DIFF_MISSING).toBe(true);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs.failed).toBe('false');
    expect(existsSync(run.outputs['report-file']!)).toBe(true);
  });

  it('lint-error follows lint-disabled-rules: a rule turned off fails neither lint nor the diff', () => {
    const run = runAction({ path: FOLDER, 'fail-on': 'lint-error', 'lint-disabled-rules': 'reference' });
    expect(run.outputs['lint-exit-code']).toBe('0');
    expect(diffAvailable, DIFF_MISSING).toBe(true);
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });

  it('refuses an unknown condition before running anything', () => {
    const run = runAction({ path: FOLDER, 'fail-on': 'lint-error,everything' });
    expect(run.code).toBe(2);
    expect(run.annotations).toEqual([expect.stringMatching(/^::error title=gitgate::input fail-on: unknown condition "everything"/)]);
    expect(run.outputs).toMatchObject({ failed: 'true', 'lint-exit-code': '', 'diff-exit-code': '' });
  });
});

describe('a report too long for a comment', () => {
  it('is cut for the comment, with a pointer to the job summary, which has all of it', () => {
    const run = runAction({ path: FOLDER, lint: 'false', 'diff-range': 'main...big', 'fail-on': 'none' });
    expect(diffAvailable, DIFF_MISSING).toBe(true);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const body = readFileSync(run.outputs['report-file']!, 'utf8');
    expect(run.summary.length, 'the report of 800 new APIs should exceed a comment').toBeGreaterThan(65_536);
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain('_The report is too long for a comment and was cut here: the whole report is in the job summary of [the workflow run](https://github.com/airlines/apis/actions/runs/4242)._');
    expect(body.split('\n')[0]).toBe(run.summary.split('\n')[0]);
    // Collapsed sections cut open are closed, so the note is not folded away.
    expect(body.match(/<details\b/g)?.length ?? 0).toBe(body.match(/<\/details>/g)?.length ?? 0);
    expect(body.trimEnd().endsWith(MARKER)).toBe(true);
    expect(run.summary).toContain('/bulk-0799');
  });
});

describe('ranges', () => {
  it('reports the last commit on a push (no base branch)', () => {
    const run = runAction({ path: FOLDER, 'fail-on': 'none' }, { eventName: 'push', event: { ref: 'refs/heads/feature', after: git(work, 'rev-parse', 'HEAD') } });
    expect(run.outputs['diff-range']).toBe('HEAD~1..HEAD');
    expect(diffAvailable, DIFF_MISSING).toBe(true);
    expect(run.outputs['diff-exit-code'], run.stdout + run.stderr).toBe('0');
    expect(run.summary).toContain('## api-gateway (APIGateway)');
  });

  it('takes the base branch from the event when GITHUB_BASE_REF is not set', () => {
    const run = runAction({ path: FOLDER, diff: 'true', lint: 'false', 'fail-on': 'none' }, { eventName: 'pull_request_review' });
    expect(run.outputs['diff-range']).toBe('origin/main...HEAD');
  });

  it('runs the diff-range input as given', () => {
    const run = runAction({ path: FOLDER, lint: 'false', 'diff-range': 'HEAD~1', 'fail-on': 'none' });
    expect(run.outputs['diff-range']).toBe('HEAD~1');
    expect(diffAvailable, DIFF_MISSING).toBe(true);
    expect(run.summary).toContain('## api-gateway (APIGateway)');
  });

  it('explains a shallow checkout (no fetch-depth: 0) instead of a git error', () => {
    const shallow = path.join(scratch, 'shallow');
    git(scratch, 'clone', '--quiet', '--depth', '1', '--branch', 'feature', `file://${origin}`, shallow);
    const run = runAction({ path: FOLDER }, { workspace: shallow });
    expect(run.code).toBe(2);
    expect(run.outputs).toMatchObject({ 'diff-exit-code': '2', 'report-file': '', failed: 'true' });
    expect(run.annotations).toContainEqual(expect.stringMatching(/^::error title=gitgate::gitgate diff origin\/main\.\.\.HEAD: origin\/main is not a commit in this checkout: this checkout is shallow: .*fetch-depth: 0/));
    expect(run.summary).toContain('could not run');
    // Lint still annotated the files.
    expect(run.annotations.some((a) => a.startsWith(`::error file=${FOLDER}/apps/tickets/api.yaml,`))).toBe(true);
  });

  it('names a base branch the checkout does not have', () => {
    const run = runAction({ path: FOLDER }, { baseRef: 'release/2' });
    expect(run.code).toBe(2);
    expect(run.annotations).toContainEqual(expect.stringContaining('origin/release/2 is not a commit in this checkout'));
  });
});

describe('lint inputs', () => {
  it('writes the lint report in lint-format to lint-output-file, paths from the repository root', () => {
    const file = path.join(scratch, 'reports', 'lint.sarif');
    const run = runAction({ path: FOLDER, diff: 'false', 'lint-format': 'sarif', 'lint-output-file': file });
    expect(run.outputs['lint-report-file']).toBe(file);
    const sarif = JSON.parse(readFileSync(file, 'utf8')) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    const uris = sarif.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris).toContain(`${FOLDER}/apps/tickets/api.yaml`);
    for (const uri of uris) expect(uri.startsWith(`${FOLDER}/`), uri).toBe(true);
    // Without the diff, the summary holds the lint report, and there is nothing to comment.
    expect(run.summary).toContain('## gitgate lint');
    expect(run.summary).toContain(`| error | ${FOLDER}/apps/tickets/api.yaml |`);
    expect(run.outputs).toMatchObject({ 'diff-exit-code': '', 'diff-range': '', 'report-file': '' });
    expect(run.code).toBe(1);
  });

  it("writes a lint-format report to the runner's temporary folder when no file is named", () => {
    const run = runAction({ path: FOLDER, diff: 'false', 'lint-format': 'json', 'fail-on': 'none' });
    expect(run.outputs['lint-report-file']).toBe(path.join(run.runnerTemp, 'gitgate', 'lint.json'));
    const report = JSON.parse(readFileSync(run.outputs['lint-report-file']!, 'utf8')) as { diagnostics: { file: string }[]; summary: { errors: number } };
    expect(report.summary.errors).toBe(1);
    expect(report.diagnostics.map((d) => d.file)).toContain(`${FOLDER}/apps/tickets/api.yaml`);
    expect(run.code).toBe(0);
  });

  it('takes include and exclude lists (a brace glob is one item)', () => {
    const run = runAction({ path: FOLDER, diff: 'false', exclude: 'apps/{employee,customers}/**\napps/namespace.yaml', 'fail-on': 'none' });
    const files = run.annotations.map(annotationFile).filter((f) => f !== undefined);
    expect(files).toContain(`${FOLDER}/apps/tickets/api.yaml`);
    expect(files.filter((f) => /apps\/(employee|customers)\//.test(f))).toEqual([]);
    const only = runAction({ path: FOLDER, diff: 'false', include: 'apps/employee/**', 'fail-on': 'none' });
    expect(only.annotations.map(annotationFile).filter((f) => f !== undefined).every((f) => f!.startsWith(`${FOLDER}/apps/employee/`))).toBe(true);
  });

  it('lints the repository root with path "."', () => {
    const run = runAction({ diff: 'false', 'fail-on': 'none' });
    expect(run.annotations.some((a) => a.startsWith(`::error file=${FOLDER}/apps/tickets/api.yaml,`))).toBe(true);
  });

  it('reports a path that does not exist', () => {
    const run = runAction({ path: 'no/such/folder' });
    expect(run.code).toBe(2);
    expect(run.annotations).toEqual([expect.stringContaining('input path: no/such/folder is not a directory')]);
  });
});

describe('usage-url', () => {
  it('without GITGATE_ADMIN_TOKEN (a fork) warns and reports without consumers instead of failing', () => {
    const run = runAction({ path: FOLDER, 'usage-url': 'http://127.0.0.1:9/api/v1/usage', 'fail-on': 'none' });
    expect(run.annotations).toContainEqual(expect.stringMatching(/^::warning title=gitgate::usage-url is set but GITGATE_ADMIN_TOKEN is empty/));
    expect(diffAvailable, DIFF_MISSING).toBe(true);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.summary).toContain('## api-gateway (APIGateway)');
  });
});

describe('examples/github-workflow/gitgate.yml', () => {
  const workflow = parse(readFileSync(EXAMPLE, 'utf8')) as {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<string, { steps: ActionStep[] }>;
  };
  const steps = Object.values(workflow.jobs)[0]!.steps;

  it('runs on pull requests with a full checkout and may write pull-request comments', () => {
    expect(Object.keys(workflow.on)).toContain('pull_request');
    expect(workflow.permissions['pull-requests']).toBe('write');
    const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.['fetch-depth']).toBe(0);
  });

  it('uses only inputs and outputs the action has', () => {
    const gitgate = steps.find((s) => s.id === 'gitgate')!;
    expect(gitgate.uses).toBe('./');
    for (const name of Object.keys(gitgate.with ?? {})) expect(INPUTS, name).toContain(name);
    const text = readFileSync(EXAMPLE, 'utf8');
    const used = [...text.matchAll(/steps\.gitgate\.outputs\.([a-z0-9-]+)/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(Object.keys(ACTION.outputs), name).toContain(name);
  });

  it("posts the report file as one comment and edits that comment on the next push (fake GitHub API)", async () => {
    expect(diffAvailable, DIFF_MISSING).toBe(true);
    const run = runAction({ path: FOLDER, 'fail-on': 'none' });
    const script = String(steps.find((s) => s.uses?.startsWith('actions/github-script@'))!.with!.script);
    // A fake of the GitHub REST API as actions/github-script hands it to the script; the
    // real one cannot be reached from a test.
    const comments: { id: number; body: string; user: { type: string }; html_url: string }[] = [
      { id: 1, body: 'Looks good to me', user: { type: 'User' }, html_url: 'https://github.com/c/1' },
    ];
    const calls: string[] = [];
    const github = {
      paginate: async (method: (params: unknown) => Promise<{ data: unknown[] }>, params: unknown) => (await method(params)).data,
      rest: {
        issues: {
          listComments: async (params: { issue_number: number }) => {
            calls.push(`list #${params.issue_number}`);
            return { data: comments.map((c) => ({ ...c })) };
          },
          createComment: async (params: { issue_number: number; body: string }) => {
            calls.push(`create #${params.issue_number}`);
            const comment = { id: comments.length + 1, body: params.body, user: { type: 'Bot' }, html_url: `https://github.com/c/${comments.length + 1}` };
            comments.push(comment);
            return { data: comment };
          },
          updateComment: async (params: { comment_id: number; body: string }) => {
            calls.push(`update ${params.comment_id}`);
            comments.find((c) => c.id === params.comment_id)!.body = params.body;
            return { data: {} };
          },
        },
      },
    };
    const context = { repo: { owner: 'airlines', repo: 'apis' }, issue: { owner: 'airlines', repo: 'apis', number: 7 } };
    const core = { info: () => undefined };
    const AsyncFunction = (async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;
    const post = new AsyncFunction('github', 'context', 'core', 'require', 'process', script);
    const fakeProcess = { env: { REPORT_FILE: run.outputs['report-file'] } };
    await post(github, context, core, createRequire(import.meta.url), fakeProcess);
    await post(github, context, core, createRequire(import.meta.url), fakeProcess);
    expect(calls).toEqual(['list #7', 'create #7', 'list #7', 'update 2']);
    expect(comments).toHaveLength(2);
    expect(comments[1]!.body).toBe(readFileSync(run.outputs['report-file']!, 'utf8'));
    expect(comments[1]!.body).toContain('## api-gateway (APIGateway)');
  });
});

describe('after every run above', () => {
  it('left the checkout as it was (reports go to the runner, not the workspace)', () => {
    expect(git(work, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    expect(git(work, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('feature');
  });
});
