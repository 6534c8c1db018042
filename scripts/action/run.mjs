#!/usr/bin/env node
// @ts-check
// The GitHub Action's one step (action.yml): lint with annotations, diff into the job summary
// and a comment-ready file, outputs, and an exit status that follows `fail-on`.
// Exit status: 0 pass, 1 a fail-on condition occurred, 2 bad inputs or gitgate/git could not run.
// Runs with node alone (no npm packages) besides the action's own build in dist/.
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDiff, writeComment } from './diff.mjs';
import { readEvent, readInputs } from './inputs.mjs';
import { loadAnalyzer, runLint } from './lint.mjs';
import { changedFiles, defaultRange, rangeProblem, repositoryRoot } from './repository.mjs';
import { annotate, appendSummary, InputError, printInert, runUrl, setOutputs } from './workflow.mjs';

const env = process.env;
const actionPath = env.GITHUB_ACTION_PATH || fileURLToPath(new URL('../..', import.meta.url));
const workspace = env.GITHUB_WORKSPACE || process.cwd();

/** Every output is written on every run, empty when it does not apply. */
const outputs = {
  'lint-exit-code': '',
  'lint-errors': '',
  'lint-warnings': '',
  'lint-report-file': '',
  'diff-exit-code': '',
  'diff-range': '',
  'report-file': '',
  failed: 'false',
};

/** @typedef {{ code: 1 | 2, message: string }} Problem */

/** @returns {Promise<number>} the exit status */
async function main() {
  let inputs;
  try {
    inputs = readInputs(env, workspace);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    annotate('error', error.message);
    return 2;
  }
  if (!statSync(inputs.path, { throwIfNoEntry: false })?.isDirectory()) {
    annotate('error', `input path: ${path.relative(workspace, inputs.path) || '.'} is not a directory in the workspace`);
    return 2;
  }
  const dir = realpathSync(inputs.path);
  const inRepository = repositoryRoot(dir);
  const root = inRepository ?? realpathSync(workspace);
  // The resources' folder as the runner and `gitgate diff --path` name it: from the repository root.
  const prefix = path.relative(root, dir).split(path.sep).join('/');
  if (prefix.startsWith('..')) annotate('warning', `input path ${inputs.path} is outside the repository ${root}: annotations will not point at files`);

  /** @type {import('./lint.mjs').Cli} */
  const cli = (args) => {
    const run = spawnSync(process.execPath, [path.join(actionPath, 'bin', 'gitgate'), ...args], { cwd: root, env, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    if (run.error !== undefined) return { code: 2, stdout: '', stderr: `gitgate could not be started: ${run.error.message}\n` };
    return { code: run.status ?? 2, stdout: run.stdout, stderr: run.stderr };
  };
  const range = inputs.diffRange !== '' ? inputs.diffRange : defaultRange(env, readEvent(env));
  /** @type {Problem[]} */
  const problems = [];
  /** @type {string[]} */
  const summary = [];

  if (inputs.lint) {
    let analyzer;
    try {
      analyzer = await loadAnalyzer(actionPath);
    } catch (error) {
      annotate('error', `gitgate is not built in ${actionPath} (run scripts/ensure-built.sh there): ${/** @type {Error} */ (error).message}`);
      return 2;
    }
    if (inputs.lintFormat !== undefined && analyzer.REPORTERS[inputs.lintFormat] === undefined) {
      annotate('error', `input lint-format: this gitgate has no ${inputs.lintFormat} format`);
      return 2;
    }
    const lint = runLint({
      cli,
      analyzer,
      toolVersion: JSON.parse(readFileSync(path.join(actionPath, 'package.json'), 'utf8')).version ?? '0.0.0',
      dir,
      prefix,
      include: inputs.include,
      exclude: inputs.exclude,
      ruleFlags: inputs.ruleFlags,
      changed: changedFiles(root, range),
      format: inputs.lintFormat,
      outputFile: inputs.lintOutputFile,
    });
    printInert(lint.stderr);
    outputs['lint-exit-code'] = String(lint.code);
    outputs['lint-report-file'] = lint.reportFile ?? '';
    if (lint.summary !== undefined) {
      const { errors, warnings, files, resources } = lint.summary;
      outputs['lint-errors'] = String(errors);
      outputs['lint-warnings'] = String(warnings);
      console.log(`gitgate lint: ${errors} error(s), ${warnings} warning(s) in ${files} file(s), ${resources} resource(s) below ${prefix || '.'}`);
    }
    if (lint.code === 2) problems.push({ code: 2, message: 'gitgate lint could not read the resources (see the log)' });
    if (lint.code === 1 && inputs.failOn.includes('lint-error')) problems.push({ code: 1, message: `gitgate lint found ${lint.summary?.errors ?? 'some'} error(s), and fail-on includes lint-error` });
    // Without the diff, or with errors (which the diff shows only when the change made them),
    // the summary shows every finding.
    if (lint.markdown !== undefined && (!inputs.diff || lint.code !== 0)) summary.push(lint.markdown);
  }

  if (inputs.diff) {
    outputs['diff-range'] = range;
    const problem = inRepository === undefined ? `${inputs.path} is not in a git repository` : rangeProblem(root, range);
    let usageUrl = inputs.usageUrl;
    if (usageUrl !== '' && !env.GITGATE_ADMIN_TOKEN) {
      annotate('warning', 'usage-url is set but GITGATE_ADMIN_TOKEN is empty (pull requests from forks get no secrets): the report lists no consumers');
      usageUrl = '';
    }
    if (problem !== undefined) {
      outputs['diff-exit-code'] = '2';
      problems.push({ code: 2, message: `gitgate diff ${range}: ${problem}` });
      summary.unshift(`**gitgate diff** could not run: ${problem}\n`);
    } else {
      // gitgate diff lints both sides with the default rule settings (it takes no --rule flags):
      // with rules turned off, lint-error is left to the lint step, which honours them.
      const failOn = inputs.lint && inputs.ruleFlags.length > 0 ? inputs.failOn.filter((c) => c !== 'lint-error') : inputs.failOn;
      const diff = runDiff({ cli, prefix, include: inputs.include, exclude: inputs.exclude, ruleFlags: inputs.ruleFlags, failOn, usageUrl, range });
      printInert(diff.stderr);
      outputs['diff-exit-code'] = String(diff.code);
      if (diff.code === 2) {
        problems.push({ code: 2, message: `gitgate diff ${range} failed (exit 2, see the log)` });
        summary.unshift(`**gitgate diff** failed on \`${range}\`: see the log of this step.\n`);
      } else {
        // The report goes to the summary and the comment file, never to the log: it holds
        // names from the pull request, which must not be read as workflow commands.
        summary.unshift(diff.report);
        writeComment(inputs.diffOutputFile, diff.report, runUrl(env));
        outputs['report-file'] = inputs.diffOutputFile;
        console.log(`gitgate diff ${range}: report in the job summary and in ${inputs.diffOutputFile}`);
        if (diff.code === 1 && failOn.length > 0) problems.push({ code: 1, message: `gitgate diff ${range}: the change does what fail-on (${failOn.join(', ')}) forbids: see the report` });
      }
    }
  }

  if (!inputs.lint && !inputs.diff) annotate('warning', 'inputs lint and diff are both false: gitgate did nothing');
  if (summary.length > 0) appendSummary(env, summary.join('\n'));
  for (const problem of problems) annotate('error', problem.message);
  return problems.length === 0 ? 0 : Math.max(...problems.map((p) => p.code));
}

// Outputs are written however the run ends, and the exit code is set rather than forced with
// process.exit, which can cut standard output short when it is a pipe.
let code = 2;
try {
  code = await main();
} finally {
  outputs.failed = code === 0 ? 'false' : 'true';
  setOutputs(env, outputs);
  process.exitCode = code;
}
