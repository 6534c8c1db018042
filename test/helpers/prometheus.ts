// A real Prometheus server on loopback, scraping gitgate's admin listener every second, for the
// tests that check what Prometheus itself makes of /metrics. scripts/test.sh installs Debian's
// prometheus when it is missing.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defer, refusedPort, tempDir, type Address } from './gateway-fixtures.js';

export interface PrometheusServer {
  readonly url: string;
  /** The result vector of an instant PromQL query. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** The scrape targets with their health and last error. */
  targets(): Promise<{ health: string; lastError: string; scrapeUrl: string }[]>;
}

export async function startPrometheus(target: Address): Promise<PrometheusServer> {
  const dir = await tempDir('prometheus');
  const port = await refusedPort();
  const config = path.join(dir, 'prometheus.yml');
  await writeFile(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: gitgate',
      '    metrics_path: /metrics',
      '    static_configs:',
      `      - targets: ['${target.host}:${target.port}']`,
      '',
    ].join('\n'),
  );
  const child = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  defer(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  const url = `http://127.0.0.1:${port}`;
  const spawnError = new Promise<never>((_resolve, reject) =>
    child.once('error', (error) => reject(new Error(`prometheus could not run (${error.message}): scripts/test.sh installs it (apt-get install prometheus)`))),
  );
  const ready = async () => {
    for (const until = Date.now() + 20_000; Date.now() < until; ) {
      const answer = await fetch(`${url}/-/ready`).catch(() => undefined);
      if (answer?.status === 200) return;
      if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`prometheus was not ready in 20 s:\n${output}`);
  };
  await Promise.race([ready(), spawnError]);
  const api = async <T>(apiPath: string): Promise<T> => {
    const answer = await fetch(`${url}${apiPath}`);
    const body = (await answer.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${apiPath}: ${body.error ?? answer.status}`);
    return body.data;
  };
  return {
    url,
    query: async (promql) => (await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`)).result,
    targets: async () => (await api<{ activeTargets: { health: string; lastError: string; scrapeUrl: string }[] }>('/api/v1/targets')).activeTargets,
  };
}
