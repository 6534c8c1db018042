import type { Diagnostic, LintSummary } from '../diagnostic.js';
import type { Reporter } from './reporter.js';

/** A report to post as a pull-request comment: heading, counts, then one table row per diagnostic. */
export const markdown: Reporter = (diagnostics, { summary }) => {
  const lines = ['## gitgate lint', ''];
  if (diagnostics.length === 0) {
    lines.push(`No problems found in ${scope(summary)}.`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    `${plural(summary.errors, 'error')} and ${plural(summary.warnings, 'warning')} in ${scope(summary)}.`,
    '',
    '| Severity | File | Line | Column | Rule | Message |',
    '| --- | --- | ---: | ---: | --- | --- |',
    ...diagnostics.map(row),
  );
  return `${lines.join('\n')}\n`;
};

function row(d: Diagnostic): string {
  return `| ${d.severity} | ${cell(d.file)} | ${d.line} | ${d.column} | ${cell(d.rule)} | ${cell(d.message)} |`;
}

function scope(summary: LintSummary): string {
  return `${plural(summary.files, 'file')} (${plural(summary.resources, 'resource')})`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * Makes text literal inside a GFM table cell: `|` would end the cell, a line break the row, and
 * markdown or HTML syntax (`*`, `_`, backticks, `[`, `<`, `&`...) would be rendered rather than
 * shown. Backslash escapes work for all ASCII punctuation (CommonMark §2.4), `|` included in tables.
 */
export function cell(text: string): string {
  return text.replace(/[\\`*_[\]<>|&~]/g, '\\$&').replace(/\r\n|\r|\n/g, '<br>');
}
