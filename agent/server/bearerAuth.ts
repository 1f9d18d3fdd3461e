import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks an `Authorization: Bearer <token>` header in constant time. Both sides are hashed first
 * so that neither the length nor the content of the expected token leaks through timing.
 */
export function createBearerCheck(expectedToken: string | null): (authorization: string | undefined) => boolean {
  if (expectedToken === null) return () => true;
  const expectedDigest = createHash('sha256').update(expectedToken).digest();
  return (authorization) => {
    const presented = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
    const presentedDigest = createHash('sha256').update(presented).digest();
    return timingSafeEqual(presentedDigest, expectedDigest) && presented.length > 0;
  };
}
