import { Command, Option } from 'commander';
import { lint, REPORTERS, RULES, type ReportFormat, type RuleSettings } from '../../analyzer/index.js';
import { createGraph, loadSources, readSourceDir } from '../../model/index.js';
import { collect, writeOutput, type CliIO } from '../io.js';
import { gitgateVersion } from '../version.js';

interface LintFlags {
  path: string;
  include: string[];
  exclude: string[];
  format: ReportFormat;
  output?: string;
}

export function lintCommand(io: CliIO, rules: RuleSettings, setExitCode: (code: number) => void): Command {
  return new Command('lint')
    .description('check the resources below a directory: schema, references, selectors, conflicts and more')
    .option('--path <dir>', 'directory to read (every .yaml/.yml below it)', '.')
    .option('--include <glob>', 'only read files matching this glob, relative to --path (repeatable)', collect, [])
    .option('--exclude <glob>', 'skip files matching this glob, relative to --path (repeatable)', collect, [])
    .addOption(new Option('--format <format>', 'output format').choices(Object.keys(REPORTERS)).default('unix'))
    .option('--output <file>', 'write the report to a file instead of standard output')
    .addHelpText(
      'after',
      `
Rules: --rule.NAME=false|warning|error turns a rule off or changes its severity.
  ${RULES.map((rule) => `${rule.id.padEnd(14)} ${rule.severity.padEnd(8)} ${rule.description}`).join('\n  ')}

Exit status: 0 no error (warnings allowed), 1 at least one error, 2 usage or read error.
`,
    )
    .action(async (flags: LintFlags) => {
      const read = await readSourceDir(flags.path, { include: flags.include, exclude: flags.exclude });
      const loaded = loadSources(read.inputs);
      // Files refused before parsing (too large, links outside the path) count as read too.
      const graph = createGraph({ files: loaded.files + read.problems.length, entries: loaded.entries, fileProblems: [...read.problems, ...loaded.fileProblems] });
      const result = lint(graph, { rules });
      const text = REPORTERS[flags.format](result.diagnostics, { summary: result.summary, rules: RULES, toolVersion: gitgateVersion() });
      await writeOutput(io, text, flags.output);
      if (flags.output !== undefined) {
        const { errors, warnings } = result.summary;
        io.stderr(`wrote ${flags.format} report to ${flags.output}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
      }
      setExitCode(result.summary.errors > 0 ? 1 : 0);
    });
}
