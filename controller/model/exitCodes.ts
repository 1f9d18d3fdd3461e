import { PathprobeError, type ErrorCode } from '../../proto/errorCodes.js';

export const EXIT_OK = 0;
export const EXIT_FINDING = 1;
export const EXIT_USAGE = 2;
export const EXIT_CANNOT_RUN = 3;
/** 128 + SIGINT, as shells report a command stopped by Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

const EXIT_CODE_OF: Record<ErrorCode, number> = {
  ERR_USAGE: EXIT_USAGE,
  ERR_BAD_REQUEST: EXIT_USAGE,
  ERR_AUTH: EXIT_USAGE,
  ERR_POLICY: EXIT_USAGE,
  ERR_TLS: EXIT_USAGE,
  ERR_NOT_FOUND: EXIT_CANNOT_RUN,
  ERR_VERSION: EXIT_CANNOT_RUN,
  ERR_AGENT_UNREACHABLE: EXIT_CANNOT_RUN,
  ERR_AGENT_PROTOCOL: EXIT_CANNOT_RUN,
  ERR_NOT_AN_AGENT: EXIT_CANNOT_RUN,
  ERR_BUSY: EXIT_CANNOT_RUN,
  ERR_PROBE_FAILED: EXIT_CANNOT_RUN,
  ERR_INTERRUPTED: EXIT_INTERRUPTED,
  ERR_INTERNAL: EXIT_CANNOT_RUN,
  ERR_STORE: EXIT_CANNOT_RUN,
};

/** Usage and refused requests are the user's to fix (2); everything else means "could not run" (3). */
export function exitCodeOf(error: unknown): number {
  return error instanceof PathprobeError ? EXIT_CODE_OF[error.code] : EXIT_CANNOT_RUN;
}
