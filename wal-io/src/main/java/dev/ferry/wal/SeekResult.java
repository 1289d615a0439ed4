package dev.ferry.wal;

/**
 * What seeking a cursor to an offset found: exactly one of four answers.
 */
public enum SeekResult
{
    /** The entry exists; the cursor's next read returns it. */
    FOUND,
    /** The offset is the WAL's next offset: nothing to read yet, the cursor waits there for new entries. */
    CAUGHT_UP,
    /** The entry was deleted by retention: the reader needs a snapshot. The cursor did not move. */
    TOO_OLD,
    /** The offset is beyond the WAL's next offset: the reader has a history this WAL does not. The cursor did not move. */
    FUTURE
}
