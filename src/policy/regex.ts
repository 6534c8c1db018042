/** A regular expression ready for `new RegExp(source, flags)`. */
export interface CompiledRegex {
  readonly source: string;
  readonly flags: string;
}

export type RegexResult = ({ readonly ok: true } & CompiledRegex) | { readonly ok: false; readonly message: string };

const LEADING_FLAGS = /^\(\?([imsU]+)\)/;

/**
 * Translates a regular expression written for the upstream gateway (Go's RE2 syntax) into a
 * JavaScript one, refusing what RE2 refuses. Backreferences and lookaround are refused: RE2 has
 * neither, and both let a crafted request path make matching slow. Supported differences:
 * leading flags `(?i)`, `(?s)`, `(?m)`; named groups `(?P<name>...)`; `\A` and `\z`.
 */
export function translateRegex(pattern: string): RegexResult {
  let source = pattern;
  let flags = '';
  const leading = LEADING_FLAGS.exec(source);
  if (leading !== null) {
    if (leading[1]!.includes('U')) return { ok: false, message: 'the (?U) flag (ungreedy) is not supported' };
    flags = [...new Set(leading[1]!)].sort().join('');
    source = source.slice(leading[0].length);
  }
  if (/\(\?(?:[=!]|<[=!])/.test(source)) return { ok: false, message: 'lookahead and lookbehind are not supported (RE2 syntax)' };
  if (/(?<!\\)(?:\\\\)*\\[1-9]/.test(source)) return { ok: false, message: 'backreferences are not supported (RE2 syntax)' };
  if (/\(\?[a-zA-Z]/.test(source.replace(/\(\?P?<[A-Za-z_]/g, ''))) return { ok: false, message: 'inline flags are only supported at the start of the expression' };
  source = source.replace(/\(\?P</g, '(?<').replace(/\\A/g, '^').replace(/\\z/g, '$(?![\\s\\S])');
  try {
    new RegExp(source, flags);
  } catch (error) {
    return { ok: false, message: (error as Error).message.replace(/^Invalid regular expression: /, '') };
  }
  return { ok: true, source, flags };
}
