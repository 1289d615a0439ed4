/**
 * Idle strategies for duty-cycle threads, as in Agrona: what a thread does when a pass found no work. Busy-spin and
 * yield burn a whole core; backoff and park do not. See {@link dev.ferry.net.idle.IdleStrategy}.
 */
package dev.ferry.net.idle;
