import { checkstyle } from './checkstyle.js';
import { github } from './github.js';
import { json } from './json.js';
import { markdown } from './markdown.js';
import type { Reporter } from './reporter.js';
import { sarif } from './sarif.js';
import { unix } from './unix.js';

export type { Reporter, ReportContext } from './reporter.js';

/** Output formats of `gitgate lint --format`. */
export const REPORTERS = {
  unix,
  json,
  checkstyle,
  sarif,
  github,
  markdown,
} as const satisfies Record<string, Reporter>;

export type ReportFormat = keyof typeof REPORTERS;

export function isReportFormat(name: string): name is ReportFormat {
  return Object.hasOwn(REPORTERS, name);
}
