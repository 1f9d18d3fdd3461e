/** One request as the audit trail keeps it: who asked for what, and what the agent decided. */
export interface AuditEntry {
  time: string;
  remote: string | null;
  /** Every identity the caller proved: `cert:NAME` (client certificate), `token:NAME`; `anonymous` with no auth. */
  identities: string[];
  method: string;
  path: string;
  /** The route's name in the agent API, null for an unknown endpoint or a failed handshake. */
  route: string | null;
  decision: 'allow' | 'deny';
  /** Why it was refused (auth, version, schema, policy, busy) or failed; absent when it succeeded. */
  reason?: string;
  status: number;
  durationMs: number;
}

/** One JSON line per entry, written as it happens: an audit trail must not wait for a flush. */
export function createAuditLog(write: (line: string) => void): (entry: AuditEntry) => void {
  return (entry) => write(`${JSON.stringify(entry)}\n`);
}
