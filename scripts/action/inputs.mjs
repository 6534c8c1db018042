// @ts-check
// The action's inputs (action.yml), read once from the environment, checked, and resolved
// against the workspace, so later steps only see valid values.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { boolean, input, InputError, list } from './workflow.mjs';

/**
 * `gitgate diff --fail-on` conditions (issue 5); `none`, or an empty fail-on, never fails the job
 * on findings. Defaults below are action.yml's, for runs without the runner.
 */
export const FAIL_ON = ['lint-error', 'access-revoked', 'route-removed', 'rate-limit-decreased', 'api-removed'];

/** File extensions of the lint report formats, for the default lint report file. */
export const LINT_EXTENSIONS = { unix: 'txt', json: 'json', checkstyle: 'xml', sarif: 'sarif', github: 'txt', markdown: 'md' };

/**
 * @typedef {object} Inputs
 * @property {string} path          the resources' directory, absolute
 * @property {string[]} include     globs relative to `path`
 * @property {string[]} exclude
 * @property {boolean} lint
 * @property {keyof typeof LINT_EXTENSIONS | undefined} lintFormat  the lint report's format, when one is written
 * @property {string | undefined} lintOutputFile  absolute
 * @property {string[]} ruleFlags   `--rule.NAME=VALUE` flags from lint-disabled-rules
 * @property {boolean} diff
 * @property {string} diffRange     as given; empty means the default for the event
 * @property {string} diffOutputFile  absolute
 * @property {string[]} failOn
 * @property {string} usageUrl
 */

/**
 * @param {NodeJS.ProcessEnv} env
 * @param {string} workspace
 * @returns {Inputs}
 */
export function readInputs(env, workspace) {
  const temp = path.join(env.RUNNER_TEMP || os.tmpdir(), 'gitgate');
  const resolve = (/** @type {string} */ file) => path.resolve(workspace, file);

  const formatText = input(env, 'lint-format');
  const lintOutput = input(env, 'lint-output-file');
  if (formatText !== '' && !Object.hasOwn(LINT_EXTENSIONS, formatText)) {
    throw new InputError(`input lint-format must be one of ${Object.keys(LINT_EXTENSIONS).join(', ')}, not "${formatText}"`);
  }
  // A file without a format gets SARIF (what code scanning uploads); a format without a file
  // gets a file in the runner's temporary folder.
  const lintFormat = /** @type {keyof typeof LINT_EXTENSIONS | undefined} */ (formatText !== '' ? formatText : lintOutput !== '' ? 'sarif' : undefined);
  const lintOutputFile = lintOutput !== '' ? resolve(lintOutput) : lintFormat !== undefined ? path.join(temp, `lint.${LINT_EXTENSIONS[lintFormat]}`) : undefined;

  const failOn = list(input(env, 'fail-on', 'lint-error')).filter((item) => item !== 'none');
  const unknown = failOn.filter((item) => !FAIL_ON.includes(item));
  if (unknown.length > 0) throw new InputError(`input fail-on: unknown condition ${unknown.map((u) => `"${u}"`).join(', ')}: conditions are ${FAIL_ON.join(', ')} (or none)`);

  const diffRange = input(env, 'diff-range');
  if (diffRange.startsWith('-')) throw new InputError(`input diff-range must be a git range such as origin/main...HEAD, not "${diffRange}"`);
  const diffOutput = input(env, 'diff-output-file');

  return {
    path: resolve(input(env, 'path', '.') || '.'),
    include: list(input(env, 'include')),
    exclude: list(input(env, 'exclude')),
    lint: boolean('lint', input(env, 'lint', 'true') || 'true'),
    lintFormat,
    lintOutputFile,
    ruleFlags: list(input(env, 'lint-disabled-rules')).map(ruleFlag),
    diff: boolean('diff', input(env, 'diff', 'true') || 'true'),
    diffRange,
    diffOutputFile: diffOutput !== '' ? resolve(diffOutput) : path.join(temp, 'diff-report.md'),
    failOn,
    usageUrl: input(env, 'usage-url'),
  };
}

/**
 * `orphan` turns the rule off; `orphan=warning` (or `=error`, `=false`) sets it as
 * `--rule.orphan=warning` does. Unknown rules are refused by the CLI itself.
 * @param {string} item
 */
function ruleFlag(item) {
  const [name, value] = item.split('=', 2).map((part) => part.trim());
  if (name === undefined || !/^[a-z][a-z0-9-]*$/.test(name)) throw new InputError(`input lint-disabled-rules: "${item}" is not a rule id`);
  return `--rule.${name}=${value === undefined || value === '' ? 'false' : value}`;
}

/**
 * The event that started the workflow ($GITHUB_EVENT_PATH), or an empty object.
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ pull_request?: { number?: number, base?: { ref?: string, sha?: string } } }}
 */
export function readEvent(env) {
  const file = env.GITHUB_EVENT_PATH;
  if (file === undefined || file === '') return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}
