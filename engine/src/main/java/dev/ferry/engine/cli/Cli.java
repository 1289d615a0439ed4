package dev.ferry.engine.cli;

import dev.ferry.error.ErrorCode;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalConfig;
import dev.ferry.wal.WalCursor;
import dev.ferry.wal.WalException;

import java.nio.file.Path;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/**
 * Helpers shared by subcommands.
 */
final class Cli
{
    private Cli()
    {
    }

    static void event(final String message)
    {
        System.err.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " " + message);
    }

    static WalConfig readOnlyWal(final Path dir)
    {
        return new WalConfig().directory(dir).readOnly(true); // the roll cycle is read from the WAL itself
    }

    static void seekOrThrow(final Wal wal, final WalCursor cursor, final long offset)
    {
        switch (cursor.seek(offset))
        {
            case TOO_OLD -> throw new WalException(ErrorCode.RETENTION, "offset " + offset +
                " was deleted by retention; the oldest retained offset is " + wal.oldestOffset());
            case FUTURE -> throw new WalException(ErrorCode.CONFIGURATION, "offset " + offset +
                " is beyond the next offset " + wal.nextOffset());
            default ->
            {
            }
        }
    }
}
