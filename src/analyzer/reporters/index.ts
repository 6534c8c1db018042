import type { Reporter } from './reporter.js';
import { unix } from './unix.js';

export type { Reporter, ReportContext } from './reporter.js';

/** Output formats of `gitgate lint --format`. */
export const REPORTERS = {
  unix,
} as const satisfies Record<string, Reporter>;

export type ReportFormat = keyof typeof REPORTERS;

export function isReportFormat(name: string): name is ReportFormat {
  return Object.hasOwn(REPORTERS, name);
}
