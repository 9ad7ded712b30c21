/**
 * Benchmark (not a test): `cdk-delivery metrics` over 1,000 executions against the loopback
 * endpoint with 20 ms latency per request. Prints wall time and API calls; writes
 * bench/results-cli.json.
 *
 *   npx ts-node --project tsconfig.dev.json --transpile-only bench/cli-metrics.bench.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { CliIo } from '../src/cli/io';
import { runCli } from '../src/cli/program';
import { fakeHistory, LoopbackAws, serveHistory } from '../test/cli/loopback-server';

const EXECUTIONS = 1000;
const LATENCY_MS = 20;
const TARGET_MS = 2000;

async function main() {
  const server = new LoopbackAws({ latencyMs: LATENCY_MS });
  const url = await server.start();
  const end = new Date();
  const history = fakeHistory({
    pipeline: 'shop-pipeline',
    executions: EXECUTIONS,
    end,
    intervalMs: 40 * 60_000,
    environments: ['staging', 'prod'],
    approvalIn: ['prod'],
    failEvery: 10,
    codeDeploy: true,
  });
  serveHistory(server, 'shop-pipeline', history);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'eu-west-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  let out = '';
  const io: CliIo = {
    stdout: { write: (s: string) => { out += s; } },
    stderr: { write: (s: string) => process.stderr.write(s) },
    stdinIsTTY: false,
    env: process.env,
    confirm: async () => false,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => new Date(end.getTime() + 3_600_000),
    writeFile: () => undefined,
  };
  const t0 = process.hrtime.bigint();
  const code = await runCli(['metrics', 'shop-pipeline', '--since', '60d', '--format', 'json'], { io });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  await server.stop();
  const result = JSON.parse(out);
  const byOperation: Record<string, number> = {};
  for (const r of server.requests) byOperation[r.operation] = (byOperation[r.operation] ?? 0) + 1;
  const summary = {
    benchmark: 'cdk-delivery metrics',
    date: new Date().toISOString(),
    node: process.version,
    executions: EXECUTIONS,
    actionExecutions: history.actions.length,
    codeDeployDeployments: history.deployments.size,
    latencyPerRequestMs: LATENCY_MS,
    wallTimeMs: Math.round(wallMs),
    targetMs: TARGET_MS,
    withinTarget: wallMs <= TARGET_MS,
    apiCalls: server.requests.length,
    apiCallsByOperation: byOperation,
    exitCode: code,
    environments: result.environments.map((m: { environment: string; deployments: number; changeFailureRate?: number }) => ({
      environment: m.environment, deployments: m.deployments, changeFailureRate: m.changeFailureRate,
    })),
  };
  console.log(`metrics over ${EXECUTIONS} executions (${history.actions.length} action executions), ${LATENCY_MS} ms per request`);
  console.log(`wall time: ${summary.wallTimeMs} ms (target ${TARGET_MS} ms) — API calls: ${summary.apiCalls} ${JSON.stringify(byOperation)}`);
  fs.writeFileSync(path.join(__dirname, 'results-cli.json'), JSON.stringify(summary, null, 2) + '\n');
  if (code !== 0) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
