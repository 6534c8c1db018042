import { Command } from 'commander';
import { REPORTERS, RULES } from '../../analyzer/index.js';
import { startServe } from '../../control/index.js';
import { parseListenAddress } from '../../gateway/index.js';
import { createLogger } from '../../telemetry/index.js';
import { collect, UsageError, type CliIO } from '../io.js';
import { gitgateVersion } from '../version.js';

interface ServeFlags {
  dir: string;
  include: string[];
  exclude: string[];
  listen: string;
  adminListen: string;
  dataDir: string;
  serviceOverride: string[];
  accessLog?: boolean;
  otlpEndpoint?: string;
  workers: string;
}

/** `ns/name=http://host:port` → map entries; a bad one is a usage error. */
export function parseOverrides(values: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const value of values) {
    const match = /^([a-z0-9-]+)\/([a-z0-9-]+)=(https?:\/\/.+)$/.exec(value);
    if (match === null) throw new UsageError(`--service-override "${value}": write NAMESPACE/NAME=http://host:port`);
    try {
      new URL(match[3]!);
    } catch {
      throw new UsageError(`--service-override "${value}": "${match[3]}" is not a URL`);
    }
    out.set(`${match[1]}/${match[2]}`, match[3]!);
  }
  return out;
}

export function serveCommand(io: CliIO, setExitCode: (code: number) => void): Command {
  return new Command('serve')
    .description('serve the resources of a directory: gateway, admin API and metrics')
    .requiredOption('--dir <dir>', 'directory of resources (read again on SIGHUP and POST /api/v1/reload)')
    .option('--include <glob>', 'only read files matching this glob (repeatable)', collect, [])
    .option('--exclude <glob>', 'skip files matching this glob (repeatable)', collect, [])
    .option('--listen <addr>', 'gateway address', '0.0.0.0:8080')
    .option('--admin-listen <addr>', 'admin API and /metrics address', '127.0.0.1:9090')
    .option('--data-dir <dir>', 'data directory (SQLite database, admin token)', './.gitgate')
    .option('--service-override <ns/name=url>', 'send a Service resolved by cluster DNS to this URL (repeatable)', collect, [])
    .option('--access-log', 'write a JSON access log line per request to standard output')
    .option('--otlp-endpoint <url>', 'also push metrics with OTLP/HTTP to this URL')
    .option('--workers <n>', 'gateway processes sharing the port (node:cluster)', '1')
    .action(async (flags: ServeFlags) => {
      const listen = address(flags.listen, '--listen', '0.0.0.0');
      const adminListen = address(flags.adminListen, '--admin-listen', '127.0.0.1');
      const logger = createLogger(process.stderr, { component: 'serve' });
      const workers = Number(flags.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError(`--workers takes a number from 1 to 64, not "${flags.workers}"`);
      const started = await startServe({
        dir: flags.dir,
        include: flags.include,
        exclude: flags.exclude,
        listen,
        adminListen,
        dataDir: flags.dataDir,
        serviceOverrides: parseOverrides(flags.serviceOverride),
        logger,
        workers,
        ...(flags.accessLog === true ? { accessLog: (line: string) => io.stdout(line) } : {}),
        ...(flags.otlpEndpoint === undefined ? {} : { otlpUrl: flags.otlpEndpoint }),
      });
      if (!started.ok) {
        const errors = started.diagnostics.filter((d) => d.severity === 'error').length;
        io.stderr(REPORTERS.unix(started.diagnostics, { summary: { files: 0, resources: 0, errors, warnings: started.diagnostics.length - errors }, rules: RULES, toolVersion: gitgateVersion() }).replace(/\n[^\n]*\n$/, '\n'));
        io.stderr(`gitgate: not serving ${flags.dir}: ${errors} lint error${errors === 1 ? '' : 's'} (fix them, or run gitgate lint --path ${flags.dir})\n`);
        setExitCode(1);
        return;
      }
      const { serve } = started;
      const gw = serve.gatewayAddress;
      const admin = serve.adminAddress;
      io.stderr(`gitgate ${gitgateVersion()} serving ${flags.dir} (revision ${serve.status().applied?.revision}${workers > 1 ? `, ${workers} workers` : ''})\n`);
      io.stderr(`  gateway   http://${hostForUrl(gw.host)}:${gw.port}\n`);
      io.stderr(`  admin     http://${hostForUrl(admin.host)}:${admin.port}  (/metrics, /healthz, /api/v1/status)\n`);
      if (serve.adminToken.created) io.stderr(`  admin token (shown once, stored in ${serve.adminToken.file}): ${serve.adminToken.token}\n`);
      await new Promise<void>((resolve) => {
        const reload = () => void serve.reload().then((attempt) => io.stderr(`reload: ${attempt.result} ${attempt.revision}\n`));
        process.on('SIGHUP', reload);
        const stop = () => {
          process.off('SIGHUP', reload);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await serve.close();
    });
}

function address(text: string, flag: string, defaultHost: string) {
  try {
    return parseListenAddress(text, defaultHost);
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
