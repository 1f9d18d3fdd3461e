import type { Argv, CommandModule } from 'yargs';
import { PathprobeError } from '../../../proto/errorCodes.js';
import { AgentClient, addressFor, parseAgentUrl } from '../../agentClient/agentClient.js';
import { measurePathMtu } from '../../pmtu/measurePathMtu.js';
import { pmtuReport } from '../../pmtu/pmtuReport.js';
import { pmtuTable } from '../../pmtu/pmtuTable.js';
import { readToken } from '../readToken.js';
import { TLS_OPTIONS, readClientTls } from '../../agentClient/clientTls.js';
import { parseFlows } from '../../pmtu/parseFlows.js';

interface PmtuArgs {
  from: string;
  to?: string;
  'from-address'?: string;
  'to-address'?: string;
  'token-file'?: string;
  ca?: string;
  cert?: string;
  key?: string;
  flows: string;
  json: boolean;
}

export const pmtuCommand: CommandModule<object, PmtuArgs> = {
  command: 'pmtu',
  describe: 'find the path MTU in both directions between two agents (or to a target with no agent)',
  builder: (yargs: Argv) => yargs
    .option('from', { type: 'string', demandOption: true, describe: 'URL of the sending agent, e.g. http://198.19.0.1:7420' })
    .option('to', { type: 'string', describe: 'URL of the peer agent (omit for a target with no agent: ICMP echo, round trip)' })
    .option('from-address', { type: 'string', describe: 'data-plane address on the --from host (default: the host in its URL)' })
    .option('to-address', { type: 'string', describe: 'data-plane address of the peer or target (default: the host in the --to URL)' })
    .option('token-file', { type: 'string', describe: 'file holding the agents\' bearer token (or set PATHPROBE_TOKEN)' })
    .options(TLS_OPTIONS)
    .option('flows', { type: 'string', default: 'auto', describe: 'flows (UDP source ports) per direction of the path-MTU sweep: auto = 23, so a path carrying 1/8 of them is missed with at most 5 %; or 1 to 64' })
    .option('json', { type: 'boolean', default: false, describe: 'print one versioned JSON object' }) as unknown as Argv<PmtuArgs>,
  handler: async (argv) => {
    const flows = parseFlows(argv.flows);
    const token = await readToken(argv['token-file']);
    const tls = await readClientTls({ ca: argv.ca, cert: argv.cert, key: argv.key });
    const fromUrl = parseAgentUrl(argv.from, '--from');
    const toUrl = argv.to === undefined ? null : parseAgentUrl(argv.to, '--to');
    const fromAddress = addressFor(argv['from-address'], fromUrl, '--from-address');
    if (!toUrl && argv['to-address'] === undefined) {
      throw new PathprobeError('ERR_USAGE', 'give --to URL (a peer agent) or --to-address IP (a target with no agent)');
    }
    const toAddress = toUrl ? addressFor(argv['to-address'], toUrl, '--to-address') : addressFor(argv['to-address'], fromUrl, '--to-address');

    const measurement = await measurePathMtu({
      from: new AgentClient(fromUrl, { token, tls }),
      to: toUrl ? new AgentClient(toUrl, { token, tls }) : null,
      fromAddress,
      toAddress,
      flows,
    });
    const report = pmtuReport(measurement);
    process.stdout.write(argv.json ? JSON.stringify(report, null, 2) + '\n' : pmtuTable(report));
    process.exitCode = report.exitCode;
  },
};
