import { z } from 'zod';

/**
 * One registry of stable error codes, shared by agent, controller and CLI, in two kinds.
 *
 * Wire codes are the ones an agent may answer with; each travels with its HTTP status.
 */
export const HTTP_STATUS_OF = {
  ERR_AUTH: 401,
  ERR_BUSY: 409,
  ERR_POLICY: 403,
  ERR_BAD_REQUEST: 400,
  ERR_NOT_FOUND: 404,
  ERR_VERSION: 400,
  ERR_PROBE_FAILED: 500,
  ERR_INTERNAL: 500,
} as const satisfies Record<string, number>;
export type WireErrorCode = keyof typeof HTTP_STATUS_OF;
export const WIRE_ERROR_CODES = Object.keys(HTTP_STATUS_OF) as [WireErrorCode, ...WireErrorCode[]];
export const WireErrorCode = z.enum(WIRE_ERROR_CODES);

/**
 * Controller-local codes describe the user's input, the controller's view of an agent (could
 * not reach it, it is no agent at all, it broke the contract) or its own store, so no agent can truthfully send
 * them: they have no HTTP status, and an agent turns any of them into ERR_INTERNAL.
 */
export const LOCAL_ERROR_CODES = [
  'ERR_USAGE',
  'ERR_INTERRUPTED',
  'ERR_AGENT_UNREACHABLE',
  'ERR_AGENT_PROTOCOL',
  'ERR_NOT_AN_AGENT',
  // TLS between controller and agent failed: unknown CA, expired certificate, wrong name, no client certificate.
  'ERR_TLS',
  // The controller's own store refused a write: its disk is full, it is read-only, or it failed.
  'ERR_STORE',
] as const;
export type LocalErrorCode = (typeof LOCAL_ERROR_CODES)[number];

export const ERROR_CODES = [...WIRE_ERROR_CODES, ...LOCAL_ERROR_CODES] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = WireErrorCode | LocalErrorCode;

/**
 * Codes that never describe a measurement, so no report or stored result carries them: they stop
 * the run instead. The published contracts' error-code enums leave them out, since adding a value
 * to an enum there is a new contract version (docs/contracts.md).
 */
export const RUN_STOPPING_ERROR_CODES = ['ERR_STORE'] as const satisfies readonly LocalErrorCode[];
/** The error codes a measurement's error record (a direction, a throughput cell) may carry. */
export const RecordedErrorCode = ErrorCode.exclude(RUN_STOPPING_ERROR_CODES);
export type RecordedErrorCode = z.infer<typeof RecordedErrorCode>;

/** The code an error record carries: a run-stopping code is thrown past any measurement, so one that got here anyway is a bug (ERR_INTERNAL). */
export function recordedErrorCode(code: ErrorCode): RecordedErrorCode {
  return (RUN_STOPPING_ERROR_CODES as readonly ErrorCode[]).includes(code) ? 'ERR_INTERNAL' : (code as RecordedErrorCode);
}

export function isWireErrorCode(code: string): code is WireErrorCode {
  return Object.hasOwn(HTTP_STATUS_OF, code);
}

/** The body of every error response. */
export const ErrorResponse = z.object({
  v: z.number().int(),
  error: z.object({
    code: WireErrorCode,
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

  /** `reason` itself when it already has a code, so a code chosen deeper down is never overwritten. */
  static from(reason: unknown, fallbackCode: ErrorCode = 'ERR_INTERNAL'): PathprobeError {
    if (reason instanceof PathprobeError) return reason;
    const message = reason instanceof Error ? reason.message : String(reason);
    return new PathprobeError(fallbackCode, message, { cause: reason });
  }
}
