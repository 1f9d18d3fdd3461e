import { z } from 'zod';

/**
 * GET /v1/health: the agent's event loop is running. Cheap on purpose (no process, no socket):
 * the controller asks it while a long request is in flight, to tell a hung agent from a slow test.
 */
export const AgentHealthResponse = z.object({
  v: z.number().int(),
  uptimeMs: z.number().int().nonnegative(),
});
export type AgentHealthResponse = z.infer<typeof AgentHealthResponse>;
