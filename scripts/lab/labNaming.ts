import { randomBytes } from 'node:crypto';

/**
 * Every lab namespace is `pp` + a 6-hex-digit lab id + `-` + node name (≤ 6 chars): at most 15
 * characters, unique per lab so parallel test files never collide, and matched by a pattern strict
 * enough that cleanup can never touch anything it did not make.
 */
export const LAB_ID_PATTERN = /^[0-9a-f]{6}$/;
export const LAB_NETNS_PATTERN = /^pp([0-9a-f]{6})-([a-z][a-z0-9]{0,5})$/;

export function newLabId(): string {
  return randomBytes(3).toString('hex');
}

export function netnsName(labId: string, node: string): string {
  return `pp${labId}-${node}`;
}

/** The lab id of a namespace name we own, or undefined for any other name. */
export function labIdOfNetns(netns: string): string | undefined {
  return LAB_NETNS_PATTERN.exec(netns)?.[1];
}
