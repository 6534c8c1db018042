import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { REPORTERS, RULES } from '../../analyzer/index.js';
import { startServe } from '../../control/index.js';
import { parseListenAddress } from '../../gateway/index.js';
import { parseDuration } from '../../model/index.js';
import { createLogger } from '../../telemetry/index.js';
import { collect, UsageError, type CliIO } from '../io.js';
import { gitgateVersion } from '../version.js';

interface ServeFlags {
  dir?: string;
  repo?: string;
  branch: string;
  path?: string;
  interval: string;
  revision?: string;
  allowedSigners?: string;
  verifySignatures?: boolean;
  include: string[];
  exclude: string[];
  listen: string;
  adminListen: string;
  dataDir: string;
  serviceOverride: string[];
  accessLog?: boolean;
  otlpEndpoint?: string;
  workers: string;
  redisUrl?: string;
  portalListen: string;
  portal: boolean;
  portalSignup: string;
  portalUrl?: string;
  gatewayUrl?: string;
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
    .description('follow a git repository (or serve a directory) through the gateway, with the admin API and metrics')
    .option('--repo <url-or-path>', 'git repository to follow: a local path, file://, https:// (token in GITGATE_GIT_TOKEN) or SSH URL')
    .option('--branch <branch>', 'branch to follow', 'main')
    .option('--path <dir>', 'folder of the resources inside the repository')
    .option('--interval <duration>', 'time between fetches (30s, 1m...)', '30s')
    .option('--revision <sha>', 'serve this commit instead of following the branch (pin)')
    .option('--verify-signatures', 'refuse commits not signed by an allowed key (the keys are in --allowed-signers)')
    .option('--allowed-signers <file>', 'SSH allowed-signers file of the keys commits must be signed with (implies --verify-signatures)')
    .option('--dir <dir>', 'or: a directory of resources (read again on SIGHUP and POST /api/v1/reload)')
    .option('--include <glob>', 'only read files matching this glob (repeatable)', collect, [])
    .option('--exclude <glob>', 'skip files matching this glob (repeatable)', collect, [])
    .option('--listen <addr>', 'gateway address', '0.0.0.0:8080')
    .option('--admin-listen <addr>', 'admin API and /metrics address', '127.0.0.1:9090')
    .option('--data-dir <dir>', 'data directory (SQLite database, admin token)', './.gitgate')
    .option('--service-override <ns/name=url>', 'send a Service resolved by cluster DNS to this URL (repeatable)', collect, [])
    .option('--access-log', 'write a JSON access log line per request to standard output')
    .option('--otlp-endpoint <url>', 'also push metrics with OTLP/HTTP to this URL')
    .option('--workers <n>', 'gateway processes sharing the port (node:cluster)', '1')
    .addOption(new Option('--redis-url <url>', 'Redis shared by the gateway processes for rate limits with strategy: distributed (redis:// or rediss://)').env('GITGATE_REDIS_URL'))
    .option('--portal-listen <addr>', 'developer portal address', '0.0.0.0:8081')
    .option('--no-portal', 'do not serve the developer portal')
    .option('--portal-signup <mode>', 'who may create a portal account: open, or invite (gitgate users invite)', 'invite')
    .option('--portal-url <url>', 'where consumers reach the portal, when not at its listen address (its origin may call the gateway from the docs)')
    .option('--gateway-url <url>', 'where consumers reach the gateway, for the API documents (default: the gateway address)')
    .action(async (flags: ServeFlags) => {
      const listen = address(flags.listen, '--listen', '0.0.0.0');
      const adminListen = address(flags.adminListen, '--admin-listen', '127.0.0.1');
      if ((flags.dir === undefined) === (flags.repo === undefined)) throw new UsageError('serve takes --repo URL_OR_PATH or --dir DIR (one of them)');
      if (flags.dir !== undefined && !statSync(flags.dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--dir ${flags.dir}: no such directory`);
      if (flags.verifySignatures === true && flags.allowedSigners === undefined) throw new UsageError('--verify-signatures needs --allowed-signers FILE: the SSH keys commits must be signed with');
      const intervalMs = parseDuration(flags.interval);
      if (intervalMs === undefined || intervalMs < 100) throw new UsageError(`--interval "${flags.interval}": write a duration such as 30s or 1m`);
      if (flags.portalSignup !== 'open' && flags.portalSignup !== 'invite') throw new UsageError(`--portal-signup takes open or invite, not "${flags.portalSignup}"`);
      const portal =
        flags.portal === false
          ? undefined
          : {
              listen: address(flags.portalListen, '--portal-listen', '0.0.0.0'),
              signup: flags.portalSignup as 'open' | 'invite',
              uiDir: portalUiDir(),
              ...(flags.portalUrl === undefined ? {} : { publicUrl: flags.portalUrl }),
              ...(flags.gatewayUrl === undefined ? {} : { gatewayUrl: flags.gatewayUrl }),
            };
      const logger = createLogger(process.stderr, { component: 'serve' });
      const workers = Number(flags.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new UsageError(`--workers takes a number from 1 to 64, not "${flags.workers}"`);
      if (flags.redisUrl !== undefined && !/^rediss?:\/\/[^/]/.test(flags.redisUrl)) throw new UsageError('--redis-url: write redis://[user:password@]host:port[/db] or rediss://...');
      const started = await startServe({
        ...(flags.dir === undefined ? {} : { dir: flags.dir }),
        ...(flags.repo === undefined
          ? {}
          : {
              repo: {
                url: flags.repo,
                branch: flags.branch,
                intervalMs,
                ...(flags.path === undefined ? {} : { path: flags.path }),
                ...(flags.revision === undefined ? {} : { revision: flags.revision }),
                ...(flags.allowedSigners === undefined ? {} : { allowedSigners: flags.allowedSigners }),
              },
            }),
        version: gitgateVersion(),
        include: flags.include,
        exclude: flags.exclude,
        listen,
        adminListen,
        dataDir: flags.dataDir,
        serviceOverrides: parseOverrides(flags.serviceOverride),
        logger,
        workers,
        ...(flags.redisUrl === undefined ? {} : { redisUrl: flags.redisUrl }),
        ...(portal === undefined ? {} : { portal }),
        ...(flags.accessLog === true ? { accessLog: (line: string) => io.stdout(line) } : {}),
        ...(flags.otlpEndpoint === undefined ? {} : { otlpUrl: flags.otlpEndpoint }),
      });
      if (!started.ok) {
        const errors = started.diagnostics.filter((d) => d.severity === 'error').length;
        io.stderr(REPORTERS.unix(started.diagnostics, { summary: { files: 0, resources: 0, errors, warnings: started.diagnostics.length - errors }, rules: RULES, toolVersion: gitgateVersion() }).replace(/\n[^\n]*\n$/, '\n'));
        io.stderr(`gitgate: not serving ${flags.dir ?? ''}: ${errors} lint error${errors === 1 ? '' : 's'} (fix them, or run gitgate lint --path ${flags.dir ?? ''})\n`);
        setExitCode(1);
        return;
      }
      const { serve } = started;
      const gw = serve.gatewayAddress;
      const admin = serve.adminAddress;
      const status = serve.status();
      const what = flags.repo !== undefined ? `${serve.status().source.url ?? flags.repo} (branch ${flags.branch})` : flags.dir;
      io.stderr(`gitgate ${gitgateVersion()} serving ${what}: revision ${status.applied?.revision ?? 'none yet'}${workers > 1 ? `, ${workers} workers` : ''}\n`);
      if (status.applied === null && status.lastAttempt !== null) io.stderr(`  the newest revision was ${status.lastAttempt.result}: see GET /api/v1/status\n`);
      if (status.sourceHealth.health === 'unreachable') io.stderr(`  source unreachable: ${status.sourceHealth.error} (retrying)\n`);
      io.stderr(`  gateway   http://${hostForUrl(gw.host)}:${gw.port}\n`);
      io.stderr(`  admin     http://${hostForUrl(admin.host)}:${admin.port}  (/metrics, /healthz, /api/v1/status)\n`);
      if (serve.portalAddress !== undefined) io.stderr(`  portal    http://${hostForUrl(serve.portalAddress.host)}:${serve.portalAddress.port}  (sign-up: ${flags.portalSignup})\n`);
      if (serve.adminToken.created) io.stderr(`  admin token (shown once, stored in ${serve.adminToken.file}): ${serve.adminToken.token}\n`);
      await new Promise<void>((resolve) => {
        const reload = () =>
          void serve.reconciler.sync('reload').then((outcome) => io.stderr(`reload: ${outcome.result} ${outcome.revision ?? ''}\n`));
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

/** The built portal UI, next to the package (web/portal/dist), whether run from dist/ or src/. */
export function portalUiDir(): string {
  for (const relative of ['../../../web/portal/dist', '../../../../web/portal/dist']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  return fileURLToPath(new URL('../../../../web/portal/dist', import.meta.url));
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
