package dev.ferry.engine.cli;

import dev.ferry.error.FerryException;
import picocli.CommandLine.Command;
import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * {@code ferry}: the command line. Errors are one line on stderr: exit 2 for a usage error (wrong flag or value),
 * 1 for a failure while running.
 */
@Command(
    name = "ferry",
    mixinStandardHelpOptions = true,
    version = "ferry 0.1.0",
    description = "Replicates a write-ahead log from a primary to its replicas.",
    subcommands = {DemoCommand.class, PrimaryCommand.class, ReplicaCommand.class, StatusCommand.class, DumpCommand.class,
        ChecksumCommand.class, KvCommand.class, PromoteCommand.class, SlotsCommand.class, ArchiveCommand.class,
        RestoreCommand.class})
public final class Ferry implements Runnable
{
    /** Exit code for a usage error. */
    public static final int EXIT_USAGE = 2;
    /** Exit code for a failure while running. */
    public static final int EXIT_FAILURE = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand; one of: " +
            String.join(", ", spec.subcommands().keySet()));
    }

    /**
     * @param args the command line.
     */
    public static void main(final String[] args)
    {
        System.exit(execute(args));
    }

    /**
     * Run a command line without exiting the JVM.
     *
     * @param args the command line.
     * @return the exit code.
     */
    public static int execute(final String... args)
    {
        return commandLine().execute(args);
    }

    static CommandLine commandLine()
    {
        final CommandLine cli = new CommandLine(new Ferry());
        cli.setParameterExceptionHandler((ex, args) ->
        {
            final PrintWriter err = ex.getCommandLine().getErr();
            String message = ex.getMessage();
            if (ex instanceof CommandLine.MissingParameterException)
            {
                for (final String arg : args)
                {
                    if (arg.matches("--?[A-Za-z].*") &&
                        ex.getCommandLine().getCommandSpec().findOption(arg.split("=", 2)[0]) == null)
                    {
                        message = "Unknown option: '" + arg + "'"; // the typo, not the option it pushed out
                        break;
                    }
                }
            }
            err.println(ex.getCommandLine().getCommandName() + ": " + message +
                " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) ->
        {
            final PrintWriter err = commandLine.getErr();
            if (ex instanceof FerryException fe)
            {
                err.println(commandLine.getCommandSpec().qualifiedName() + ": " + fe.messageWithAdvice());
            }
            else
            {
                err.println(commandLine.getCommandSpec().qualifiedName() + ": INTERNAL: " + ex);
            }
            return EXIT_FAILURE;
        });
        return cli;
    }
}
