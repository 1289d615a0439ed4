/**
 * Ferry's errors, for every module: the stable {@link dev.ferry.error.ErrorCode}s (on the wire in {@code ERROR}
 * messages), the {@link dev.ferry.error.ErrorCategory} of each that decides what is done about it, and the root
 * exception {@link dev.ferry.error.FerryException}.
 */
package dev.ferry.error;
