import { z } from 'zod';
import { JUMBO_VERDICTS, PATH_VERDICTS, PMTU_VERDICTS } from '../model/verdicts.js';

export const PmtuVerdictV1 = z.enum(PMTU_VERDICTS)
  .meta({ id: 'PmtuVerdict', description: "One direction's path-MTU verdict: ok (the NIC MTU is the limit), mtu-mismatch (the NIC MTUs differ), frag-needed (a router limits and says so with ICMP), silent-drop (something drops larger packets without a word), unreachable (not even small probes were answered)." });

/** The roll-up and the diff also count directions that could not be measured at all. */
export const RollupVerdictV1 = z.enum(PATH_VERDICTS)
  .meta({ id: 'RollupVerdict', description: "A path-MTU verdict, or 'error' when the direction could not be measured at all." });

export const JumboVerdictKindV1 = z.enum(JUMBO_VERDICTS)
  .meta({ id: 'JumboVerdictKind', description: 'Jumbo frames against 1500 in one direction: faster beyond the noise, no difference, slower, or the jumbo row stalled.' });
