package dev.ferry.engine.cli;

import dev.ferry.wal.Wal;
import dev.ferry.wal.WalCursor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code ferry dump}: entries as {@code offset<TAB>timestamp<TAB>length<TAB>hex}.
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
    description = "Print a WAL's entries: offset<TAB>timestampNs<TAB>length<TAB>hex payload.")
final class DumpCommand implements Callable<Integer>
{
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    @Option(names = "--wal", required = true, paramLabel = "DIR", description = "The WAL directory.")
    Path wal;

    @Option(names = "--from", paramLabel = "OFFSET", description = "First offset (default: the oldest retained).")
    Long from;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "" + Long.MAX_VALUE, description = "At most N entries.")
    long limit;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException
    {
        if (limit < 0 || (from != null && from < 0))
        {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--from and --limit must be >= 0");
        }
        try (Wal w = Wal.open(Cli.readOnlyWal(wal));
             WalCursor cursor = w.cursor();
             BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16))
        {
            final long start = from == null ? w.oldestOffset() : from;
            Cli.seekOrThrow(w, cursor, start);
            final StringBuilder line = new StringBuilder(256);
            long remaining = limit;
            while (remaining > 0)
            {
                final int read = cursor.poll(e ->
                {
                    line.setLength(0);
                    line.append(e.offset()).append('\t').append(e.timestampNs()).append('\t').append(e.length()).append('\t');
                    for (int i = 0; i < e.length(); i++)
                    {
                        final int b = e.payloadByte(i) & 0xFF;
                        line.append(HEX[b >>> 4]).append(HEX[b & 0xF]);
                    }
                    line.append('\n');
                    try
                    {
                        out.append(line);
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException(ex);
                    }
                    return true;
                }, (int)Math.min(remaining, 1024));
                if (read == 0)
                {
                    break;
                }
                remaining -= read;
            }
        }
        return 0;
    }
}
