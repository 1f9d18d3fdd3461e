/** Forward: from a pair's first endpoint to its second (a → b); reverse: the way back. */
export type Direction = 'forward' | 'reverse';

export const DIRECTIONS: readonly Direction[] = ['forward', 'reverse'];
