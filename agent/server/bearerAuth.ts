import { createHash, timingSafeEqual } from 'node:crypto';

/** The name of the --token-file token, as policies call it (`token:default`). */
export const DEFAULT_TOKEN_NAME = 'default';

/**
 * Which named token an `Authorization: Bearer <token>` header carries, or null for none of them.
 * Compared in constant time over digests, so neither the length nor the content of any expected
 * token leaks through timing, and every token is compared whichever matches.
 */
export function createBearerCheck(tokens: ReadonlyMap<string, string>): (authorization: string | undefined) => string | null {
  const expected = [...tokens].map(([name, token]) => ({ name, digest: createHash('sha256').update(token).digest() }));
  return (authorization) => {
    const presented = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
    const digest = createHash('sha256').update(presented).digest();
    let found: string | null = null;
    for (const { name, digest: want } of expected) if (timingSafeEqual(digest, want) && presented.length > 0 && found === null) found = name;
    return found;
  };
}
