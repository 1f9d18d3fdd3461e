import { writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Argv, CommandModule } from 'yargs';
import { PathprobeError } from '../../../proto/errorCodes.js';
import { formatBitsPerSecond } from '../../aggregate/throughputFormat.js';
import { AgentClient, parseAgentUrl } from '../../agentClient.js';
import { measurePathMtu } from '../../pmtu/measurePathMtu.js';
import { throughputCsv } from '../../report/throughputCsv.js';
import { throughputReport } from '../../report/throughputReport.js';
import { pmtuReport } from '../../report/pmtuReport.js';
import { throughputTable } from '../../report/throughputTable.js';
import { measureThroughput, planThroughput, type CellRecord } from '../../throughput/measureThroughput.js';
import { parseThroughputOptions } from '../../throughput/parseThroughputOptions.js';
import { readToken } from '../readToken.js';

interface ThroughputArgs {
  from: string;
  to: string;
  'from-address'?: string;
  'to-address'?: string;
  'token-file'?: string;
  streams: string;
  duration: string;
  repeats: number;
  direction: string;
  json: boolean;
  csv?: string;
}

function addressOf(value: string | undefined, url: URL, flag: string): string {
  if (value !== undefined) {
    if (isIP(value) === 0) throw new PathprobeError('ERR_USAGE', `${flag} ${JSON.stringify(value)} is not an IPv4 or IPv6 address`);
    return value;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) === 0) throw new PathprobeError('ERR_USAGE', `${flag} is needed: the agent URL does not name an IP address`);
  return host;
}

function describeRecord(record: CellRecord): string {
  const cell = `${record.direction} ${record.row} P${record.streams} #${record.repeat}`;
  if ('skipped' in record) return `${cell}: skipped (the row already stalled)`;
  if ('error' in record) return `${cell}: error: ${record.error.message}`;
  const failure = record.result.processes.find((p) => p.failure)?.failure;
  if (failure) return `${cell}: ${failure.class}: ${failure.message}`;
  const bitsPerSecond = record.result.processes.reduce((sum, p) => sum + (p.bitsPerSecondReceived ?? 0), 0);
  return `${cell}: ${formatBitsPerSecond(bitsPerSecond)}`;
}

export const throughputCommand: CommandModule<object, ThroughputArgs> = {
  command: 'throughput',
  describe: 'measure throughput at 1500 and jumbo frames over a sweep of stream counts, after a path-MTU sweep',
  builder: (yargs: Argv) => yargs
    .option('from', { type: 'string', demandOption: true, describe: 'URL of the first agent' })
    .option('to', { type: 'string', demandOption: true, describe: 'URL of the second agent' })
    .option('from-address', { type: 'string', describe: 'data-plane address on the --from host (default: the host in its URL)' })
    .option('to-address', { type: 'string', describe: 'data-plane address on the --to host (default: the host in its URL)' })
    .option('token-file', { type: 'string', describe: 'file holding the agents\' bearer token (or set PATHPROBE_TOKEN)' })
    .option('streams', { type: 'string', default: '1,2,4,8,16', describe: 'parallel stream counts to sweep' })
    .option('duration', { type: 'string', default: '10s', describe: 'length of each test (after a 1 s warm-up that is not counted)' })
    .option('repeats', { type: 'number', default: 3, describe: 'repeats per cell; the matrix shows their median and spread' })
    .option('direction', { type: 'string', default: 'both', describe: 'forward (from → to), reverse, or both' })
    .option('json', { type: 'boolean', default: false, describe: 'print one versioned JSON object' })
    .option('csv', { type: 'string', describe: 'also write the matrix to this CSV file' }) as unknown as Argv<ThroughputArgs>,
  handler: async (argv) => {
    const options = parseThroughputOptions(argv);
    const token = await readToken(argv['token-file']);
    const fromUrl = parseAgentUrl(argv.from, '--from');
    const toUrl = parseAgentUrl(argv.to, '--to');
    const fromAddress = addressOf(argv['from-address'], fromUrl, '--from-address');
    const toAddress = addressOf(argv['to-address'], toUrl, '--to-address');
    if (argv.csv !== undefined) {
      // Fail on an unwritable path now, not after minutes of measuring.
      await writeFile(argv.csv, '').catch((error: NodeJS.ErrnoException) => {
        throw new PathprobeError('ERR_USAGE', `cannot write --csv ${argv.csv}: ${error.code ?? error.message}`, { cause: error });
      });
    }
    const say = (line: string) => process.stderr.write(`${line}\n`);
    const from = new AgentClient(fromUrl, { token });
    const to = new AgentClient(toUrl, { token });

    say('path MTU sweep, both directions ...');
    const pmtu = pmtuReport(await measurePathMtu({ from, to, fromAddress, toAddress }));
    const plan = planThroughput(pmtu, { from, to }, options);
    const cellCount = plan.reduce((n, d) => n + d.rows.length, 0) * options.streams.length * options.repeats;
    const estimateS = Math.ceil((cellCount * (options.durationMs + 2000)) / 1000);
    say(`${cellCount} runs of ${options.durationMs / 1000} s (rows: ${plan.map((d) => `${d.direction} ${d.rows.map((r) => r.label).join(', ')}`).join('; ')}); at most ~${estimateS} s`);

    const records = await measureThroughput(plan, options, (record) => say(describeRecord(record)));
    const report = throughputReport(pmtu, records, options);
    process.stdout.write(argv.json ? JSON.stringify(report, null, 2) + '\n' : throughputTable(report));
    if (argv.csv !== undefined) await writeFile(argv.csv, throughputCsv(report));
    process.exitCode = report.exitCode;
  },
};
