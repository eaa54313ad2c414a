/**
 * Agent protocol v1: the JSON the control plane (worker/) and the HDA agent (agent/) exchange, as zod
 * schemas with the TypeScript types derived from them. The control plane validates with the schemas;
 * the agent imports only types from the schema modules (and values from the zod-free kinds.ts and
 * limits.ts), so loading it never loads zod.
 *
 *   POST /agent/v1/enroll              EnrollRequest      -> EnrollResponse
 *   GET  /agent/v1/tasks?wait=S                            -> 200 TasksResponse | 204
 *   POST /agent/v1/tasks/:id/events    TaskEventInput[]   -> TaskEventsAck
 *   POST /agent/v1/tasks/:id/result    TaskResultInput    -> TaskResultAck
 *   POST /agent/v1/tasks/:id/release                      -> ReleaseResponse
 *   POST /agent/v1/heartbeat           HeartbeatInput     -> HeartbeatResponse
 *   GET  /agent/v1/channel             WebSocket: "ping" -> "pong"; server -> agent ChannelFrame (ring)
 */
export * from './channel';
export * from './channel-frames';
export * from './claim';
export * from './enrollment';
export * from './errors';
export * from './events';
export * from './heartbeat';
export * from './kinds';
export * from './lan';
export * from './lan-settings';
export * from './limits';
export * from './payload';
export * from './result';
export * from './version';
