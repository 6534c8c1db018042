import type { Writable } from 'node:stream';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A JSON-lines logger. Callers pass fields, never secrets: keys and tokens are not logged. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void;
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

export function createLogger(stream: Writable, options: { level?: LogLevel; component?: string } = {}): Logger {
  const min = ORDER[options.level ?? 'info'];
  const log = (level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>) => {
    if (ORDER[level] < min) return;
    stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, ...(options.component ? { component: options.component } : {}), msg: message, ...fields })}\n`);
  };
  return {
    log,
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}

/** Discards everything: for tests and for components told to be quiet. */
export const silentLogger: Logger = { log: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
