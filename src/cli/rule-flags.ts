import type { RuleSettings } from '../analyzer/index.js';
import { UsageError } from './io.js';

const VALUES: Readonly<Record<string, 'off' | 'warning' | 'error'>> = {
  false: 'off',
  off: 'off',
  warning: 'warning',
  warn: 'warning',
  error: 'error',
  true: 'error',
};

/**
 * Takes `--rule.NAME=VALUE` and `--rule.NAME VALUE` out of the arguments (commander has no
 * dynamic option names) and returns the remaining arguments with the rule settings.
 */
export function extractRuleFlags(args: readonly string[], ruleIds: readonly string[], fixed: readonly string[] = []): { args: string[]; rules: RuleSettings } {
  const rest: string[] = [];
  const rules: Record<string, 'off' | 'warning' | 'error'> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--rule.')) {
      rest.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice('--rule.'.length, eq === -1 ? undefined : eq);
    const raw = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (!ruleIds.includes(name)) throw new UsageError(`unknown rule "${name}" in ${arg}: rules are ${ruleIds.join(', ')}`);
    const value = raw === undefined ? undefined : VALUES[raw.toLowerCase()];
    if (value === undefined) throw new UsageError(`--rule.${name} takes false, warning or error, not ${raw === undefined ? 'nothing' : `"${raw}"`}`);
    if (fixed.includes(name) && value !== 'error') throw new UsageError(`rule ${name} cannot be turned off or made a warning: a file that cannot be read is always an error`);
    rules[name] = value;
  }
  return { args: rest, rules };
}
