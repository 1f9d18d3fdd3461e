import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BlockList, isIP } from 'node:net';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { parseCidr } from './probePolicy.js';

/*
 * Who may ask this agent for what. A policy names identities (`cert:NAME`, a client
 * certificate's common name or DNS name; `token:NAME`, a named token) and grants them tests and
 * limits. There is no default grant: an identity no grant names is refused everything but its
 * own refusal, and a missing or invalid file stops the agent at start (never fail open).
 */

export type PolicyTest = 'pmtu' | 'echo' | 'throughput';

const IDENTITY = /^(cert|token):[A-Za-z0-9][A-Za-z0-9._@-]*$/;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)$/;

const Cidr = z.string().superRefine((text, ctx) => {
  try {
    parseCidr(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a CIDR such as 198.18.0.0/15` });
  }
});

const GrantSchema = z.object({
  identities: z.array(z.string().regex(IDENTITY, { message: 'an identity is cert:NAME or token:NAME' })).min(1),
  /** Empty: facts and metrics only (a Prometheus scraping agents). */
  tests: z.array(z.enum(['pmtu', 'echo', 'throughput'])),
  /** Longest throughput run (warm-up included), e.g. 30s. */
  maxDuration: z.string().regex(DURATION, { message: 'a duration such as 500ms, 30s or 2m' }).optional(),
  /** Most parallel iperf3 streams in one run. */
  maxStreams: z.number().int().min(1).optional(),
  /**
   * Most probes per second one sweep sends, all its flows together: the agent paces the sweep
   * to it (a sweep's rate is not known before it runs, so it is held to the limit, not refused).
   */
  maxProbesPerSecond: z.number().int().min(1).optional(),
  /** Where peer sweeps and iperf3 clients may go (default: anywhere a peer's responder proves its key). */
  peerCidrs: z.array(Cidr).optional(),
  /** Where echo sweeps may go; echo needs it (and the agent's own --allow still applies). */
  echoCidrs: z.array(Cidr).optional(),
}).strict();

const PolicySchema = z.object({
  /** Named tokens: each file holds one token; the request that presents it is `token:NAME`. */
  tokens: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/), z.string().min(1)).optional(),
  grants: z.array(GrantSchema).min(1),
}).strict();

export interface Grant {
  identities: string[];
  tests: PolicyTest[];
  maxDurationMs: number | null;
  maxStreams: number | null;
  maxProbesPerSecond: number | null;
  peer: BlockList | null;
  echo: BlockList | null;
  peerCidrs: string[] | null;
  echoCidrs: string[] | null;
}

export interface AgentPolicy {
  path: string;
  /** Token value by name. */
  tokens: Map<string, string>;
  grants: Grant[];
}

/** What a request asks for, in the policy's terms. `test` null: reading facts or metrics. */
export interface PolicyAction {
  test: PolicyTest | null;
  targetAddress?: string;
  durationMs?: number;
  streams?: number;
}

/** `probesPerSecond`: the pace the allowing grant holds a sweep to (the most generous of several). */
export type PolicyDecision = { allow: true; probesPerSecond: number | null } | { allow: false; reason: string };

function durationMs(text: string): number {
  const [, value, unit] = DURATION.exec(text)!;
  return Number(value) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000);
}

function blockList(cidrs: readonly string[] | undefined): BlockList | null {
  if (cidrs === undefined) return null;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const { network, prefix, family } = parseCidr(cidr);
    list.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

const within = (list: BlockList, address: string) => list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** Reads and checks a policy file; any problem is one line naming the file (and the field). */
export async function loadAgentPolicy(path: string): Promise<AgentPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read --policy ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  const document = parseDocument(text);
  if (document.errors.length > 0) throw new Error(`--policy ${path}: not YAML: ${document.errors[0]!.message.split('\n')[0]}`);
  const parsed = PolicySchema.safeParse(document.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`--policy ${path}: ${issue.path.join('.') || 'the file'}: ${issue.message}`);
  }
  const tokens = new Map<string, string>();
  for (const [name, file] of Object.entries(parsed.data.tokens ?? {})) {
    const tokenPath = resolve(dirname(path), file);
    let token: string;
    try {
      token = (await readFile(tokenPath, 'utf8')).trim();
    } catch (error) {
      throw new Error(`--policy ${path}: tokens.${name}: cannot read ${tokenPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
    }
    if (!token) throw new Error(`--policy ${path}: tokens.${name}: ${tokenPath} is empty`);
    tokens.set(name, token);
  }
  const grants = parsed.data.grants.map((g, index): Grant => {
    for (const identity of g.identities) {
      const [kind, name] = identity.split(':') as [string, string];
      if (kind === 'token' && !tokens.has(name) && name !== 'default') {
        throw new Error(`--policy ${path}: grants.${index}.identities: ${identity} names no token of tokens: (nor the --token-file token, token:default)`);
      }
    }
    return {
      identities: g.identities, tests: g.tests,
      maxDurationMs: g.maxDuration === undefined ? null : durationMs(g.maxDuration),
      maxStreams: g.maxStreams ?? null,
      maxProbesPerSecond: g.maxProbesPerSecond ?? null,
      peer: blockList(g.peerCidrs), echo: blockList(g.echoCidrs),
      peerCidrs: g.peerCidrs ?? null, echoCidrs: g.echoCidrs ?? null,
    };
  });
  return { path, tokens, grants };
}

/** Why one grant does not allow `action`; null when it does. */
function refusal(grant: Grant, action: PolicyAction): string | null {
  if (action.test === null) return null;
  if (!grant.tests.includes(action.test)) return `${action.test} is not among its tests (${grant.tests.join(', ') || 'none: facts and metrics only'})`;
  const address = action.targetAddress;
  if (address !== undefined) {
    if (action.test === 'echo' && (grant.echo === null || !within(grant.echo, address))) {
      return `echo target ${address} is outside its echoCidrs (${grant.echoCidrs?.join(', ') ?? 'none'})`;
    }
    if (action.test !== 'echo' && grant.peer !== null && !within(grant.peer, address)) {
      return `target ${address} is outside its peerCidrs (${grant.peerCidrs!.join(', ')})`;
    }
  }
  if (grant.maxDurationMs !== null && action.durationMs !== undefined && action.durationMs > grant.maxDurationMs) {
    return `${action.durationMs / 1000} s is longer than its maxDuration of ${grant.maxDurationMs / 1000} s`;
  }
  if (grant.maxStreams !== null && action.streams !== undefined && action.streams > grant.maxStreams) {
    return `${action.streams} streams are more than its maxStreams of ${grant.maxStreams}`;
  }
  return null;
}

/** Allowed when some grant naming one of `identities` allows the action; else the first grant's reason. */
export function decide(policy: AgentPolicy, identities: readonly string[], action: PolicyAction): PolicyDecision {
  const grants = policy.grants.filter((g) => g.identities.some((i) => identities.includes(i)));
  if (grants.length === 0) return { allow: false, reason: `${identities.join(' / ') || 'this caller'} has no grant in ${policy.path}` };
  const reasons = grants.map((g) => refusal(g, action));
  const allowing = grants.filter((_, i) => reasons[i] === null);
  if (allowing.length === 0) return { allow: false, reason: `policy ${policy.path}: ${reasons[0]}` };
  // Only sweeps send probes.
  if (action.test !== 'pmtu' && action.test !== 'echo') return { allow: true, probesPerSecond: null };
  const rates = allowing.map((g) => g.maxProbesPerSecond);
  return { allow: true, probesPerSecond: rates.includes(null) ? null : Math.max(...(rates as number[])) };
}
