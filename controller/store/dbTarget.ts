/*
 * What `--db` names: an SQLite file path (the default, pathprobe.sqlite) or a PostgreSQL URL.
 * `shown` is what every message prints: the URL with its password (and any password query
 * parameter) replaced by ***, so a log or terminal never carries it.
 */

export type DbTarget =
  | { engine: 'sqlite'; path: string; shown: string }
  | { engine: 'postgres'; url: string; shown: string };

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

export function dbTarget(db: string): DbTarget {
  if (!POSTGRES_URL.test(db)) return { engine: 'sqlite', path: db, shown: db };
  return { engine: 'postgres', url: db, shown: withoutPassword(db) };
}

function withoutPassword(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not parseable as a URL (the driver will say why): hide everything between :// and @.
    return url.replace(/^([a-z]+:\/\/)[^@/]*@/i, '$1***@');
  }
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (/password/i.test(key)) parsed.searchParams.set(key, '***');
  }
  // URL keeps *** as is in the userinfo but percent-encodes it in the query; messages show it plainly.
  return parsed.toString().replace(/%2A%2A%2A/gi, '***');
}
