import type { Diagnostic } from '../diagnostic.js';
import type { Reporter } from './reporter.js';

/**
 * GitHub Actions workflow commands, one annotation per diagnostic:
 * `::error file=F,line=L,col=C,title=gitgate RULE::MESSAGE`. Nothing else is printed, so the
 * output can be echoed as is in a workflow step.
 */
export const github: Reporter = (diagnostics) => diagnostics.map((d) => `${command(d)}\n`).join('');

function command(d: Diagnostic): string {
  const properties = `file=${escapeProperty(d.file)},line=${d.line},col=${d.column},title=${escapeProperty(`gitgate ${d.rule}`)}`;
  return `::${d.severity} ${properties}::${escapeData(d.message)}`;
}

// The escaping of @actions/core's command.ts (escapeData / escapeProperty): the runner decodes
// exactly these sequences, so a message can carry newlines, and a file name commas or colons.
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
