import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { graphFromSources } from '../../model/index.js';
import { lint } from '../lint.js';
import { REPORTERS } from '../reporters/index.js';
import type { Rule } from '../rule.js';
import { RULES } from './index.js';

// Keeps the rule registry, the rule files, their tests and their docs in step (CONVENTIONS.md:
// "Tests over the repo itself keep the rule registry, the rule files and their docs in step").

const RULES_DIR = fileURLToPath(new URL('./', import.meta.url));
const DOCS_DIR = fileURLToPath(new URL('../../../docs/rules/', import.meta.url));
/** Files beside the rules that are not rules. */
const NOT_RULES = new Set(['index.ts', 'describe.ts']);

const ruleFiles = readdirSync(RULES_DIR)
  .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !NOT_RULES.has(name))
  .sort();
const ids = RULES.map((rule) => rule.id);

function page(id: string): string {
  return readFileSync(`${DOCS_DIR}${id}.md`, 'utf8');
}

/** The text of a `## ` section of a page, up to the next `## ` heading. */
function section(markdown: string, heading: string): string | undefined {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start === -1) return undefined;
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

function fenced(text: string, language: string): string | undefined {
  return new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(text)?.[1];
}

/** What `gitgate lint --format unix` prints for a directory holding only `example.yaml`. */
function lintExample(content: string): { output: string; exitCode: number; rules: string[] } {
  const { diagnostics, summary } = lint(graphFromSources([{ path: 'example.yaml', content }]));
  const output = REPORTERS.unix(diagnostics, { summary, rules: RULES, toolVersion: '0.0.0' });
  return { output, exitCode: summary.errors > 0 ? 1 : 0, rules: diagnostics.map((d) => d.rule) };
}

describe('rule registry', () => {
  it('registers every rule file, under the id of its file name', async () => {
    expect(ruleFiles.map((name) => name.slice(0, -'.ts'.length))).toEqual([...ids].sort());
    for (const name of ruleFiles) {
      const module = (await import(pathToFileURL(`${RULES_DIR}${name}`).href)) as { default?: Rule };
      expect(module.default, `${name} has a default export`).toBeDefined();
      expect(module.default!.id, name).toBe(name.slice(0, -'.ts'.length));
      expect(RULES, `${name} is in RULES`).toContain(module.default);
    }
  });

  it('is sorted by id, with unique ids', () => {
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has a page for every rule and no page for a rule that does not exist', () => {
    const pages = readdirSync(DOCS_DIR)
      .filter((name) => name.endsWith('.md') && name !== 'README.md')
      .map((name) => name.slice(0, -'.md'.length))
      .sort();
    expect(pages).toEqual([...ids].sort());
  });

  it('lists every rule in docs/rules/README.md with its default severity', () => {
    const index = readFileSync(`${DOCS_DIR}README.md`, 'utf8');
    for (const rule of RULES) {
      const row = index.split('\n').find((line) => line.startsWith('|') && line.includes(`](${rule.id}.md)`));
      expect(row, `a row linking ${rule.id}.md`).toBeDefined();
      expect(row!.split('|').map((cell) => cell.trim()), rule.id).toContain(rule.severity);
    }
  });
});

describe.each(RULES.map((rule) => [rule.id, rule] as const))('rule %s', (id, rule) => {
  it('has a test table beside it', () => {
    expect(existsSync(`${RULES_DIR}${id}.test.ts`), `src/analyzer/rules/${id}.test.ts`).toBe(true);
  });

  it('has non-empty message templates', () => {
    const templates = Object.entries(rule.messages);
    expect(templates.length).toBeGreaterThan(0);
    for (const [messageId, template] of templates) expect(template.trim(), messageId).not.toBe('');
  });

  it('has a one-line description under 140 characters', () => {
    expect(rule.description.trim()).not.toBe('');
    expect(rule.description).not.toMatch(/[\r\n]/);
    expect(rule.description.length).toBeLessThan(140);
  });

  it('has a page whose first heading names the rule and which gives its default severity', () => {
    const markdown = page(id);
    const heading = /^#{1,6} +(.+)$/m.exec(markdown)?.[1];
    expect(heading, 'first heading').toBeDefined();
    expect(heading!.replace(/`/g, '').split(/[^a-z0-9-]+/i), heading).toContain(id);
    const severityLine = markdown.split('\n').find((line) => /default severity/i.test(line));
    expect(severityLine, 'a line giving the default severity').toBeDefined();
    expect(severityLine).toMatch(new RegExp(`\\b${rule.severity}\\b`));
  });

  it('quotes every message template on its page', () => {
    const markdown = page(id);
    for (const [messageId, template] of Object.entries(rule.messages)) expect(markdown, messageId).toContain(template);
  });

  it("page's failing example prints what the page says", () => {
    const failing = section(page(id), 'Failing example');
    expect(failing, '## Failing example').toBeDefined();
    const example = fenced(failing!, 'yaml');
    const printed = fenced(failing!, 'text');
    expect(example, 'a yaml block').toBeDefined();
    expect(printed, 'a text block with the output').toBeDefined();
    const result = lintExample(example!);
    expect(result.rules).toContain(id);
    expect(result.output).toBe(printed);
    expect(failing).toContain(`exits with ${result.exitCode}`);
  });

  it("page's passing example lints clean", () => {
    const passing = section(page(id), 'Passing example');
    expect(passing, '## Passing example').toBeDefined();
    const example = fenced(passing!, 'yaml');
    expect(example, 'a yaml block').toBeDefined();
    const result = lintExample(example!);
    expect(result.rules).toEqual([]);
    const printed = fenced(passing!, 'text');
    if (printed !== undefined) expect(result.output).toBe(printed);
  });
});
