package dev.ferry.wal;

/**
 * What a retention pass did.
 *
 * @param cyclesDeleted  roll-cycle files deleted.
 * @param bytesDeleted   bytes those files held.
 * @param oldestOffset   the oldest offset retained after the pass.
 * @param heldByFloor    true if a cycle the policy would delete was kept because of the floor.
 */
public record RetentionResult(int cyclesDeleted, long bytesDeleted, long oldestOffset, boolean heldByFloor)
{
}
