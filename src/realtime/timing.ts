/**
 * The timing constants more than one module of the core depends on, defined once. Constants that
 * only one module uses live beside their code, each with its reason.
 */

/**
 * One 60 Hz frame, rounded up so that 60 notifications/s is a ceiling: stores rebuild and notify
 * at most once per frame, and the default `requestFrame` is a timer of this length (not
 * requestAnimationFrame, which stops in background tabs, where stores must keep absorbing).
 */
export const FRAME_MS = 17;

/**
 * Presence budget per channel: Realtime closes a channel after 5 track/untrack calls in 30 s
 * (§4.4, "Client presence rate limit exceeded"); the channel registry sends at most 4, keeping
 * one spare for the re-track after a re-join.
 */
export const PRESENCE_TRACKS_PER_WINDOW = 4;
/** The 30 s window of Realtime's presence limit (§4.4), over which the tracks above are counted. */
export const PRESENCE_TRACK_WINDOW_MS = 30_000;

/**
 * How long a released channel (and the core, and a publisher record's store) outlives its last
 * user: longer than StrictMode's unmount/re-mount and a page switch's unmount-then-mount, so those
 * reuse it instead of leaving and re-joining (which also counts against the joins/s limit).
 */
export const DEFAULT_CHANNEL_GRACE_MS = 1500;

/**
 * How often a persisted stream re-reads its table while it has a subscriber: the bound on how long
 * a silently dropped broadcast stays missing, for one small indexed request per stream per
 * interval per tab (catch-up.ts).
 */
export const DEFAULT_CATCH_UP_INTERVAL_MS = 2500;
