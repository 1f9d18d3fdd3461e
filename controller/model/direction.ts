/** Forward: from a pair's first endpoint to its second (a → b); reverse: the way back. */
export const DIRECTIONS = ['forward', 'reverse'] as const;
export type Direction = (typeof DIRECTIONS)[number];
