import { z } from 'zod';

export const PmtuVerdictV1 = z.enum(['ok', 'mtu-mismatch', 'frag-needed', 'silent-drop', 'unreachable'])
  .meta({ id: 'PmtuVerdict', description: "One direction's path-MTU verdict: ok (the NIC MTU is the limit), mtu-mismatch (the NIC MTUs differ), frag-needed (a router limits and says so with ICMP), silent-drop (something drops larger packets without a word), unreachable (not even small probes were answered)." });

/** The roll-up and the diff also count directions that could not be measured at all. */
export const RollupVerdictV1 = z.enum([...PmtuVerdictV1.options, 'error'])
  .meta({ id: 'RollupVerdict', description: "A path-MTU verdict, or 'error' when the direction could not be measured at all." });

export const JumboVerdictKindV1 = z.enum(['jumbo-gain', 'jumbo-no-gain', 'jumbo-slower', 'jumbo-stalled'])
  .meta({ id: 'JumboVerdictKind', description: 'Jumbo frames against 1500 in one direction: faster beyond the noise, no difference, slower, or the jumbo row stalled.' });
