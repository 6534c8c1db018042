import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Issue 2, acceptance: every hostile input yields a diagnostic or a one-line error naming the
// file, exit 1 or 2, within a second, never a crash. Each case runs the real built CLI as a child
// process, so a stack overflow, an out-of-memory or a hang shows up as what a user would see.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin/gitgate');
const MAIN = path.join(ROOT, 'dist/src/cli/main.js');

/** The CLI work (not node's start-up) must take less than this. */
const BUDGET_MS = 1000;
/** A run is killed after this long: a hang fails its test instead of the suite. */
const KILL_AFTER_MS = 8000;
/** Three slow attempts (each with its baseline run) fit in this. */
const TEST_TIMEOUT_MS = 6 * KILL_AFTER_MS;
/** Output kept per stream; enough for any sane report, bounded for an insane one. */
const MAX_OUTPUT = 1 << 20;

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly killed: boolean;
}

function runBinary(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // vitest's loaders must not leak into the CLI under test
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outSize = 0;
    let errSize = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      if (outSize < MAX_OUTPUT) out.push(chunk);
      outSize += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (errSize < MAX_OUTPUT) err.push(chunk);
      errSize += chunk.length;
    });
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, KILL_AFTER_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: performance.now() - started,
        killed,
      });
    });
  });
}

let scratch = '';
let outsideFile = '';
let emptyDir = '';

interface TimedRun extends Run {
  /** The same CLI on an empty directory, run just before: node's start-up on this machine now. */
  readonly baselineMs: number;
}

/**
 * Runs the CLI, with an empty-directory run just before it as the baseline, so a machine busy
 * with other work slows both alike. Just over budget, it tries twice more and keeps the best pair.
 */
async function timedRun(args: readonly string[]): Promise<TimedRun> {
  let best: TimedRun | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const baseline = await runBinary(['lint', '--path', emptyDir]);
    const run: TimedRun = { ...(await runBinary(args)), baselineMs: baseline.ms };
    if (run.killed) return run;
    if (best === undefined || run.ms - run.baselineMs < best.ms - best.baselineMs) best = run;
    if (best.ms - best.baselineMs < BUDGET_MS) break;
    // Far over budget is not noise: retrying would only slow the suite down.
    if (run.ms - run.baselineMs > 3 * BUDGET_MS) break;
  }
  return best!;
}

beforeAll(async () => {
  if (!existsSync(MAIN)) {
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
  }
  scratch = await mkdtemp(path.join(os.tmpdir(), 'gitgate-hostile-'));
  outsideFile = path.join(scratch, 'outside.yaml');
  await writeFile(outsideFile, 'apiVersion: v1\nkind: Secret\nmetadata: { name: not-yours }\n');
  emptyDir = path.join(scratch, 'baseline');
  await mkdir(emptyDir);
  const run = await runBinary(['lint', '--path', emptyDir]);
  expect(run.code, run.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  if (scratch !== '') await rm(scratch, { recursive: true, force: true });
});

/** A fresh directory below the scratch directory, holding what `write` puts there. */
async function caseDir(name: string, write: (dir: string) => Promise<void>): Promise<string> {
  const dir = await mkdtemp(path.join(scratch, `${name.replace(/[^a-z0-9]+/gi, '-')}-`));
  await write(dir);
  return dir;
}

const file =
  (content: string | Uint8Array, name = 'x.yaml') =>
  (dir: string): Promise<void> =>
    writeFile(path.join(dir, name), content);

function billionLaughs(): string {
  const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  const names = 'abcdefghi';
  for (let i = 1; i < names.length; i++) {
    const previous = `*${names[i - 1]}`;
    lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(previous).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

const CRLF_RESOURCES = [
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: app',
  '  namespace: apps',
  'spec:',
  '  ports: [{ port: 80 }]',
  '---',
  'apiVersion: hub.traefik.io/v1alpha1',
  'kind: API',
  'metadata:',
  '  name: customers',
  '  namespace: apps',
  'spec:',
  '  pathPrefix: customers',
  '  service: { name: app, port: { number: 80 } }',
  '',
].join('\r\n');

interface Expected {
  /** The message of the one diagnostic (or one-line error) that must name the file. */
  readonly message: RegExp;
  readonly line?: number;
  readonly column?: number;
  /** Default `error`; `any` where either is a fair answer. */
  readonly severity?: 'error' | 'warning' | 'any';
  readonly rule?: string;
}

interface HostileCase {
  readonly name: string;
  readonly write: (dir: string) => Promise<void>;
  /** Allowed exit codes. */
  readonly exit: readonly number[];
  /** The file the report must name (relative to --path). */
  readonly file?: string;
  /** The one finding expected; undefined for harmless inputs, which must report nothing. */
  readonly expect?: Expected;
  readonly args?: readonly string[];
}

const BAD = [1, 2] as const;

const CASES: readonly HostileCase[] = [
  {
    name: 'a billion-laughs alias bomb',
    write: file(billionLaughs()),
    exit: BAD,
    expect: { message: /alias/i, rule: 'parse' },
  },
  {
    // A wide bomb: one anchor of 30,000 entries aliased 99 times, under the alias count but
    // 3 million values once expanded. The budget must count what aliases expand to.
    name: 'a wide alias bomb (100 aliases of a 30,000-entry anchor)',
    write: file(`a: &a\n${'- x\n'.repeat(30_000)}b:\n${'- *a\n'.repeat(99)}`),
    exit: BAD,
    expect: { message: /alias/i, rule: 'parse' },
  },
  {
    name: 'a 50 MB file',
    write: file(Buffer.alloc(50 * 1024 * 1024, 'key: value\n')),
    exit: BAD,
    expect: { message: /larger than the limit|too large/i, line: 1, column: 1 },
  },
  {
    name: '10,000-deep flow sequences [[[...]]]',
    write: file(`${'['.repeat(10_000)}${']'.repeat(10_000)}\n`),
    exit: BAD,
    expect: { message: /nest|deep/i, rule: 'parse' },
  },
  {
    name: '10,000-deep flow maps {a: {a: ...}}',
    write: file(`${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`),
    exit: BAD,
    expect: { message: /nest|deep/i, rule: 'parse' },
  },
  {
    name: '10,000-deep block sequences (- - - ...)',
    write: file(`${'- '.repeat(10_000)}x\n`),
    exit: BAD,
    expect: { message: /nest|deep/i, rule: 'parse' },
  },
  {
    // 10,000 indented levels would be 50 MB of spaces (over the size cap); 1,500 fit under it.
    name: '1,500-deep indented block maps',
    write: file(`${Array.from({ length: 1500 }, (_, i) => `${' '.repeat(i)}a:\n`).join('')}${' '.repeat(1500)}b\n`),
    exit: BAD,
    expect: { message: /nest|deep/i, rule: 'parse' },
  },
  {
    // The finding points at the line where the nesting is, not at the start of the document.
    name: 'deep flow nesting inside a resource',
    write: file(`apiVersion: v1\nkind: ConfigMap\ndata:\n  x: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`),
    exit: BAD,
    expect: { message: /nest|deep/i, rule: 'parse', line: 4 },
  },
  {
    name: 'duplicate keys',
    write: file('apiVersion: v1\nkind: Service\napiVersion: v2\n'),
    exit: BAD,
    expect: { message: /duplicate key/i, line: 3, column: 1, rule: 'parse' },
  },
  {
    // 30,000 distinct keys: the duplicate-key check must stay linear.
    name: 'a map of 30,000 distinct keys',
    write: file(Array.from({ length: 30_000 }, (_, i) => `k${i}: v\n`).join('')),
    exit: [0],
  },
  {
    name: 'a !!js/function tag',
    write: file('apiVersion: v1\nkind: ConfigMap\ndata:\n  run: !!js/function "function () { process.exit(3) }"\n'),
    exit: BAD,
    expect: { message: /tag.*js\/function/i, line: 4, column: 8, rule: 'parse' },
  },
  {
    name: 'a custom !tag',
    write: file('apiVersion: v1\nkind: ConfigMap\ndata: !ruby/object:Gem::Installer { a: 1 }\n'),
    exit: BAD,
    expect: { message: /tag.*ruby\/object/i, line: 3, column: 7, rule: 'parse' },
  },
  {
    name: 'invalid UTF-8 bytes',
    write: file(Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\ndata: { a: "'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('" }\n')])),
    exit: BAD,
    expect: { message: /UTF-8/, line: 3, rule: 'parse' },
  },
  {
    name: 'a binary file named x.yaml',
    write: file(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256))),
    exit: BAD,
    expect: { message: /binary/i, line: 1, column: 1, rule: 'parse' },
  },
  {
    name: 'a UTF-16 file',
    write: file(Buffer.from('\ufeffapiVersion: v1\nkind: ConfigMap\n', 'utf16le')),
    exit: BAD,
    expect: { message: /binary|UTF-8|UTF-16|encoding/i, rule: 'parse' },
  },
  {
    // Under the size cap: the document count must be refused before parsing them all.
    name: 'a document bomb (500,000 empty documents)',
    write: file('---\n'.repeat(500_000)),
    exit: BAD,
    expect: { message: /documents/i, rule: 'parse' },
  },
  {
    // The same bomb without a single `---`: `...` ends a document and a new one may follow.
    name: 'a document bomb written with ... end markers (300,000 documents)',
    write: file('a\n...\n'.repeat(300_000)),
    exit: BAD,
    expect: { message: /documents/i, rule: 'parse' },
  },
  {
    name: 'a self-referencing alias',
    write: file('a: &a [1, *a]\n'),
    exit: BAD,
    expect: { message: /alias|nest|deep/i, rule: 'parse' },
  },
  {
    name: 'a __proto__ key',
    write: file('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  __proto__: { polluted: true }\n'),
    exit: BAD,
    expect: { message: /__proto__/, line: 4, column: 3, rule: 'parse' },
  },
  {
    name: 'a syntax error',
    write: file('apiVersion: v1\nkind: [ConfigMap\n'),
    exit: BAD,
    expect: { message: /YAML|syntax/i, rule: 'parse' },
  },
  {
    name: 'a symbolic link to a file outside --path',
    write: (dir) => symlink(outsideFile, path.join(dir, 'x.yaml')),
    exit: [0],
    expect: { message: /symbolic link.*outside/i, severity: 'warning', line: 1, column: 1 },
  },
  {
    name: 'a symbolic link to /dev/zero',
    write: (dir) => symlink('/dev/zero', path.join(dir, 'x.yaml')),
    exit: [0],
    expect: { message: /symbolic link.*outside/i, severity: 'warning' },
  },
  {
    name: 'a dangling symbolic link',
    write: (dir) => symlink(path.join(dir, 'missing.yaml'), path.join(dir, 'x.yaml')),
    exit: [0, 1, 2],
    expect: { message: /symbolic link|missing|not found|cannot be read/i, severity: 'any' },
  },
  {
    name: 'a FIFO named x.yaml',
    write: async (dir) => {
      const made = spawnSync('mkfifo', [path.join(dir, 'x.yaml')]);
      if (made.status !== 0) throw new Error('mkfifo failed');
    },
    exit: [0],
  },
  { name: 'an empty file', write: file(''), exit: [0] },
  { name: 'a file of only comments', write: file('# nothing here\n# nor here\n'), exit: [0] },
  { name: 'a document that is a bare list', write: file('- a\n- b\n- { c: d }\n'), exit: [0] },
  { name: 'a document that is a bare scalar', write: file('just a string\n'), exit: [0] },
  { name: 'empty documents between separators', write: file('---\n---\n# c\n---\n'), exit: [0] },
  {
    name: 'CRLF line endings: a resource error keeps its line and column',
    write: file(CRLF_RESOURCES),
    args: ['--rule.orphan=false'],
    exit: [1],
    expect: { message: /must start with a '\/'/, line: 15, column: 15, rule: 'resource' },
  },
  {
    name: 'CRLF line endings: a parse error keeps its line and column',
    write: file('a: 1\r\nb: 2\r\nc: 3\r\n  \r\na: 4\r\n'),
    exit: [1],
    expect: { message: /duplicate key/i, line: 5, column: 1, rule: 'parse' },
  },
  {
    name: 'a UTF-8 byte-order mark',
    write: file(`\ufeff${CRLF_RESOURCES.replaceAll('\r\n', '\n')}`),
    args: ['--rule.orphan=false'],
    exit: [1],
    expect: { message: /must start with a '\/'/, line: 15, column: 15, rule: 'resource' },
  },
];

const STACK_FRAME = /^\s+at .+(\(|:\d+:\d+)/m;
const SUMMARY = /^\d+ files?, \d+ resources?: \d+ errors?, \d+ warnings?$/;

function expectNoCrash(run: Run): void {
  expect(run.killed, `killed after ${KILL_AFTER_MS} ms: a hang`).toBe(false);
  expect(run.signal, 'ended by a signal: a crash').toBeNull();
  expect(run.stdout + run.stderr).not.toMatch(STACK_FRAME);
  expect(run.stderr).not.toMatch(/internal error|RangeError|Maximum call stack|heap out of memory|FATAL ERROR/i);
}

function expectInBudget(run: TimedRun): void {
  const work = Math.round(run.ms - run.baselineMs);
  expect(work, `CLI work took ${Math.round(run.ms)} ms against ${Math.round(run.baselineMs)} ms on an empty directory`).toBeLessThan(BUDGET_MS);
}

/** A one-line error on stderr (exit 2) naming the file. */
function expectOneLineError(run: Run, name: string, expected: Expected): void {
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toContain(name);
  expect(lines[0]).toMatch(expected.message);
}

describe('hostile input through the real CLI', () => {
  for (const testCase of CASES) {
    const name = testCase.file ?? 'x.yaml';
    describe(testCase.name, () => {
      let dir = '';
      beforeAll(async () => {
        dir = await caseDir(testCase.name, testCase.write);
      }, 60_000);

      it('unix: the exit status, one clear message naming the file, no crash, within a second', async () => {
        const run = await timedRun(['lint', '--path', dir, ...(testCase.args ?? [])]);
        expectNoCrash(run);
        expect(testCase.exit, `exit ${run.code}\n${run.stdout}${run.stderr}`).toContain(run.code);
        expectInBudget(run);
        if (run.code === 2) {
          expectOneLineError(run, name, testCase.expect ?? { message: /./ });
          return;
        }
        expect(run.stderr).toBe('');
        const lines = run.stdout.trimEnd().split('\n');
        expect(lines.at(-1)).toMatch(SUMMARY);
        const findings = lines.slice(0, -1);
        if (testCase.expect === undefined) {
          expect(findings).toEqual([]);
          return;
        }
        expect(findings, run.stdout).toHaveLength(1);
        const match = /^(.+?):(\d+):(\d+): (error|warning): (.+) \[([a-z-]+)\]$/.exec(findings[0]!);
        expect(match, findings[0]).not.toBeNull();
        const [, reported, line, column, severity, message, rule] = match!;
        expect(reported).toBe(name);
        expect(message).toMatch(testCase.expect.message);
        expect(message).not.toContain('\n');
        if (testCase.expect.line !== undefined) expect(Number(line)).toBe(testCase.expect.line);
        if (testCase.expect.column !== undefined) expect(Number(column)).toBe(testCase.expect.column);
        if (testCase.expect.severity !== 'any') expect(severity).toBe(testCase.expect.severity ?? 'error');
        if (testCase.expect.rule !== undefined) expect(rule).toBe(testCase.expect.rule);
      }, TEST_TIMEOUT_MS);

      it('json: the same finding with the file relative to --path', async () => {
        const run = await timedRun(['lint', '--path', dir, '--format', 'json', ...(testCase.args ?? [])]);
        expectNoCrash(run);
        expect(testCase.exit, `exit ${run.code}\n${run.stdout}${run.stderr}`).toContain(run.code);
        expectInBudget(run);
        if (run.code === 2) {
          expectOneLineError(run, name, testCase.expect ?? { message: /./ });
          return;
        }
        expect(run.stderr).toBe('');
        const report = JSON.parse(run.stdout) as {
          diagnostics: { rule: string; severity: string; message: string; file: string; line: number; column: number }[];
          summary: { files: number; resources: number; errors: number; warnings: number };
        };
        if (testCase.expect === undefined) {
          expect(report.diagnostics).toEqual([]);
          expect(report.summary.errors).toBe(0);
          return;
        }
        expect(report.diagnostics).toHaveLength(1);
        const [diagnostic] = report.diagnostics;
        expect(diagnostic!.file).toBe(name);
        expect(diagnostic!.message).toMatch(testCase.expect.message);
        if (testCase.expect.line !== undefined) expect(diagnostic!.line).toBe(testCase.expect.line);
        if (testCase.expect.column !== undefined) expect(diagnostic!.column).toBe(testCase.expect.column);
        if (testCase.expect.severity !== 'any') expect(diagnostic!.severity).toBe(testCase.expect.severity ?? 'error');
        if (testCase.expect.rule !== undefined) expect(diagnostic!.rule).toBe(testCase.expect.rule);
        const errors = diagnostic!.severity === 'error' ? 1 : 0;
        expect(report.summary).toMatchObject({ errors, warnings: 1 - errors });
        expect(run.code).toBe(errors > 0 ? 1 : 0);
      }, TEST_TIMEOUT_MS);
    });
  }

  it('several hostile files at once: each is reported, the good file is still linted', async () => {
    const dir = await caseDir('mixed', async (d) => {
      await writeFile(path.join(d, 'bomb.yaml'), billionLaughs());
      await writeFile(path.join(d, 'binary.yaml'), Buffer.from([0, 1, 2, 3, 0xff]));
      await writeFile(path.join(d, 'dup.yaml'), 'a: 1\na: 2\n');
      await writeFile(path.join(d, 'good.yaml'), CRLF_RESOURCES);
    });
    const run = await timedRun(['lint', '--path', dir, '--format', 'json', '--rule.orphan=false']);
    expectNoCrash(run);
    expect(run.code).toBe(1);
    expectInBudget(run);
    const report = JSON.parse(run.stdout) as { diagnostics: { file: string; rule: string; line: number }[] };
    expect(report.diagnostics.map((d) => `${d.file} ${d.rule}`)).toEqual([
      'binary.yaml parse',
      'bomb.yaml parse',
      'dup.yaml parse',
      'good.yaml resource',
    ]);
  });
});
