import type { PathVerdict } from '../model/verdicts.js';

/** How a path MTU verdict looks: a CSS class for colour, and a symbol and words so colour is never the only signal. */
export const VERDICT_STYLE: Record<PathVerdict, { cls: string; symbol: string; words: string }> = {
  ok: { cls: 'v-ok', symbol: '✓', words: 'ok' },
  'silent-drop': { cls: 'v-silent', symbol: '✕', words: 'silent drop' },
  'frag-needed': { cls: 'v-frag', symbol: '▲', words: 'frag-needed' },
  'mtu-mismatch': { cls: 'v-mismatch', symbol: '≠', words: 'MTU mismatch' },
  unreachable: { cls: 'v-unreachable', symbol: '?', words: 'unreachable' },
  error: { cls: 'v-unreachable', symbol: '!', words: 'error' },
};
