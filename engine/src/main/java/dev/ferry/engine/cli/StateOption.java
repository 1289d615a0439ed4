package dev.ferry.engine.cli;

import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.engine.state.StateMachine;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code --state kv|none} of a command that runs a node: what its entries are, and so whether it applies them to the
 * built-in key-value state machine.
 */
final class StateOption
{
    @Option(names = "--state", paramLabel = "kv|none", defaultValue = "kv",
        description = {"What the entries are (default: ${DEFAULT-VALUE}). kv: key-value entries, applied to the node's "
            + "key-value state (snapshots in <wal>/state; look inside with ferry kv). none: raw entries, a log shipped as "
            + "it is. Give a replica the same as its primary."})
    String state;

    /**
     * @param commandLine for a usage error.
     * @return whether the entries are key-value entries.
     */
    boolean kv(final CommandLine commandLine)
    {
        if (!"kv".equals(state) && !"none".equals(state))
        {
            throw new CommandLine.ParameterException(commandLine, "--state must be kv or none, was " + state);
        }
        return "kv".equals(state);
    }

    /**
     * @param commandLine for a usage error.
     * @return a new key-value state machine, or null under {@code --state none}.
     */
    StateMachine stateMachine(final CommandLine commandLine)
    {
        return kv(commandLine) ? new KvStateMachine() : null;
    }
}
