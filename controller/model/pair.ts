import type { Direction } from './direction.js';
import { endpointKey, type Endpoint } from './endpoint.js';

/** An unordered pair of endpoints, `a` first in plan order; forward = a → b. */
export interface Pair {
  id: string;
  a: Endpoint;
  b: Endpoint;
}

export function pairId(a: Endpoint, b: Endpoint): string {
  return `${endpointKey(a)}~${endpointKey(b)}`;
}

/** Who sends and who receives in one direction of a pair. */
export function pairEnds(pair: Pair, direction: Direction): { sender: Endpoint; receiver: Endpoint } {
  return direction === 'forward' ? { sender: pair.a, receiver: pair.b } : { sender: pair.b, receiver: pair.a };
}
