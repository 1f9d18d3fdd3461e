import { z } from 'zod';

/** One registry of stable error codes, shared by agent, controller and CLI. */
export const ERROR_CODES = [
  'ERR_AUTH',
  'ERR_BUSY',
  'ERR_POLICY',
  'ERR_BAD_REQUEST',
  'ERR_NOT_FOUND',
  'ERR_VERSION',
  'ERR_PROBE_FAILED',
  'ERR_AGENT_UNREACHABLE',
  'ERR_AGENT_PROTOCOL',
  'ERR_USAGE',
  'ERR_INTERRUPTED',
  'ERR_INTERNAL',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The body of every error response. */
export const ErrorResponse = z.object({
  v: z.number().int(),
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorResponse = z.infer<typeof ErrorResponse>;

/** An error with a stable code that keeps its cause. */
export class PathprobeError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PathprobeError';
    this.code = code;
    if (options?.details) this.details = options.details;
  }

  /** `reason` itself when it already has a code, else wrapped under `fallbackCode`, keeping it as the cause. */
  static from(reason: unknown, fallbackCode: ErrorCode = 'ERR_INTERNAL'): PathprobeError {
    if (reason instanceof PathprobeError) return reason;
    const message = reason instanceof Error ? reason.message : String(reason);
    return new PathprobeError(fallbackCode, message, { cause: reason });
  }
}

/** HTTP status each code travels with. */
export const HTTP_STATUS_OF: Record<ErrorCode, number> = {
  ERR_AUTH: 401,
  ERR_BUSY: 409,
  ERR_POLICY: 403,
  ERR_BAD_REQUEST: 400,
  ERR_NOT_FOUND: 404,
  ERR_VERSION: 400,
  ERR_PROBE_FAILED: 500,
  ERR_AGENT_UNREACHABLE: 502,
  ERR_AGENT_PROTOCOL: 502,
  ERR_USAGE: 400,
  ERR_INTERRUPTED: 503,
  ERR_INTERNAL: 500,
};
