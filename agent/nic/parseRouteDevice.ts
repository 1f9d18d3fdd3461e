/** The `dev` of `ip -j route get ADDRESS`; throws a one-line error when there is none. Pure. */
export function parseRouteDevice(stdout: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new Error(`ip -j route get: not JSON: ${JSON.stringify(stdout.slice(0, 60))}`);
  }
  const first: unknown = Array.isArray(parsed) ? parsed[0] : undefined;
  const dev = typeof first === 'object' && first !== null ? (first as { dev?: unknown }).dev : undefined;
  if (typeof dev !== 'string' || dev === '') throw new Error('ip -j route get: the route names no dev');
  return dev;
}
