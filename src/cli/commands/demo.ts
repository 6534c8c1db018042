import { Command } from 'commander';
import { buildRevision, prepareDemoRepository, readDirectorySnapshot, startDemoUpstreams, startServe, stopDemoUpstreams } from '../../control/index.js';
import { parseListenAddress } from '../../gateway/index.js';
import { IdentityService } from '../../identity/index.js';
import { parseDuration } from '../../model/index.js';
import { createLogger } from '../../telemetry/index.js';
import { gitgateVersion } from '../version.js';
import { portalUiDir } from './serve.js';
import type { CliIO } from '../io.js';

const DEMO_EMAIL = 'demo@airlines.example';
const DEMO_GROUPS = ['admin', 'crm-user'];
/** The demo consumer's portal password: a demo, on this machine only. */
const DEMO_PASSWORD = 'airlines-demo';

interface DemoFlags {
  dir: string;
  interval: string;
  portalListen: string;
  listen: string;
  adminListen: string;
  dataDir: string;
}

/**
 * The README's first command: the bundled example served end to end on this machine, with demo
 * backends for its Services, a demo consumer and a key, and a curl that works.
 */
export function demoCommand(io: CliIO, setExitCode: (code: number) => void): Command {
  return new Command('demo')
    .description('serve the bundled example with demo backends, a demo consumer and a key')
    .option('--dir <dir>', 'the example to start the demo repository from', 'examples/airlines')
    .option('--interval <duration>', 'time between fetches of the demo repository', '5s')
    .option('--listen <addr>', 'gateway address', '127.0.0.1:8080')
    .option('--admin-listen <addr>', 'admin API address', '127.0.0.1:9090')
    .option('--portal-listen <addr>', 'developer portal address', '127.0.0.1:8081')
    .option('--data-dir <dir>', 'data directory', './.gitgate')
    .action(async (flags: DemoFlags) => {
      const snapshot = await readDirectorySnapshot(flags.dir);
      const built = buildRevision(snapshot.inputs, snapshot.revision, { readProblems: snapshot.problems });
      const { files, resources, errors, warnings } = built.summary;
      io.stderr(`lint ${flags.dir}: ${files} files, ${resources} resources, ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
      if (!built.ok) {
        io.stderr('gitgate: the example has lint errors; run gitgate lint to see them\n');
        setExitCode(1);
        return;
      }
      const upstreams = await startDemoUpstreams(built.config);
      const repository = await prepareDemoRepository(flags.dir, flags.dataDir);
      const started = await startServe({
        repo: { url: repository.remote, branch: 'main', intervalMs: parseDuration(flags.interval) ?? 5000 },
        version: gitgateVersion(),
        listen: parseListenAddress(flags.listen, '127.0.0.1'),
        adminListen: parseListenAddress(flags.adminListen, '127.0.0.1'),
        portal: { listen: parseListenAddress(flags.portalListen, '127.0.0.1'), signup: 'open', uiDir: portalUiDir() },
        dataDir: flags.dataDir,
        serviceOverrides: new Map(),
        logger: createLogger(process.stderr, { component: 'demo', level: 'warn' }),
      });
      if (!started.ok) {
        await stopDemoUpstreams(upstreams);
        setExitCode(1);
        return;
      }
      const { serve } = started;
      const identity = new IdentityService(serve.store.identity);
      if ((await identity.findUser(DEMO_EMAIL)) === undefined) await identity.addUser(DEMO_EMAIL, DEMO_GROUPS, DEMO_PASSWORD);
      else await identity.setPassword(DEMO_EMAIL, DEMO_PASSWORD);
      await identity.deleteKey(DEMO_EMAIL, 'demo');
      const key = await identity.createKey(DEMO_EMAIL, 'demo');
      const gateway = `http://${serve.gatewayAddress.host}:${serve.gatewayAddress.port}`;
      const admin = `http://${serve.adminAddress.host}:${serve.adminAddress.port}`;
      const portalUrl = serve.portalAddress === undefined ? undefined : `http://${serve.portalAddress.host}:${serve.portalAddress.port}`;
      io.stdout(
        [
          `gitgate demo: following ${repository.remote} (branch main, revision ${serve.status().applied?.revision.slice(0, 12) ?? 'none'})`,
          `  edit         ${repository.workdir}   then git commit && git push: applied within ${flags.interval}`,
          `  gateway      ${gateway}`,
          `  admin API    ${admin}   (GET /api/v1/status, /metrics, /healthz)`,
          serve.adminToken.created ? `  admin token  ${serve.adminToken.token}   (shown once; stored in ${serve.adminToken.file})` : `  admin token  in ${serve.adminToken.file ?? 'GITGATE_ADMIN_TOKEN'}`,
          `  backends     ${upstreams.length} demo upstreams on 127.0.0.1:${upstreams.map((u) => u.port).join(',')}`,
          ...(portalUrl === undefined ? [] : [`  portal       ${portalUrl}   (sign in as ${DEMO_EMAIL} / ${DEMO_PASSWORD})`]),
          `  consumer     ${DEMO_EMAIL} (groups ${DEMO_GROUPS.join(', ')})`,
          `  API key      ${key.ok ? key.value : '(could not be created)'}`,
          '',
          'Try:',
          `  curl -H "Authorization: Bearer ${key.ok ? key.value : 'KEY'}" ${gateway}/employees/42`,
          `  curl -H "Authorization: Bearer ${key.ok ? key.value : 'KEY'}" ${gateway}/crm/customers/v2/7`,
          `  curl -i ${gateway}/employees/42        # 401: no key`,
          `  curl -H "Authorization: Bearer <admin token>" ${admin}/api/v1/deployments`,
          '',
          'Ctrl-C stops.',
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await serve.close();
      await stopDemoUpstreams(upstreams);
    });
}
