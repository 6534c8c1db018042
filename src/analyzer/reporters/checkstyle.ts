import type { Diagnostic } from '../diagnostic.js';
import type { Reporter } from './reporter.js';

/**
 * Checkstyle XML, the format CI plugins (Jenkins warnings-ng, reviewdog, GitLab converters) read:
 * one `<file>` per file in diagnostic order (diagnostics arrive sorted by file), one `<error>` each.
 */
export const checkstyle: Reporter = (diagnostics) => {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<checkstyle version="4.3">'];
  let file: string | undefined;
  for (const d of diagnostics) {
    if (d.file !== file) {
      if (file !== undefined) lines.push('  </file>');
      file = d.file;
      lines.push(`  <file name="${escapeXml(file)}">`);
    }
    lines.push(`    ${errorElement(d)}`);
  }
  if (file !== undefined) lines.push('  </file>');
  lines.push('</checkstyle>');
  return `${lines.join('\n')}\n`;
};

function errorElement(d: Diagnostic): string {
  return (
    `<error line="${d.line}" column="${d.column}" severity="${d.severity}" ` +
    `message="${escapeXml(d.message)}" source="gitgate.${escapeXml(d.rule)}"/>`
  );
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // Attribute-value normalisation (XML 1.0 §3.3.3) turns literal whitespace into spaces; character
  // references keep it.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/**
 * Escapes text for an XML 1.0 attribute. Characters XML 1.0 cannot carry at all, even as a
 * reference (C0 controls, lone surrogates, U+FFFE/U+FFFF), become U+FFFD so the document stays
 * well-formed.
 */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"'\t\n\r]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    (c) => ENTITIES[c] ?? '\uFFFD',
  );
}
