// A real redis-server on loopback for the tests of `strategy: distributed` rate limits: started on
// a free port with no persistence, stopped by cleanup(). scripts/test.sh installs Debian's
// redis-server when it is missing.
import { spawn, type ChildProcess } from 'node:child_process';
import { defer, refusedPort, tempDir } from './gateway-fixtures.js';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop). */
  start(): Promise<void>;
}

export async function startRedis(password?: string): Promise<RedisServer> {
  const port = await refusedPort();
  const dir = await tempDir('redis');
  let child: ChildProcess | undefined;
  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...(password === undefined ? [] : ['--requirepass', password])];
    const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start in 10 s:\n${output}`)), 10_000);
      started.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`redis-server could not run (${error.message}): scripts/test.sh installs it (apt-get install redis-server)`));
      });
      started.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  defer(stop);
  const auth = password === undefined ? '' : `:${encodeURIComponent(password)}@`;
  return { port, url: `redis://${auth}127.0.0.1:${port}`, stop, start };
}
