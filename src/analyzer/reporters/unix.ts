import type { Reporter } from './reporter.js';

/** `file:line:column: severity: message [rule]`, one per line, then a summary line. */
export const unix: Reporter = (diagnostics, { summary }) => {
  const lines = diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.rule}]`);
  lines.push(
    `${summary.files} file${summary.files === 1 ? '' : 's'}, ${summary.resources} resource${summary.resources === 1 ? '' : 's'}: ` +
      `${summary.errors} error${summary.errors === 1 ? '' : 's'}, ${summary.warnings} warning${summary.warnings === 1 ? '' : 's'}`,
  );
  return `${lines.join('\n')}\n`;
};
