/**
 * The header-line grammar both halves of the gateway's HTTP/1.1 read (http1-server.ts for
 * requests, http1-client.ts for answers): a token name, a colon, a value of visible characters
 * with inner spaces and tabs, optional white space around it. No CR, LF, NUL or other control
 * character can pass, so no header read can smuggle a line into what the gateway writes.
 */
export const HEADER_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[\t ]*((?:[\x21-\x7e\x80-\xff](?:[\t \x21-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?)[\t ]*$/;

/** Whether a comma-separated, lower-cased list (Connection) holds `token`. */
export function hasToken(list: string, token: string): boolean {
  if (list === '') return false;
  for (const item of list.split(',')) if (item.trim() === token) return true;
  return false;
}
