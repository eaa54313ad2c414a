/** The protocol's numbers, declared once (plain constants: the agent imports them as values). */

export const PROTOCOL_VERSION = 1;

/** The host ports the control plane gives an HDA's installs automatically. */
export const HOST_PORT_RANGE = { from: 35001, to: 65535 } as const;
/** Ports an owner may choose for an install. */
export const OWNER_PORT_RANGE = { from: 1024, to: 65535 } as const;

/** The 5-minute window the agent averages app metrics over. */
export const METRICS_WINDOW_S = 300;
/** Most metric windows one heartbeat may carry; the agent sends older ones on the next beats. */
export const METRICS_PER_HEARTBEAT_MAX = 1000;
/** Most apps one heartbeat may report. */
export const APPS_PER_HEARTBEAT_MAX = 500;
/** Seconds until the control plane wants the next unchanged heartbeat. */
export const HEARTBEAT_INTERVAL_S = 30;

/** Longest long-poll a client may ask for, in seconds. */
export const MAX_POLL_WAIT_S = 30;
/** How long a claimed task stays with an agent before the server may hand it out again. */
export const DEFAULT_LEASE_S = 300;

/** Most events one report may carry. */
export const EVENTS_PER_REPORT_MAX = 500;
/**
 * Free-form event data nests at most this deep. Storing and serving it recurses once per level
 * (JSON.stringify), so a few thousand levels of `[[[...]]]` ran out of stack and answered 500.
 */
export const EVENT_DATA_MAX_DEPTH = 32;
