import { z } from 'zod';
import { IpAddress } from './ipAddress.js';

/**
 * POST /v1/responders: the receiving agent opens a UDP responder on one of its own addresses.
 * It acknowledges only probes that carry `keyHex`, so only the sweep the controller set up is
 * answered, and the sender can tell a real responder from anything else.
 */
export const OpenResponderRequest = z.object({
  v: z.number().int(),
  bindAddress: IpAddress,
  /** The responder closes itself after this long even if nobody closes it. */
  ttlMs: z.number().int().min(1000).max(600_000).default(120_000),
}).strict();
export type OpenResponderRequest = z.infer<typeof OpenResponderRequest>;

export const OpenResponderResponse = z.object({
  v: z.number().int(),
  responderId: z.string(),
  address: IpAddress,
  port: z.number().int().min(1).max(65535),
  keyHex: z.string().regex(/^[0-9a-f]{32}$/),
  expiresAtMs: z.number(),
});
export type OpenResponderResponse = z.infer<typeof OpenResponderResponse>;

/** DELETE /v1/responders/:id */
export const CloseResponderResponse = z.object({
  v: z.number().int(),
  responderId: z.string(),
  probesAnswered: z.number().int(),
});
export type CloseResponderResponse = z.infer<typeof CloseResponderResponse>;
