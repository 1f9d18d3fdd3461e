import { writeFile } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { PathprobeError } from '../../../proto/errorCodes.js';
import { cellRecordText } from '../../throughput/cellRecordText.js';
import { AgentClient, addressFor, parseAgentUrl } from '../../agentClient/agentClient.js';
import { measurePathMtu } from '../../pmtu/measurePathMtu.js';
import { throughputCsv } from '../../throughput/throughputCsv.js';
import { throughputReport } from '../../throughput/throughputReport.js';
import { pmtuReport } from '../../pmtu/pmtuReport.js';
import { throughputTable } from '../../throughput/throughputTable.js';
import { measureThroughput, planThroughput } from '../../throughput/measureThroughput.js';
import { parseThroughputOptions } from '../../throughput/parseThroughputOptions.js';
import { readToken } from '../readToken.js';
import { TLS_OPTIONS, readClientTls } from '../../agentClient/clientTls.js';
import { cellDurationMs } from '../../throughput/estimateThroughput.js';
import { parseFlows } from '../../pmtu/parseFlows.js';

interface ThroughputArgs {
  from: string;
  to: string;
  'from-address'?: string;
  'to-address'?: string;
  'token-file'?: string;
  ca?: string;
  cert?: string;
  key?: string;
  flows: string;
  streams: string;
  duration: string;
  repeats: number;
  direction: string;
  json: boolean;
  csv?: string;
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
    .options(TLS_OPTIONS)
    .option('streams', { type: 'string', default: '1,2,4,8,16', describe: 'parallel stream counts to sweep' })
    .option('duration', { type: 'string', default: '10s', describe: 'length of each test (after a 1 s warm-up that is not counted)' })
    .option('repeats', { type: 'number', default: 3, describe: 'repeats per cell; the matrix shows their median and spread' })
    .option('direction', { type: 'string', default: 'both', describe: 'forward (from → to), reverse, or both' })
    .option('flows', { type: 'string', default: 'auto', describe: 'flows (UDP source ports) per direction of the path-MTU sweep: auto = 23, so a path carrying 1/8 of them is missed with at most 5 %; or 1 to 64' })
    .option('json', { type: 'boolean', default: false, describe: 'print one versioned JSON object' })
    .option('csv', { type: 'string', describe: 'also write the matrix to this CSV file' }) as unknown as Argv<ThroughputArgs>,
  handler: async (argv) => {
    const options = parseThroughputOptions(argv);
    const flows = parseFlows(argv.flows);
    const token = await readToken(argv['token-file']);
    const tls = await readClientTls({ ca: argv.ca, cert: argv.cert, key: argv.key });
    const fromUrl = parseAgentUrl(argv.from, '--from');
    const toUrl = parseAgentUrl(argv.to, '--to');
    const fromAddress = addressFor(argv['from-address'], fromUrl, '--from-address');
    const toAddress = addressFor(argv['to-address'], toUrl, '--to-address');
    if (argv.csv !== undefined) {
      // Fail on an unwritable path now, not after minutes of measuring.
      await writeFile(argv.csv, '').catch((error: NodeJS.ErrnoException) => {
        throw new PathprobeError('ERR_USAGE', `cannot write --csv ${argv.csv}: ${error.code ?? error.message}`, { cause: error });
      });
    }
    const say = (line: string) => process.stderr.write(`${line}\n`);
    const from = new AgentClient(fromUrl, { token, tls });
    const to = new AgentClient(toUrl, { token, tls });

    say('path MTU sweep, both directions ...');
    const pmtu = pmtuReport(await measurePathMtu({ from, to, fromAddress, toAddress, flows }));
    const plan = planThroughput(pmtu, { from, to }, options);
    const cellCount = plan.reduce((n, d) => n + d.rows.length, 0) * options.streams.length * options.repeats;
    const estimateS = Math.ceil((cellCount * cellDurationMs(options.durationMs)) / 1000);
    say(`${cellCount} runs of ${options.durationMs / 1000} s (rows: ${plan.map((d) => `${d.direction} ${d.rows.map((r) => r.label).join(', ')}`).join('; ')}); at most ~${estimateS} s`);

    const records = await measureThroughput(plan, options, (record) => say(`${record.direction} ${cellRecordText(record)}`));
    const report = throughputReport(pmtu, records, options);
    process.stdout.write(argv.json ? JSON.stringify(report, null, 2) + '\n' : throughputTable(report));
    if (argv.csv !== undefined) await writeFile(argv.csv, throughputCsv(report));
    process.exitCode = report.exitCode;
  },
};
