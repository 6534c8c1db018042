/**
 * The header-line grammar both halves of the gateway's HTTP/1.1 read (http1-server.ts for
 * requests, http1-client.ts for answers): a token name, a colon, a value of visible characters
 * with inner spaces and tabs, optional white space around it. No CR, LF, NUL or other control
 * character can pass, so no header read can smuggle a line into what the gateway writes.
 */
export const HEADER_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[\t ]*((?:[\x21-\x7e\x80-\xff](?:[\t \x21-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?)[\t ]*$/;

/** A Content-Length value: digits only (no sign, no list), at most 15 of them. */
export const CONTENT_LENGTH = /^\d{1,15}$/;

/** What no header name or value the gateway writes may hold: it would end the line early. */
export const LINE_BREAKING = /[\0\r\n]/;

/** Whether a comma-separated, lower-cased list (Connection) holds `token`. */
export function hasToken(list: string, token: string): boolean {
  if (list === '') return false;
  for (const item of list.split(',')) if (item.trim() === token) return true;
  return false;
}
