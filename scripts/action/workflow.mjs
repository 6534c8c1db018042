// @ts-check
// The runner's side of a step: inputs from INPUT_* variables, outputs and the job summary through
// the files the runner names ($GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY), and workflow commands on
// standard output. Outside a runner (no such variables) outputs and summary are skipped.
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';

/**
 * The value of input `name`, trimmed, or `fallback` when the variable is absent (the script
 * run by hand; the runner always sets it, to action.yml's default when the workflow gives
 * none). action.yml maps each input to `INPUT_<NAME>` with dashes as underscores (bash cannot
 * name `INPUT_LINT-FORMAT`); the dashed spelling that JavaScript actions receive is read too.
 * @param {NodeJS.ProcessEnv} env
 * @param {string} name
 * @param {string} [fallback]
 */
export function input(env, name, fallback = '') {
  const upper = name.toUpperCase().replace(/ /g, '_');
  return (env[`INPUT_${upper.replace(/-/g, '_')}`] ?? env[`INPUT_${upper}`] ?? fallback).trim();
}

/**
 * A comma- or newline-separated list (`a, b` or one per line). Commas inside braces stay, so a
 * glob such as `apps/{crm,billing}/**` is one item.
 * @param {string} text
 * @returns {string[]}
 */
export function list(text) {
  const items = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    if ((c === ',' && depth === 0) || c === '\n' || c === '\r') {
      items.push(current);
      current = '';
    } else current += c;
  }
  items.push(current);
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

/**
 * @param {string} name
 * @param {string} text
 */
export function boolean(name, text) {
  if (/^(true|yes|on|1)$/i.test(text)) return true;
  if (/^(false|no|off|0)$/i.test(text)) return false;
  throw new InputError(`input ${name} must be true or false, not "${text}"`);
}

/** A workflow input the action cannot use: reported as an error annotation, exit 2. */
export class InputError extends Error {}

// The escaping of @actions/core's command.ts: the runner decodes exactly these sequences.
/** @param {string} text */
export function escapeData(text) {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** @param {string} text */
export function escapeProperty(text) {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * A workflow command such as `::error title=gitgate::message`.
 * @param {'error' | 'warning' | 'notice'} level
 * @param {string} message
 */
export function annotate(level, message) {
  process.stdout.write(`::${level} title=${escapeProperty('gitgate')}::${escapeData(message)}\n`);
}

/**
 * Prints text that may hold anything a pull request put in it (file or resource names) between
 * `::stop-commands::` and its token, so no line of it is taken for a workflow command.
 * @param {string} text
 */
export function printInert(text) {
  if (text === '') return;
  const token = `gitgate-${randomUUID()}`;
  process.stdout.write(`::stop-commands::${token}\n${text}${text.endsWith('\n') ? '' : '\n'}::${token}::\n`);
}

/**
 * Appends `name=value` to $GITHUB_OUTPUT (the delimited form when the value spans lines).
 * @param {NodeJS.ProcessEnv} env
 * @param {Readonly<Record<string, string>>} outputs
 */
export function setOutputs(env, outputs) {
  const file = env.GITHUB_OUTPUT;
  if (file === undefined || file === '') return;
  let text = '';
  for (const [name, value] of Object.entries(outputs)) {
    if (!/[\r\n]/.test(value)) text += `${name}=${value}\n`;
    else {
      const delimiter = `ghadelimiter_${randomUUID()}`;
      text += `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    }
  }
  appendFileSync(file, text);
}

/** The runner refuses a step summary over 1 MiB (and shows none of it). */
const SUMMARY_LIMIT_BYTES = 1024 * 1024 - 1024;

/**
 * Appends markdown to the job summary, cut at a line when it would exceed the runner's limit.
 * @param {NodeJS.ProcessEnv} env
 * @param {string} markdown
 */
export function appendSummary(env, markdown) {
  const file = env.GITHUB_STEP_SUMMARY;
  if (file === undefined || file === '') return;
  appendFileSync(file, `${truncate(markdown, SUMMARY_LIMIT_BYTES, (s) => Buffer.byteLength(s), '\n\n_The report was cut here: it exceeds the job summary limit of 1 MiB._\n')}\n`);
}

/**
 * `text` when `measure(text) <= limit`, else its longest prefix ending at a line break that
 * fits together with `note`, followed by `note`.
 * @param {string} text
 * @param {number} limit
 * @param {(s: string) => number} measure
 * @param {string} note
 */
export function truncate(text, limit, measure, note) {
  if (measure(text) <= limit) return text;
  const lines = text.split('\n');
  let kept = '';
  for (const line of lines) {
    const next = `${kept}${line}\n`;
    if (measure(next) + measure(note) > limit) break;
    kept = next;
  }
  return `${kept}${note}`;
}

/**
 * The link to this workflow run, when the runner says where it is.
 * @param {NodeJS.ProcessEnv} env
 */
export function runUrl(env) {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: run } = env;
  return server && repository && run ? `${server}/${repository}/actions/runs/${run}` : undefined;
}
