package dev.ferry.engine.cli;

import dev.ferry.error.ErrorCode;
import dev.ferry.wal.Wal;
import dev.ferry.wal.WalDigest;
import dev.ferry.wal.WalException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code ferry checksum}: one line {@code first=A last=B count=N digest=HEX}.
 */
@Command(name = "checksum", mixinStandardHelpOptions = true,
    description = {"Print first=A last=B count=N digest=HEX: a SHA-256 over (offset, payload) of each entry in order.",
        "Works on a WAL another process is writing (reads the prefix present when it starts)."})
final class ChecksumCommand implements Callable<Integer>
{
    @Option(names = "--wal", required = true, paramLabel = "DIR", description = "The WAL directory.")
    Path wal;

    @Option(names = "--from", paramLabel = "A", description = "First offset (default: the oldest retained).")
    Long from;

    @Option(names = "--to", paramLabel = "B", description = "Last offset, inclusive (default: the last present).")
    Long to;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        if ((from != null && from < 0) || (to != null && to < 0))
        {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--from and --to must be >= 0");
        }
        try (Wal w = Wal.open(Cli.readOnlyWal(wal)))
        {
            w.refresh();
            if (from != null && from > w.nextOffset())
            {
                throw new WalException(ErrorCode.CONFIGURATION, "--from " + from + " is beyond the next offset " + w.nextOffset());
            }
            System.out.println(WalDigest.of(w, from == null ? -1 : from, to == null ? -1 : to));
        }
        return 0;
    }
}
