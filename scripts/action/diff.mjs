// @ts-check
// The diff half of the action: `gitgate diff --format markdown` over the pull request's range,
// and the same report made ready to post as a pull-request comment.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { truncate } from './workflow.mjs';

/** Hidden in the rendered comment; lets a workflow find the comment it posted before and edit it. */
export const COMMENT_MARKER = '<!-- gitgate-report -->';

/** GitHub refuses a comment body over 65,536 characters. */
const COMMENT_LIMIT = 65_536 - 512;

/** Room kept for the closing tags and fences a cut report needs. */
const CLOSERS_RESERVE = 1024;

/**
 * What closes the `<details>` blocks and code fences left open where a report was cut, so the
 * note after the cut is not folded away or shown as code.
 * @param {string} text
 */
function closers(text) {
  const fence = (text.match(/^```/gm)?.length ?? 0) % 2 === 1 ? '```\n' : '';
  const open = (text.match(/<details\b/g)?.length ?? 0) - (text.match(/<\/details>/g)?.length ?? 0);
  return fence + '</details>\n'.repeat(Math.max(0, Math.min(open, 50)));
}

/**
 * @typedef {import('./lint.mjs').Cli} Cli
 * @typedef {{ code: number, report: string, stderr: string }} DiffOutcome
 */

/**
 * Runs `gitgate diff` from the repository root; the report is what it prints.
 * @param {object} options
 * @param {Cli} options.cli
 * @param {string} options.prefix    the resources' folder relative to the repository root
 * @param {string[]} options.include
 * @param {string[]} options.exclude
 * @param {string[]} options.ruleFlags
 * @param {string[]} options.failOn  empty: the diff never exits 1
 * @param {string} options.usageUrl  '' for none
 * @param {string} options.range
 * @returns {DiffOutcome}
 */
export function runDiff(options) {
  const args = [
    'diff',
    '--path',
    options.prefix === '' ? '.' : options.prefix,
    ...options.include.flatMap((g) => ['--include', g]),
    ...options.exclude.flatMap((g) => ['--exclude', g]),
    // Every command accepts --rule flags (runCli takes them out first); the report's lint
    // findings follow them once `gitgate diff` applies them, which it does not do yet.
    ...options.ruleFlags,
    '--format',
    'markdown',
    // Always given, empty too: without it the CLI would apply its own default (lint-error).
    '--fail-on',
    options.failOn.join(','),
    ...(options.usageUrl !== '' ? ['--usage', options.usageUrl] : []),
    ...(options.range !== '' ? [options.range] : []),
  ];
  const run = options.cli(args);
  return { code: run.code, report: run.code === 2 ? '' : run.stdout, stderr: run.stderr };
}

/**
 * Writes the report as a comment body: the report, a link to the run, and the marker; cut (with
 * a pointer to the job summary, which holds all of it) when it is too long for a comment.
 * @param {string} file
 * @param {string} report
 * @param {string | undefined} runUrl
 */
export function writeComment(file, report, runUrl) {
  const where = runUrl === undefined ? 'the job summary' : `the job summary of [the workflow run](${runUrl})`;
  const footer = `\n${runUrl === undefined ? '' : `<sub>Reported by gitgate in [this workflow run](${runUrl}).</sub>\n`}${COMMENT_MARKER}\n`;
  const note = `\n_The report is too long for a comment and was cut here: the whole report is in ${where}._\n`;
  const text = report.trimEnd();
  let body = truncate(text, COMMENT_LIMIT - footer.length - CLOSERS_RESERVE, (s) => s.length, note);
  if (body !== text) {
    const cut = body.slice(0, body.length - note.length);
    body = `${cut}${closers(cut)}${note}`;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${body.trimEnd()}\n${footer}`);
}
