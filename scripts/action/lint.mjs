// @ts-check
// The lint half of the action. `gitgate lint` names files relative to its --path, while the
// runner places annotations by path from the repository root; the CLI has no option to prefix
// them, so lint runs once with --format json, the paths get the folder's prefix, and the
// package's own reporters (the same code `--format` uses) render the annotations and the
// lint report from that. Every format comes out exactly as the CLI prints it, with paths that
// point into the repository.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * @typedef {{ rule: string, severity: 'error' | 'warning', message: string, file: string, line: number, column: number, resource?: object, field?: string }} Diagnostic
 * @typedef {{ files: number, resources: number, errors: number, warnings: number }} Summary
 * @typedef {(diagnostics: readonly Diagnostic[], context: { summary: Summary, rules: readonly unknown[], toolVersion: string }) => string} Reporter
 * @typedef {{ REPORTERS: Record<string, Reporter>, RULES: readonly unknown[] }} Analyzer
 * @typedef {(args: string[]) => { code: number, stdout: string, stderr: string }} Cli
 */

/**
 * The analyzer module of the action's own build (dist/, made by scripts/ensure-built.sh).
 * @param {string} actionPath
 * @returns {Promise<Analyzer>}
 */
export async function loadAnalyzer(actionPath) {
  return import(pathToFileURL(path.join(actionPath, 'dist', 'src', 'analyzer', 'index.js')).href);
}

/**
 * `file` as seen from the repository root, for a file named relative to the lint folder.
 * @param {string} prefix  the lint folder relative to the repository root, `/`-separated, '' for the root
 * @param {string} file
 */
export function prefixed(prefix, file) {
  return prefix === '' ? file : `${prefix}/${file}`;
}

/**
 * Diagnostics in changed files first, each group in its original order. The runner shows at
 * most 10 error and 10 warning annotations per step, so the ones a pull request touches must
 * come first to be seen.
 * @param {readonly Diagnostic[]} diagnostics
 * @param {ReadonlySet<string>} changed
 */
export function forAnnotations(diagnostics, changed) {
  return [...diagnostics.filter((d) => changed.has(d.file)), ...diagnostics.filter((d) => !changed.has(d.file))];
}

/**
 * @typedef {object} LintOutcome
 * @property {number} code        the CLI's exit status: 0 no error, 1 errors, 2 usage or read error
 * @property {Summary | undefined} summary
 * @property {string} stderr
 * @property {string | undefined} markdown  the lint report as markdown (paths from the root)
 * @property {string | undefined} reportFile  the lint report written, if one was asked for
 */

/**
 * Runs `gitgate lint`, prints one annotation per diagnostic, writes the lint report.
 * @param {object} options
 * @param {Cli} options.cli
 * @param {Analyzer} options.analyzer
 * @param {string} options.toolVersion
 * @param {string} options.dir       the folder to lint, absolute
 * @param {string} options.prefix    that folder relative to the repository root
 * @param {string[]} options.include
 * @param {string[]} options.exclude
 * @param {string[]} options.ruleFlags
 * @param {ReadonlySet<string>} options.changed  files the pull request changes, from the root
 * @param {string | undefined} options.format
 * @param {string | undefined} options.outputFile
 * @returns {LintOutcome}
 */
export function runLint(options) {
  const { cli, analyzer } = options;
  const args = ['lint', '--path', options.dir, ...options.include.flatMap((g) => ['--include', g]), ...options.exclude.flatMap((g) => ['--exclude', g]), ...options.ruleFlags, '--format', 'json'];
  const run = cli(args);
  /** @type {{ diagnostics: Diagnostic[], summary: Summary } | undefined} */
  let report;
  try {
    report = run.code === 2 ? undefined : JSON.parse(run.stdout);
  } catch {
    report = undefined;
  }
  if (report === undefined) {
    return { code: 2, summary: undefined, stderr: run.stderr || `gitgate lint printed no report (exit ${run.code})\n`, markdown: undefined, reportFile: undefined };
  }
  const diagnostics = report.diagnostics.map((d) => ({ ...d, file: prefixed(options.prefix, d.file) }));
  const context = { summary: report.summary, rules: analyzer.RULES, toolVersion: options.toolVersion };
  const render = (/** @type {string} */ format, /** @type {readonly Diagnostic[]} */ list) => {
    const reporter = analyzer.REPORTERS[format];
    if (reporter === undefined) throw new Error(`the analyzer has no ${format} reporter`);
    return reporter(list, context);
  };

  process.stdout.write(render('github', forAnnotations(diagnostics, options.changed)));

  let reportFile;
  if (options.format !== undefined && options.outputFile !== undefined) {
    mkdirSync(path.dirname(options.outputFile), { recursive: true });
    writeFileSync(options.outputFile, render(options.format, diagnostics));
    reportFile = options.outputFile;
  }
  return { code: run.code, summary: report.summary, stderr: run.stderr, markdown: render('markdown', diagnostics), reportFile };
}
