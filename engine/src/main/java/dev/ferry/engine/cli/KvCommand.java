package dev.ferry.engine.cli;

import dev.ferry.engine.state.Applier;
import dev.ferry.engine.state.KvEntry;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.engine.state.StateStore;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.Wal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ferry kv get|dump}: the key-value state a node's WAL holds, read-only and beside a running node (nothing is
 * written). The state is rebuilt as the node rebuilds it: its newest state snapshot, then the WAL's entries after it
 * (without a snapshot, from its oldest retained entry), the same way on every node, so two nodes' dumps compare with
 * {@code diff}.
 */
@Command(name = "kv", mixinStandardHelpOptions = true,
    description = "Look inside a node's key-value state (entries written under --state kv), read-only.",
    subcommands = {KvCommand.Get.class, KvCommand.Dump.class})
final class KvCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "give a subcommand: get or dump");
    }

    /** The options both subcommands share. */
    static class Source
    {
        @Option(names = "--wal", required = true, paramLabel = "DIR", description = "The node's WAL directory.")
        Path wal;

        @Option(names = "--db", paramLabel = "N", defaultValue = "0", description = "The database, 0 to 15 (default: 0).")
        int db;

        KvStateMachine load(final CommandLine commandLine)
        {
            if (db < 0 || db >= KvEntry.DATABASES)
            {
                throw new CommandLine.ParameterException(commandLine, "--db must be 0 to " + (KvEntry.DATABASES - 1));
            }
            try (Wal w = Wal.open(Cli.readOnlyWal(wal)))
            {
                // the node's newest state snapshot, then the WAL after it; without one, the WAL from its oldest entry
                final KvStateMachine state = new KvStateMachine(w.oldestOffset());
                if (w.oldestOffset() > 0 && new StateStore(wal).newestOffset() < 0)
                {
                    System.err.println("ferry kv: no state snapshot and the WAL starts at offset " + w.oldestOffset() +
                        " (older entries were deleted by retention): keys written only before it are not shown");
                }
                final List<String> notes = new ArrayList<>(); // said unless an error says it all in one line
                try (Applier applier = Applier.openReadOnly(w, state, notes::add))
                {
                    // up to the head seen now: a node appending meanwhile cannot keep this from ending
                    final long head = w.nextOffset();
                    while (applier.appliedOffset() < head && applier.lastError() == null &&
                        applier.doWork(System.nanoTime()) > 0)
                    {
                        // applying
                    }
                    if (applier.lastError() != null)
                    {
                        throw applier.lastError();
                    }
                }
                notes.forEach(note -> System.err.println("ferry kv: " + note));
                return state;
            }
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
        description = "Print a key's value (exit 1 if the key is absent or expired).")
    static final class Get extends Source implements Callable<Integer>
    {
        @Parameters(paramLabel = "KEY", description = "The key (UTF-8).")
        String key;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call()
        {
            final KvStateMachine state = load(spec.commandLine());
            final byte[] value = state.get(db, MemorySegment.ofArray(key.getBytes(StandardCharsets.UTF_8)),
                System.currentTimeMillis());
            if (value == null)
            {
                throw new FerryException(ErrorCode.CONFIGURATION, "key '" + key + "' is not in database " + db +
                    " (state at offset " + state.appliedOffset() + ")");
            }
            System.out.println(printable(value));
            return 0;
        }
    }

    @Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Print every live key of a database as key<TAB>value, in key order (bytes compared unsigned).")
    static final class Dump extends Source implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException
        {
            final KvStateMachine state = load(spec.commandLine());
            try (BufferedWriter out =
                     new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16))
            {
                state.forEachLive(db, System.currentTimeMillis(), (key, value, expiry) ->
                {
                    try
                    {
                        out.append(printable(key)).append('\t').append(printable(value)).append('\n');
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException(ex);
                    }
                });
            }
            return 0;
        }
    }

    /**
     * @return the bytes as UTF-8 text with tab, line breaks, backslash, other control characters and bytes that are not
     *         UTF-8 escaped ({@code \t}, {@code \n}, {@code \r}, {@code \\}, {@code \xHH}): one line per key, always.
     */
    static String printable(final byte[] bytes)
    {
        final StringBuilder text = new StringBuilder(bytes.length + 8);
        int i = 0;
        while (i < bytes.length)
        {
            final int b = bytes[i] & 0xFF;
            final int length = b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 :
                b >= 0xF0 && b <= 0xF4 ? 4 : 0;
            if (length > 1 && i + length <= bytes.length)
            {
                final String decoded = new String(bytes, i, length, StandardCharsets.UTF_8);
                if (decoded.length() >= 1 && decoded.indexOf('\uFFFD') < 0)
                {
                    text.append(decoded);
                    i += length;
                    continue;
                }
            }
            switch (b)
            {
                case '\t' -> text.append("\\t");
                case '\n' -> text.append("\\n");
                case '\r' -> text.append("\\r");
                case '\\' -> text.append("\\\\");
                default ->
                {
                    if (b >= 0x20 && b < 0x7F)
                    {
                        text.append((char)b);
                    }
                    else
                    {
                        text.append(String.format("\\x%02x", b));
                    }
                }
            }
            i++;
        }
        return text.toString();
    }
}
