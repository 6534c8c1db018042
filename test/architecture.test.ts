import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The import direction of DESIGN.md ("Modules ... and which way imports point") and
// CONVENTIONS.md ("each module has an index.ts that is its only door"). Imports are read with
// TypeScript's own pre-processor, so static imports, `export ... from`, `import type`,
// side-effect imports and dynamic `import('...')` are all seen, and comments and strings are not.

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const ALL = '*';
/** Which modules each module may import (besides itself). */
const ALLOWED: Readonly<Record<string, readonly string[] | typeof ALL>> = {
  model: [],
  policy: ['model'],
  analyzer: ['model', 'policy'],
  gateway: ['policy', 'identity', 'telemetry'],
  identity: ['store'],
  store: [],
  control: ALL,
  portal: ['model', 'policy', 'identity', 'store'],
  telemetry: [],
  cli: ALL,
};

interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly problem: string;
}

/** The module a path under `src/` belongs to (`src/model/schema/x.ts` → `model`). */
function moduleOf(file: string): string | undefined {
  const parts = file.split('/');
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined;
}

function specifiersOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

const isTest = (file: string): boolean => /\.test\.ts$/.test(file);

/** Checks files given as repository-relative paths (forward slashes) with their source text. */
function checkImports(files: Readonly<Record<string, string>>): Violation[] {
  const violations: Violation[] = [];
  for (const [file, text] of Object.entries(files)) {
    const from = moduleOf(file);
    const report = (specifier: string, problem: string) => violations.push({ file, specifier, problem });
    if (from === undefined) {
      report('', 'is not inside a module folder (src/<module>/...)');
      continue;
    }
    const allowed = ALLOWED[from];
    if (allowed === undefined) {
      report('', `is in module "${from}", which DESIGN.md's module table does not list`);
      continue;
    }
    for (const specifier of specifiersOf(text)) {
      if (!specifier.startsWith('.') && !specifier.startsWith('/')) continue; // a package
      if (specifier.startsWith('/')) {
        report(specifier, 'imports by absolute path');
        continue;
      }
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      if (!target.startsWith('src/')) {
        // Tests beside the code may use the shared helpers in test/; the product may not.
        if (!(isTest(file) && target.startsWith('test/'))) report(specifier, 'imports from outside src/');
        continue;
      }
      const to = moduleOf(target);
      if (to === undefined) {
        report(specifier, 'imports a file that is in no module folder');
        continue;
      }
      if (to === from) continue;
      if (allowed !== ALL && !allowed.includes(to)) {
        report(specifier, `module "${from}" may not import module "${to}" (allowed: ${allowed.length === 0 ? 'none' : allowed.join(', ')})`);
        continue;
      }
      if (target !== `src/${to}/index.js` && target !== `src/${to}/index.ts`) {
        report(specifier, `imports an internal file of module "${to}": go through src/${to}/index.ts`);
      }
    }
  }
  return violations;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const child = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(child));
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(child);
  }
  return out;
}

describe('import direction', () => {
  it('every import in src/ points the way DESIGN.md allows, through the module index', () => {
    const files = Object.fromEntries(sourceFiles('src').map((file) => [file, readFileSync(path.join(ROOT, file), 'utf8')]));
    expect(Object.keys(files).length).toBeGreaterThan(20);
    const violations = checkImports(files).map((v) => `${v.file}: ${v.specifier ? `'${v.specifier}' ` : ''}${v.problem}`);
    expect(violations).toEqual([]);
  });

  it('every module folder in src/ has an index.ts', () => {
    const modules = readdirSync(path.join(ROOT, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(modules).toContain('model');
    for (const module of modules) {
      expect(ALLOWED, `module "${module}" is not in DESIGN.md's table`).toHaveProperty(module);
      expect(readdirSync(path.join(ROOT, 'src', module)), `src/${module}/index.ts`).toContain('index.ts');
    }
  });
});

describe('the import checker itself', () => {
  const problems = (files: Record<string, string>) => checkImports(files).map((v) => `${v.file} ${v.specifier}: ${v.problem}`);

  it('catches an import against the direction', () => {
    expect(problems({ 'src/model/graph.ts': "import { lint } from '../analyzer/index.js';\n" })).toEqual([
      `src/model/graph.ts ../analyzer/index.js: module "model" may not import module "analyzer" (allowed: none)`,
    ]);
    expect(problems({ 'src/gateway/server.ts': "import type { ResourceGraph } from '../model/index.js';\n" })).toEqual([
      `src/gateway/server.ts ../model/index.js: module "gateway" may not import module "model" (allowed: policy, identity, telemetry)`,
    ]);
    expect(problems({ 'src/store/db.ts': "import { KeyIndex } from '../identity/index.js';\n" })).toHaveLength(1);
  });

  it('catches an import of another module\'s internal file', () => {
    expect(problems({ 'src/analyzer/rules/orphan.ts': "import { ResourceGraph } from '../../model/graph.js';\n" })).toEqual([
      `src/analyzer/rules/orphan.ts ../../model/graph.js: imports an internal file of module "model": go through src/model/index.ts`,
    ]);
    expect(problems({ 'src/analyzer/lint.ts': "import { ResourceGraph } from '../model/graph.js';\n" })).toHaveLength(1);
    expect(problems({ 'src/cli/commands/lint.ts': "import { x } from '../../model/schema/decode.js';\n" })).toHaveLength(1);
    expect(problems({ 'src/analyzer/lint.ts': "import { x } from '../model';\n" })).toHaveLength(1);
  });

  it('accepts imports through the index, inside a module, and of packages', () => {
    expect(
      problems({
        'src/analyzer/rules/orphan.ts': "import { defineRule } from '../rule.js';\nimport type { ResourceGraph } from '../../model/index.js';\n",
        'src/analyzer/lint.ts': "import { x } from '../policy/index.js';\nimport { parse } from 'yaml';\nimport { readFile } from 'node:fs/promises';\n",
        'src/model/schema/hub.ts': "import { parseDuration } from '../duration.js';\n",
        'src/cli/program.ts': "import { RULES } from '../analyzer/index.js';\nimport { g } from '../gateway/index.js';\n",
        'src/gateway/server.ts': "import type { RuntimeConfig } from '../policy/index.js';\nimport { t } from '../telemetry/index.js';\n",
        'src/model/selector.test.ts': "import { ruleTable } from '../../test/helpers/rule-tester.js';\n",
      }),
    ).toEqual([]);
  });

  it('sees every form of import: dynamic, re-export, side effect, type-only, multi-line', () => {
    const forms = [
      "const cli = await import('../cli/index.js');",
      "export { lint } from '../analyzer/index.js';",
      "export * from '../analyzer/index.js';",
      "import '../analyzer/index.js';",
      "import type { Rule } from '../analyzer/index.js';",
      "import {\n  lint,\n  RULES,\n} from '../analyzer/index.js';",
      "export type { Rule } from '../analyzer/index.js';",
    ];
    for (const form of forms) expect(problems({ 'src/model/x.ts': `${form}\n` }), form).toHaveLength(1);
  });

  it('is not fooled by imports in comments or strings', () => {
    const text = "// import { lint } from '../analyzer/index.js';\n/* import('../cli/index.js') */\nconst s = \"import x from '../cli/index.js'\";\n";
    expect(problems({ 'src/model/x.ts': text })).toEqual([]);
  });

  it('refuses files outside module folders, unknown modules, and product code importing tests', () => {
    expect(problems({ 'src/main.ts': '' })).toEqual(['src/main.ts : is not inside a module folder (src/<module>/...)']);
    expect(problems({ 'src/misc/x.ts': '' })).toEqual([`src/misc/x.ts : is in module "misc", which DESIGN.md's module table does not list`]);
    expect(problems({ 'src/model/x.ts': "import { yaml } from '../../test/helpers/rule-tester.js';\n" })).toEqual([
      'src/model/x.ts ../../test/helpers/rule-tester.js: imports from outside src/',
    ]);
  });
});
