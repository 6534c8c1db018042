/** The command-line interface: commands parse flags, call modules and print. */
export { runCli } from './program.js';
export type { CliIO } from './io.js';
