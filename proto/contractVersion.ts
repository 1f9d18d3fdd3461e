import { quoteClipped } from './quoteClipped.js';

/**
 * The wire contract's version. Every request and response carries it as `v`; a receiver that does
 * not know a version refuses the message and names the versions it speaks.
 */
export const CONTRACT_VERSION = 1;
export const SUPPORTED_CONTRACT_VERSIONS: readonly number[] = [1];

/** null when `v` is spoken here, otherwise the sentence that explains the refusal. */
export function contractVersionProblem(v: unknown, speaker: string): string | null {
  if (typeof v === 'number' && SUPPORTED_CONTRACT_VERSIONS.includes(v)) return null;
  const got = v === undefined ? 'no contract version' : `contract version ${quoteClipped(v)}`;
  return `${speaker} speaks contract version ${SUPPORTED_CONTRACT_VERSIONS.join(', ')}, got ${got}`;
}
