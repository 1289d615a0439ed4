package dev.ferry.engine.cli;

import dev.ferry.engine.resp.RespConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The Redis-protocol options of a command that runs a node ({@code primary}, {@code replica}).
 */
final class RespOptions
{
    @Option(names = "--resp", paramLabel = "HOST:PORT", converter = Converters.Address.class,
        description = "Serve Redis clients (RESP2: redis-cli, redis-benchmark, any Redis library) on this address, on "
            + "the node's key-value state (needs --state kv). A replica serves reads and answers writes with READONLY. "
            + "Without --resp-password-file it asks no password: bind it where only trusted clients reach it.")
    InetSocketAddress resp;

    @Option(names = "--resp-password-file", paramLabel = "F",
        description = "Make AUTH required on the --resp listener, with the password in this file (its first line), "
            + "as Redis' requirepass does.")
    Path passwordFile;

    /**
     * @param commandLine for the error.
     * @return the listener's settings, or null without {@code --resp}.
     */
    RespConfig config(final CommandLine commandLine)
    {
        if (resp == null)
        {
            if (passwordFile != null)
            {
                throw new CommandLine.ParameterException(commandLine, "--resp-password-file needs --resp HOST:PORT");
            }
            return null;
        }
        return new RespConfig(resp, passwordFile == null ? null : RespConfig.readPassword(passwordFile));
    }
}
