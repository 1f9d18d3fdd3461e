/*
 * node dist/test/helpers/sweepOnce.js REQUEST_JSON
 *
 * One peer sweep through the agent's own driver, run inside a lab host. Prints "sweeping" when
 * it starts (so a test can act while the handshake is under way), then the result as JSON.
 */
import { PmtuSweepRequest } from '../../proto/pmtuSweep.js';
import { runPmtuSweep } from '../../agent/probe/runPmtuSweep.js';

const request = PmtuSweepRequest.parse(JSON.parse(process.argv[2] ?? 'null'));
console.log('sweeping');
console.log(JSON.stringify(await runPmtuSweep(request)));
