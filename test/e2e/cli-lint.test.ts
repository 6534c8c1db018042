import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORTERS, RULES } from '../../src/analyzer/index.js';
import { runCli, type CliIO } from '../../src/cli/index.js';

// `gitgate lint` pinned by scenarios (Spectral-style): files on disk, a command, what it prints
// and its exit status. In-process through runCli for speed; a few through the built binary.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin/gitgate');
const MAIN = path.join(ROOT, 'dist/src/cli/main.js');

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function gitgate(...args: string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

function binary(...args: string[]): Result {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 20_000 });
  return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

interface JsonReport {
  diagnostics: {
    rule: string;
    severity: string;
    message: string;
    file: string;
    line: number;
    column: number;
    resource?: { kind: string; namespace?: string; name: string };
    field?: string;
  }[];
  summary: { files: number; resources: number; errors: number; warnings: number };
}

async function lintJson(...args: string[]): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const result = await gitgate('lint', '--format', 'json', ...args);
  expect(result.stderr).toBe('');
  return { code: result.code, report: JSON.parse(result.stdout) as JsonReport, stderr: result.stderr };
}

/** Diagnostics as `file:line:column rule severity`, the part these scenarios pin. */
function brief(report: JsonReport): string[] {
  return report.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.rule} ${d.severity}`);
}

function oneLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  expect(lines, text).toHaveLength(1);
  return lines[0]!;
}

let scratch = '';

async function tree(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(path.join(scratch, 'case-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

beforeAll(async () => {
  if (!existsSync(MAIN)) {
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
  }
  scratch = await mkdtemp(path.join(os.tmpdir(), 'gitgate-cli-'));
}, 120_000);

afterAll(async () => {
  if (scratch !== '') await rm(scratch, { recursive: true, force: true });
});

// An API reachable by no gateway and an access listed by none: two `orphan` warnings, no error.
const ORPHANS = `apiVersion: v1
kind: Service
metadata: { name: app, namespace: apps }
spec: { ports: [{ port: 80 }] }
---
apiVersion: hub.traefik.io/v1alpha1
kind: API
metadata: { name: customers, namespace: apps, labels: { area: crm } }
spec:
  pathPrefix: /customers
  service: { name: app, port: { number: 80 } }
---
apiVersion: hub.traefik.io/v1alpha1
kind: APIAccess
metadata: { name: crm }
spec:
  groups: [crm]
  apiSelector: { matchLabels: { area: crm } }
`;

// A complete, clean setup: a gateway lists the access that grants the API.
const CLEAN = `${ORPHANS}---
apiVersion: hub.traefik.io/v1alpha1
kind: APIGateway
metadata: { name: gateway }
spec:
  apiAccesses: [crm]
`;

// One broken reference (an error) at 5:20, and the API is exposed by no gateway (a warning at 3:19).
const BROKEN_REFERENCE = `apiVersion: hub.traefik.io/v1alpha1
kind: API
metadata: { name: orders, namespace: apps }
spec:
  service: { name: missing, port: { number: 80 } }
  pathPrefix: /orders
`;

const DUPLICATE_KEY = 'apiVersion: v1\nkind: ConfigMap\nkind: Secret\n';

describe('gitgate lint --help', () => {
  it('exits 0 and lists every rule with its default severity and description', async () => {
    const result = await gitgate('lint', '--help');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    for (const rule of RULES) {
      expect(result.stdout).toMatch(new RegExp(`^\\s+${rule.id}\\s+${rule.severity}\\s+${escape(rule.description.slice(0, 30))}`, 'm'));
    }
    for (const flag of ['--path', '--include', '--exclude', '--format', '--output', '--rule.NAME']) expect(result.stdout).toContain(flag);
    for (const format of Object.keys(REPORTERS)) expect(result.stdout).toContain(format);
  });

  it('the top-level help exits 0 and names the lint command', async () => {
    const result = await gitgate('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\s+lint\b/m);
  });

  it('the built binary prints the same help', () => {
    const result = binary('lint', '--help');
    expect(result.code).toBe(0);
    for (const rule of RULES) expect(result.stdout).toContain(rule.id);
  });
});

describe('usage errors exit 2', () => {
  it('an unknown flag', async () => {
    const dir = await tree({ 'a.yaml': CLEAN });
    const result = await gitgate('lint', '--path', dir, '--bogus');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--bogus');
  });

  it('an unknown format', async () => {
    const dir = await tree({ 'a.yaml': CLEAN });
    const result = await gitgate('lint', '--path', dir, '--format', 'yamlish');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('yamlish');
  });

  it('an unknown rule name: one line naming it', async () => {
    const dir = await tree({ 'a.yaml': CLEAN });
    const result = await gitgate('lint', '--path', dir, '--rule.no-such-rule=false');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(oneLine(result.stderr)).toContain('no-such-rule');
  });

  it('a rule value that is not false, warning or error: one line', async () => {
    const dir = await tree({ 'a.yaml': CLEAN });
    const result = await gitgate('lint', '--path', dir, '--rule.orphan=maybe');
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toMatch(/orphan.*maybe/);
  });

  it('a missing --path: one line naming it', async () => {
    const missing = path.join(scratch, 'does-not-exist');
    const result = await gitgate('lint', '--path', missing);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(oneLine(result.stderr)).toContain(missing);
  });

  it('a --path that is a file: one line naming it', async () => {
    const dir = await tree({ 'a.yaml': CLEAN });
    const file = path.join(dir, 'a.yaml');
    const result = await gitgate('lint', '--path', file);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toContain(file);
  });

  it('the built binary: a missing --path is one line on stderr, exit 2, no stack trace', () => {
    const missing = path.join(os.tmpdir(), 'gitgate-no-such-dir-for-the-cli-test');
    const result = binary('lint', '--path', missing);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(oneLine(result.stderr)).toContain(missing);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('exit status', () => {
  it('0 for a clean repository', async () => {
    const dir = await tree({ 'a.yaml': CLEAN });
    const { code, report } = await lintJson('--path', dir);
    expect(report.diagnostics).toEqual([]);
    expect(report.summary).toEqual({ files: 1, resources: 4, errors: 0, warnings: 0 });
    expect(code).toBe(0);
  });

  it('0 with warnings only', async () => {
    const dir = await tree({ 'a.yaml': ORPHANS });
    const { code, report } = await lintJson('--path', dir);
    expect(brief(report)).toEqual(['a.yaml:8:19 orphan warning', 'a.yaml:15:19 orphan warning']);
    expect(code).toBe(0);
  });

  it('1 with an error', async () => {
    const dir = await tree({ 'a.yaml': CLEAN, 'b.yaml': BROKEN_REFERENCE });
    const result = await gitgate('lint', '--path', dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'b.yaml:5:20: error: resource apps/missing (Service) not found on field "service.name" in resource apps/orders (API) [reference]',
    );
  });
});

describe('--rule.NAME', () => {
  it('=false turns a rule off, and only that rule', async () => {
    const dir = await tree({ 'a.yaml': ORPHANS, 'b.yaml': BROKEN_REFERENCE });
    const on = await lintJson('--path', dir);
    expect(on.report.diagnostics.map((d) => d.rule)).toContain('orphan');
    const off = await lintJson('--path', dir, '--rule.orphan=false');
    expect(off.report.diagnostics.map((d) => d.rule)).not.toContain('orphan');
    expect(off.report.diagnostics.map((d) => d.rule)).toContain('reference');
    expect(off.report.summary.warnings).toBe(0);
    expect(off.code).toBe(1);
  });

  it('accepts the value as the next argument too', async () => {
    const dir = await tree({ 'a.yaml': ORPHANS });
    const { report } = await lintJson('--path', dir, '--rule.orphan', 'false');
    expect(report.diagnostics).toEqual([]);
  });

  it('=error makes a warning fail the run with exit 1', async () => {
    const dir = await tree({ 'a.yaml': ORPHANS });
    const { code, report } = await lintJson('--path', dir, '--rule.orphan=error');
    expect(brief(report)).toEqual(['a.yaml:8:19 orphan error', 'a.yaml:15:19 orphan error']);
    expect(report.summary).toMatchObject({ errors: 2, warnings: 0 });
    expect(code).toBe(1);
  });

  it('=warning makes an error pass with exit 0', async () => {
    const dir = await tree({ 'a.yaml': CLEAN, 'b.yaml': BROKEN_REFERENCE });
    const { code, report } = await lintJson('--path', dir, '--rule.reference=warning');
    expect(brief(report)).toEqual(['b.yaml:3:19 orphan warning', 'b.yaml:5:20 reference warning']);
    expect(code).toBe(0);
  });

  for (const value of ['false', 'warning']) {
    it(`--rule.parse=${value} does not hide parse errors: refused (exit 2) or still an error (exit 1)`, async () => {
      const dir = await tree({ 'a.yaml': CLEAN, 'dup.yaml': DUPLICATE_KEY });
      const result = await gitgate('lint', '--path', dir, '--format', 'json', `--rule.parse=${value}`);
      if (result.code === 2) {
        expect(oneLine(result.stderr)).toContain('parse');
        expect(result.stdout).toBe('');
        return;
      }
      expect(result.code).toBe(1);
      expect(brief(JSON.parse(result.stdout) as JsonReport)).toEqual(['dup.yaml:3:1 parse error']);
    });
  }

  it('the built binary applies --rule flags the same way', () => {
    // One scenario end to end, so the argument handling of bin/gitgate and main.ts is covered.
    return tree({ 'a.yaml': ORPHANS }).then((dir) => {
      const result = binary('lint', '--path', dir, '--rule.orphan=error');
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('a.yaml:8:19: error:');
      expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('1 file, 3 resources: 2 errors, 0 warnings');
    });
  });
});

describe('which files are read', () => {
  const BAD = 'apiVersion: hub.traefik.io/v1alpha1\nkind: API\nmetadata: { name: Bad_Name, namespace: apps }\nspec: { pathPrefix: /x, currentVersion: v1 }\n';

  it('every .yaml and .yml below --path, in a stable order', async () => {
    const dir = await tree({ 'z.yml': BAD, 'a/b/c.yaml': BAD, 'a/readme.md': BAD, 'a/x.YAML': BAD, 'a/notes.txt': 'not yaml: [' });
    const { report } = await lintJson('--path', dir, '--rule.reference=false', '--rule.orphan=false');
    expect([...new Set(report.diagnostics.map((d) => d.file))]).toEqual(['a/b/c.yaml', 'a/x.YAML', 'z.yml']);
    expect(report.summary.files).toBe(3);
  });

  it('.git and node_modules are skipped at any depth; .github is not', async () => {
    const dir = await tree({
      'ok.yaml': CLEAN,
      '.git/config.yaml': DUPLICATE_KEY,
      'node_modules/pkg/bad.yaml': DUPLICATE_KEY,
      'sub/node_modules/pkg/bad.yaml': DUPLICATE_KEY,
      'sub/.git/bad.yml': DUPLICATE_KEY,
      '.github/workflows/ci.yaml': DUPLICATE_KEY,
    });
    const { report } = await lintJson('--path', dir);
    expect(brief(report)).toEqual(['.github/workflows/ci.yaml:3:1 parse error']);
    expect(report.summary.files).toBe(2);
  });

  it('--include globs are relative to --path', async () => {
    const dir = await tree({ 'apps/a.yaml': DUPLICATE_KEY, 'apps/deep/b.yaml': DUPLICATE_KEY, 'other/c.yaml': DUPLICATE_KEY, 'top.yaml': DUPLICATE_KEY });
    const { report } = await lintJson('--path', dir, '--include', 'apps/**');
    expect(report.diagnostics.map((d) => d.file)).toEqual(['apps/a.yaml', 'apps/deep/b.yaml']);
    const two = await lintJson('--path', dir, '--include', 'top.yaml', '--include', 'other/*.yaml');
    expect(two.report.diagnostics.map((d) => d.file)).toEqual(['other/c.yaml', 'top.yaml']);
    // `*` stays within one directory, as in every glob dialect users know.
    const star = await lintJson('--path', dir, '--include', '*.yaml');
    expect(star.report.diagnostics.map((d) => d.file)).toEqual(['top.yaml']);
  });

  it('--exclude globs are relative to --path and win over --include', async () => {
    const dir = await tree({ 'apps/a.yaml': DUPLICATE_KEY, 'apps/deep/b.yaml': DUPLICATE_KEY, 'other/c.yaml': DUPLICATE_KEY, 'top.yaml': DUPLICATE_KEY });
    const { report } = await lintJson('--path', dir, '--exclude', 'apps/deep/**', '--exclude', 'top.yaml');
    expect(report.diagnostics.map((d) => d.file)).toEqual(['apps/a.yaml', 'other/c.yaml']);
    const both = await lintJson('--path', dir, '--include', 'apps/**', '--exclude', '**/b.yaml');
    expect(both.report.diagnostics.map((d) => d.file)).toEqual(['apps/a.yaml']);
  });

  it('globs do not depend on how --path is written', async () => {
    const dir = await tree({ 'apps/a.yaml': DUPLICATE_KEY, 'top.yaml': DUPLICATE_KEY });
    const relative = `./${path.relative(process.cwd(), dir)}/`;
    for (const written of [dir, `${dir}/`, relative]) {
      const { report } = await lintJson('--path', written, '--include', 'apps/**');
      expect(report.diagnostics.map((d) => d.file), written).toEqual(['apps/a.yaml']);
    }
  });
});

describe('--output FILE', () => {
  it('writes the report to the file, nothing on stdout, a one-line summary on stderr', async () => {
    const dir = await tree({ 'a.yaml': ORPHANS, 'b.yaml': BROKEN_REFERENCE });
    const output = path.join(dir, 'report.json');
    const result = await gitgate('lint', '--path', dir, '--format', 'json', '--output', output);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const line = oneLine(result.stderr);
    expect(line).toContain(output);
    expect(line).toMatch(/1 error\b/);
    expect(line).toMatch(/3 warnings\b/);
    const report = JSON.parse(await readFile(output, 'utf8')) as JsonReport;
    expect(brief(report)).toEqual([
      'a.yaml:8:19 orphan warning',
      'a.yaml:15:19 orphan warning',
      'b.yaml:3:19 orphan warning',
      'b.yaml:5:20 reference error',
    ]);
  });

  it('writes the same bytes the format prints on stdout', async () => {
    const dir = await tree({ 'a.yaml': ORPHANS });
    const output = path.join(scratch, 'report.txt');
    const toFile = await gitgate('lint', '--path', dir, '--output', output);
    const toStdout = await gitgate('lint', '--path', dir);
    expect(toFile.code).toBe(toStdout.code);
    expect(await readFile(output, 'utf8')).toBe(toStdout.stdout);
  });

  it('an output file that cannot be written is a one-line error, exit 2', async () => {
    const dir = await tree({ 'a.yaml': ORPHANS });
    const output = path.join(scratch, 'no-such-dir', 'report.txt');
    const result = await gitgate('lint', '--path', dir, '--output', output);
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toContain(output);
  });
});

describe('--format json', () => {
  it('file fields are relative to --path with forward slashes', async () => {
    const dir = await tree({ 'apps/employee/api.yaml': BROKEN_REFERENCE, 'gateway.yaml': DUPLICATE_KEY });
    const { report } = await lintJson('--path', dir, '--rule.orphan=false');
    expect(report.diagnostics.map((d) => d.file)).toEqual(['apps/employee/api.yaml', 'gateway.yaml']);
    for (const d of report.diagnostics) {
      expect(path.isAbsolute(d.file)).toBe(false);
      expect(d.file).not.toContain('\\');
      expect(d.file.startsWith('./')).toBe(false);
    }
  });

  it('has exactly the documented shape, sorted by file, line, column, rule', async () => {
    const access = `apiVersion: hub.traefik.io/v1alpha1
kind: APIAccess
metadata: { name: crm }
spec:
  groups: [crm]
  apis: [{ name: nothing, namespace: apps }]
`;
    const dir = await tree({ 'b.yaml': BROKEN_REFERENCE, 'a.yaml': access });
    const result = await gitgate('lint', '--path', dir, '--format', 'json');
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(Object.keys(report)).toEqual(['diagnostics', 'summary']);
    expect(Object.keys(report.summary)).toEqual(['files', 'resources', 'errors', 'warnings']);
    const keys = ['rule', 'severity', 'message', 'file', 'line', 'column', 'resource', 'field'];
    for (const d of report.diagnostics) {
      const own = Object.keys(d);
      expect(own).toEqual(keys.filter((k) => own.includes(k)));
      expect(own.slice(0, 6)).toEqual(keys.slice(0, 6));
    }
    const sorted = [...report.diagnostics].sort(
      (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
    );
    expect(report.diagnostics).toEqual(sorted);
    const reference = report.diagnostics.find((d) => d.file === 'b.yaml' && d.rule === 'reference');
    expect(reference).toEqual({
      rule: 'reference',
      severity: 'error',
      message: 'resource apps/missing (Service) not found on field "service.name" in resource apps/orders (API)',
      file: 'b.yaml',
      line: 5,
      column: 20,
      resource: { kind: 'API', namespace: 'apps', name: 'orders' },
      field: 'spec.service.name',
    });
    // A cluster-scoped kind has no namespace key at all.
    const cluster = report.diagnostics.find((d) => d.resource?.kind === 'APIAccess');
    expect(cluster?.resource).toEqual({ kind: 'APIAccess', name: 'crm' });
    expect(result.code).toBe(1);
  });
});

describe('every format', () => {
  for (const format of Object.keys(REPORTERS)) {
    it(`${format}: the same exit status, output on stdout only`, async () => {
      const dir = await tree({ 'a.yaml': ORPHANS, 'b.yaml': BROKEN_REFERENCE });
      const result = await gitgate('lint', '--path', dir, '--format', format);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('');
      expect(result.stdout.length).toBeGreaterThan(0);
      expect(result.stdout).toContain('b.yaml');
    });
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
