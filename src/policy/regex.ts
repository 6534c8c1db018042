/** A regular expression ready for `new RegExp(source, flags)`. */
export interface CompiledRegex {
  readonly source: string;
  readonly flags: string;
}

export type RegexResult = ({ readonly ok: true } & CompiledRegex) | { readonly ok: false; readonly message: string };

const LEADING_FLAGS = /^\(\?([imsU]+)\)/;
/** Escapes RE2 knows (besides escaped punctuation); anything else is an error there, not a literal. */
const RE2_ESCAPES = new Set([...'01234567afnrtvxdDsSwWbBAz']);
/** RE2 refuses a repetition count above 1000. */
const MAX_REPEAT = 1000;

/**
 * Translates a regular expression written for the upstream gateway (Go's RE2 syntax) into a
 * JavaScript one, refusing what RE2 refuses or what JavaScript would read differently.
 * Backreferences and lookaround are refused: RE2 has neither, and both let a crafted request
 * path make matching slow. Supported differences: leading flags `(?i)`, `(?s)`, `(?m)`; named
 * groups `(?P<name>...)`; `\A` and `\z`.
 */
export function translateRegex(pattern: string): RegexResult {
  let source = pattern;
  let flags = '';
  const leading = LEADING_FLAGS.exec(source);
  if (leading !== null) {
    if (leading[1]!.includes('U')) return refuse('the (?U) flag (ungreedy) is not supported');
    flags = [...new Set(leading[1]!)].sort().join('');
    source = source.slice(leading[0].length);
  }
  const problem = unsupported(source);
  if (problem !== undefined) return refuse(problem);
  source = source.replace(/\(\?P</g, '(?<').replace(/\\A/g, '^').replace(/\\z/g, '$(?![\\s\\S])');
  try {
    new RegExp(source, flags);
  } catch (error) {
    // V8 prefixes its message with the whole translated pattern: keep only the reason.
    return refuse((error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, ''));
  }
  return { ok: true, source, flags };
}

function refuse(message: string): RegexResult {
  return { ok: false, message };
}

/** Scans escapes and groups once, naming the first construct RE2 and JavaScript disagree on. */
function unsupported(source: string): string | undefined {
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') {
      const next = source[i + 1];
      if (next === undefined) return 'trailing backslash';
      if (/[1-9]/.test(next) && !/[0-7]/.test(source[i + 2] ?? '')) return 'backreferences are not supported (RE2 syntax)';
      if (next === 'k') return 'backreferences are not supported (RE2 syntax)';
      if (next === 'p' || next === 'P') return 'Unicode classes (\\p, \\P) are not supported';
      if (next === 'Q' || next === 'E') return 'literal text (\\Q...\\E) is not supported';
      if (/[a-zA-Z0-9]/.test(next) && !RE2_ESCAPES.has(next)) return `invalid escape sequence \\${next}`;
      i++;
    } else if (char === '(' && source[i + 1] === '?') {
      const rest = source.slice(i + 2);
      if (/^(?:[=!]|<[=!])/.test(rest)) return 'lookahead and lookbehind are not supported (RE2 syntax)';
      if (!/^(?:P?<[A-Za-z_]|:)/.test(rest)) return 'inline flags are only supported at the start of the expression';
    } else if (char === '[' && source.startsWith('[:', i + 1)) {
      return 'POSIX classes ([[:alpha:]]) are not supported';
    } else if (char === '{') {
      const repeat = /^\{(\d+)(?:,(\d*))?\}/.exec(source.slice(i));
      if (repeat !== null && Math.max(Number(repeat[1]), Number(repeat[2] || 0)) > MAX_REPEAT) {
        return `repetition count above ${MAX_REPEAT}`;
      }
    }
  }
  return undefined;
}
