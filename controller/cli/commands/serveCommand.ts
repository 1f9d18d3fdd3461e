import type { Argv, CommandModule } from 'yargs';
import { PathprobeError } from '../../../proto/errorCodes.js';
import { parseListenAddress } from '../../../proto/listenAddress.js';
import { loadPlan } from '../../plan/loadPlan.js';
import { RunStore } from '../../store/RunStore.js';
import { createRunScheduler, validateCron, webhookOrigin } from '../../serve/runScheduler.js';
import { createServeMetrics, listenMetrics, type MetricsServer } from '../../serve/serveMetrics.js';
import { readToken } from '../readToken.js';
import { onInterruptSignals } from '../../run/runInterrupt.js';
import { DB_OPTION } from '../dbOption.js';

interface ServeArgs { plan: string; cron: string; metrics: string; webhook?: string; jitter: string; db: string }

/** "30s", "2m", "500ms", "1h" or a bare number of seconds; throws a one-line ERR_USAGE otherwise. */
export function parseJitter(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new PathprobeError('ERR_USAGE', `--jitter ${JSON.stringify(text)} is not a duration such as 30s, 2m or 0`);
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(match[1]) * unitMs);
}

export function parseMetricsAddress(text: string): { host: string; port: number } {
  try {
    return parseListenAddress(text);
  } catch (error) {
    throw new PathprobeError('ERR_USAGE', `--metrics ${JSON.stringify(text)} is not ADDRESS:PORT such as 0.0.0.0:9420 or [::]:9420`, { cause: error });
  }
}

export function parseWebhookUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new PathprobeError('ERR_USAGE', `--webhook ${JSON.stringify(text)} is not a URL such as https://alerts.example/hook`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PathprobeError('ERR_USAGE', `--webhook must be an http:// or https:// URL, not ${url.protocol}`);
  }
  return url.toString();
}

function log(line: string): void {
  process.stderr.write(`pathprobe serve: ${line}\n`);
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'run a plan on a cron schedule, store every run, serve Prometheus metrics, alert on regressions',
  builder: (yargs: Argv) => yargs
    .option('plan', { type: 'string', demandOption: true, describe: 'YAML plan file' })
    .option('cron', { type: 'string', demandOption: true, describe: 'when to run, e.g. "0 2 * * *" (a 6th leading field = seconds)' })
    .option('metrics', { type: 'string', demandOption: true, describe: 'serve Prometheus metrics at http://ADDRESS:PORT/metrics, e.g. 0.0.0.0:9420' })
    .option('webhook', { type: 'string', describe: 'POST a JSON alert to this http(s) URL when a run regresses against its baseline' })
    .option('jitter', { type: 'string', default: '30s', describe: 'wait a random time up to this before each start (0 = none)' })
    .option('db', DB_OPTION) as unknown as Argv<ServeArgs>,
  handler: async (argv) => {
    // Every flag, then the plan, is checked before anything is created, contacted or listened on.
    validateCron(argv.cron);
    const listen = parseMetricsAddress(argv.metrics);
    const webhookUrl = argv.webhook === undefined ? null : parseWebhookUrl(argv.webhook);
    const jitterMs = parseJitter(argv.jitter);
    const plan = await loadPlan(argv.plan);
    const token = await readToken(plan.tokenFile);

    const store = await RunStore.open(argv.db);
    let metricsServer: MetricsServer | null = null;
    try {
      const metrics = createServeMetrics();
      metricsServer = await listenMetrics(metrics.registry, listen).catch((error: NodeJS.ErrnoException) => {
        const reason = error.code === 'EADDRINUSE' ? 'address already in use'
          : error.code === 'EADDRNOTAVAIL' ? 'the address is not on this host' : error.code ?? error.message;
        throw new PathprobeError('ERR_USAGE', `cannot listen on --metrics ${argv.metrics}: ${reason}`, { cause: error });
      });
      log(`metrics on ${metricsServer.url}`);
      if (webhookUrl) log(`regressions are posted to ${webhookOrigin(webhookUrl)}`);

      const scheduler = createRunScheduler({
        plan, planPath: argv.plan, store, token, cron: argv.cron, jitterMs, metrics, log,
        webhook: webhookUrl ? { url: webhookUrl } : null,
      });
      // First signal: no new run, no new measurement; the ones in flight end and are stored.
      // Second: stop at once (everything finished is already stored).
      let onStopped: () => void = () => {};
      const stoppedOnce = new Promise<void>((resolve) => { onStopped = resolve; });
      const removeSignals = onInterruptSignals({
        first: (signal) => {
          log(`${signal}: stopping${scheduler.busy ? ' after the measurements in flight (again to stop at once)' : ''}`);
          scheduler.stop().then(onStopped, onStopped);
        },
        second: (signal) => {
          log(`${signal}: stopping at once`);
          void scheduler.stop({ now: true });
        },
      });
      try {
        scheduler.start();
        await stoppedOnce;
      } finally {
        removeSignals();
        await scheduler.stop();
      }
      log('stopped');
    } finally {
      await metricsServer?.close();
      await store.close();
    }
  },
};
