package dev.ferry.engine.resp;

import dev.ferry.engine.AckLevel;
import dev.ferry.engine.state.KvEntry;
import dev.ferry.engine.state.KvEntryWriter;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.error.FerryException;

import java.lang.foreign.MemorySegment;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Redis' string, bit, keyspace, connection and server commands on a node's key-value state, with Redis' replies and
 * error texts (Redis 7.0 is the reference: the differential test runs the same commands against {@code redis-server}).
 * <p>
 * A write is computed against the state, written as one key-value entry (an atomic list of operations: {@code MSET},
 * {@code RENAME}, {@code FLUSHDB} are one entry each) and handed to {@link RespNode#write}, which appends and applies
 * it before the next command runs, so every command sees every earlier one. Expiry times in entries are absolute, so
 * a replica expires the same keys as its primary. Runs on the node's thread only.
 */
final class KvCommands
{
    static final String VERSION = "7.0.0";
    private static final byte[] EMPTY = new byte[0];
    private static final String SYNTAX = "ERR syntax error";
    private static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    private static final String NOT_FLOAT = "ERR value is not a valid float";
    private static final String READONLY = "READONLY You can't write against a read only replica.";
    private static final String LONG_STRING = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    /** Redis' default proto-max-bulk-len, which bounds bit offsets even where Ferry's value limit does not matter. */
    private static final long REDIS_MAX_BULK_BYTES = 512L * 1024 * 1024;
    private static final byte[] PONG = "+PONG\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ZERO = ":0\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ONE = ":1\r\n".getBytes(StandardCharsets.US_ASCII);

    /** A command's code. */
    @FunctionalInterface
    interface Handler
    {
        void run(RespClient client, List<byte[]> args);
    }

    /** A command as {@code COMMAND} describes it, with its code. */
    record Command(String name, int arity, List<String> flags, int firstKey, int lastKey, int step, String group,
        String summary, Handler handler, Map<String, Command> subcommands)
    {
        boolean write()
        {
            return flags.contains("write");
        }

        boolean noAuth()
        {
            return flags.contains("no-auth");
        }

        boolean arityOk(final int argc)
        {
            return arity > 0 ? argc == arity : argc >= -arity;
        }
    }

    private final RespNode node;
    private final RespServer server;
    private final int maxValueBytes;
    private final KvEntryWriter writer = new KvEntryWriter(256);
    private final Map<String, Command> table = new HashMap<>();
    private final SplittableRandom random = new SplittableRandom();
    private long now;
    private KvStateMachine state;

    KvCommands(final RespNode node, final RespServer server, final int maxValueBytes)
    {
        this.node = node;
        this.server = server;
        this.maxValueBytes = maxValueBytes;
        define();
    }

    /** @return every command, by lower-case name. */
    Map<String, Command> table()
    {
        return table;
    }

    /**
     * Execute one request and write its reply (or block the client: {@code WAIT}, a synchronous write).
     */
    void execute(final RespClient c, final List<byte[]> args)
    {
        final String name = lower(args.get(0));
        Command command = table.get(name);
        if (command == null)
        {
            final StringBuilder text = new StringBuilder();
            for (int i = 1; i < args.size() && text.length() < 128; i++)
            {
                final String arg = cString(args.get(i));
                final int room = 128 - text.length(); // Redis: "'%.*s' " with 128 less what it has written
                text.append('\'').append(arg, 0, Math.min(arg.length(), room)).append("' ");
            }
            c.out.error("ERR unknown command '" + clip(cString(args.get(0)), 128) + "', with args beginning with: " +
                text);
            return;
        }
        if (!command.arityOk(args.size()))
        {
            c.out.error("ERR wrong number of arguments for '" + command.name() + "' command");
            return;
        }
        if (!command.subcommands().isEmpty())
        {
            final Command sub = command.subcommands().get(lower(args.get(1)));
            if (sub == null)
            {
                c.out.error("ERR unknown subcommand '" + clip(latin(args.get(1)), 128) + "'. Try " +
                    command.name().toUpperCase(Locale.ROOT) + " HELP.");
                return;
            }
            if (!sub.arityOk(args.size()))
            {
                c.out.error("ERR wrong number of arguments for '" + sub.name() + "' command");
                return;
            }
            command = sub;
        }
        if (!c.authenticated && !command.noAuth())
        {
            c.out.error("NOAUTH Authentication required.");
            return;
        }
        if (command.write() && !node.primary())
        {
            c.out.error(READONLY);
            return;
        }
        now = System.currentTimeMillis();
        state = node.state();
        c.lastCommand = command.name();
        c.lastCommandMillis = now;
        writer.reset(); // a command's operations are one entry, begun here
        try
        {
            command.handler().run(c, args);
        }
        catch (final FerryException ex)
        {
            c.out.error("ERR " + ex.code() + " " + ex.detail()); // the node refused the write: nothing was applied
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the table

    private void define()
    {
        // strings
        def("get", 2, "readonly,fast", 1, 1, 1, "string", "Returns the string value of a key.", this::get);
        def("set", -3, "write,denyoom", 1, 1, 1, "string", "Sets the string value of a key.", this::set);
        def("getdel", 2, "write,fast", 1, 1, 1, "string", "Returns the string value of a key after deleting the key.", this::getdel);
        def("getex", -2, "write,fast", 1, 1, 1, "string", "Returns the string value of a key after setting its expiration time.", this::getex);
        def("getset", 3, "write,denyoom,fast", 1, 1, 1, "string", "Returns the previous string value of a key after setting it to a new value.", this::getset);
        def("setnx", 3, "write,denyoom,fast", 1, 1, 1, "string", "Set the string value of a key only when the key doesn't exist.", this::setnx);
        def("setex", 4, "write,denyoom", 1, 1, 1, "string", "Sets the string value and expiration time of a key.", (c, a) -> setex(c, a, false));
        def("psetex", 4, "write,denyoom", 1, 1, 1, "string", "Sets both string value and expiration time in milliseconds of a key.", (c, a) -> setex(c, a, true));
        def("mset", -3, "write,denyoom", 1, -1, 2, "string", "Atomically creates or modifies the string values of one or more keys.", (c, a) -> mset(c, a, false));
        def("msetnx", -3, "write,denyoom", 1, -1, 2, "string", "Atomically modifies the string values of one or more keys only when all keys don't exist.", (c, a) -> mset(c, a, true));
        def("mget", -2, "readonly,fast", 1, -1, 1, "string", "Atomically returns the string values of one or more keys.", this::mget);
        def("append", 3, "write,denyoom", 1, 1, 1, "string", "Appends a string to the value of a key. Creates the key if it doesn't exist.", this::append);
        def("strlen", 2, "readonly,fast", 1, 1, 1, "string", "Returns the length of a string value.", this::strlen);
        def("getrange", 4, "readonly", 1, 1, 1, "string", "Returns a substring of the string stored at a key.", this::getrange);
        def("substr", 4, "readonly", 1, 1, 1, "string", "Returns a substring from a string value.", this::getrange);
        def("setrange", 4, "write,denyoom", 1, 1, 1, "string", "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.", this::setrange);
        def("lcs", -3, "readonly", 1, 1, 1, "string", "Finds the longest common substring.", this::lcs);
        def("incr", 2, "write,denyoom,fast", 1, 1, 1, "string", "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", (c, a) -> incr(c, a.get(1), 1));
        def("decr", 2, "write,denyoom,fast", 1, 1, 1, "string", "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", (c, a) -> incr(c, a.get(1), -1));
        def("incrby", 3, "write,denyoom,fast", 1, 1, 1, "string", "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", (c, a) -> incrby(c, a, false));
        def("decrby", 3, "write,denyoom,fast", 1, 1, 1, "string", "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", (c, a) -> incrby(c, a, true));
        def("incrbyfloat", 3, "write,denyoom,fast", 1, 1, 1, "string", "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.", this::incrbyfloat);
        // bits
        def("setbit", 4, "write,denyoom", 1, 1, 1, "bitmap", "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.", this::setbit);
        def("getbit", 3, "readonly,fast", 1, 1, 1, "bitmap", "Returns a bit value by offset.", this::getbit);
        def("bitcount", -2, "readonly", 1, 1, 1, "bitmap", "Counts the number of set bits (population counting) in a string.", this::bitcount);
        def("bitpos", -3, "readonly", 1, 1, 1, "bitmap", "Finds the first set (1) or clear (0) bit in a string.", this::bitpos);
        def("bitop", -4, "write,denyoom", 2, -1, 1, "bitmap", "Performs bitwise operations on multiple strings, and stores the result.", this::bitop);
        // keyspace
        def("del", -2, "write", 1, -1, 1, "generic", "Deletes one or more keys.", this::del);
        def("unlink", -2, "write,fast", 1, -1, 1, "generic", "Asynchronously deletes one or more keys.", this::del);
        def("exists", -2, "readonly,fast", 1, -1, 1, "generic", "Determines whether one or more keys exist.", this::exists);
        def("type", 2, "readonly,fast", 1, 1, 1, "generic", "Determines the type of value stored at a key.", this::type);
        def("rename", 3, "write", 1, 2, 1, "generic", "Renames a key and overwrites the destination.", (c, a) -> rename(c, a, false));
        def("renamenx", 3, "write,fast", 1, 2, 1, "generic", "Renames a key only when the target key name doesn't exist.", (c, a) -> rename(c, a, true));
        def("copy", -3, "write,denyoom", 1, 2, 1, "generic", "Copies the value of a key to a new key.", this::copy);
        def("expire", -3, "write,fast", 1, 1, 1, "generic", "Sets the expiration time of a key in seconds.", (c, a) -> expire(c, a, 1000, false));
        def("pexpire", -3, "write,fast", 1, 1, 1, "generic", "Sets the expiration time of a key in milliseconds.", (c, a) -> expire(c, a, 1, false));
        def("expireat", -3, "write,fast", 1, 1, 1, "generic", "Sets the expiration time of a key to a Unix timestamp.", (c, a) -> expire(c, a, 1000, true));
        def("pexpireat", -3, "write,fast", 1, 1, 1, "generic", "Sets the expiration time of a key to a Unix milliseconds timestamp.", (c, a) -> expire(c, a, 1, true));
        def("ttl", 2, "readonly,fast", 1, 1, 1, "generic", "Returns the expiration time in seconds of a key.", (c, a) -> ttl(c, a, false, false));
        def("pttl", 2, "readonly,fast", 1, 1, 1, "generic", "Returns the expiration time in milliseconds of a key.", (c, a) -> ttl(c, a, true, false));
        def("expiretime", 2, "readonly,fast", 1, 1, 1, "generic", "Returns the expiration time of a key as a Unix timestamp.", (c, a) -> ttl(c, a, false, true));
        def("pexpiretime", 2, "readonly,fast", 1, 1, 1, "generic", "Returns the expiration time of a key as a Unix milliseconds timestamp.", (c, a) -> ttl(c, a, true, true));
        def("persist", 2, "write,fast", 1, 1, 1, "generic", "Removes the expiration time of a key.", this::persist);
        def("dbsize", 1, "readonly,fast", 0, 0, 0, "server", "Returns the number of keys in the database.", (c, a) -> c.out.integer(state.size(c.db)));
        def("keys", 2, "readonly", 0, 0, 0, "generic", "Returns all key names that match a pattern.", this::keys);
        def("scan", -2, "readonly", 0, 0, 0, "generic", "Iterates over the key names in the database.", this::scan);
        def("randomkey", 1, "readonly", 0, 0, 0, "generic", "Returns a random key name from the database.", (c, a) -> c.out.bulk(state.randomKey(c.db, now, random)));
        def("flushdb", -1, "write", 0, 0, 0, "server", "Remove all keys from the current database.", (c, a) -> flush(c, a, false));
        def("flushall", -1, "write", 0, 0, 0, "server", "Removes all keys from all databases.", (c, a) -> flush(c, a, true));
        def("select", 2, "loading,stale,fast", 0, 0, 0, "connection", "Changes the selected database.", this::select);
        // connection
        def("ping", -1, "fast", 0, 0, 0, "connection", "Returns the server's liveliness response.", this::ping);
        def("echo", 2, "fast", 0, 0, 0, "connection", "Returns the given string.", (c, a) -> c.out.bulk(a.get(1)));
        def("hello", -1, "noscript,loading,stale,fast,no-auth", 0, 0, 0, "connection", "Handshakes with the Redis server.", this::hello);
        def("auth", -2, "noscript,loading,stale,fast,no-auth", 0, 0, 0, "connection", "Authenticates the connection.", this::auth);
        def("quit", -1, "noscript,loading,stale,fast,no-auth", 0, 0, 0, "connection", "Closes the connection.", (c, a) ->
        {
            c.out.ok();
            c.closeAfterReply = true;
        });
        def("reset", 1, "noscript,loading,stale,fast,no-auth", 0, 0, 0, "connection", "Resets the connection.", this::reset);
        final Map<String, Command> client = new HashMap<>();
        sub(client, "client|id", 2, "noscript,loading,stale", "Returns the unique client ID of the connection.", (c, a) -> c.out.integer(c.id));
        sub(client, "client|setname", 3, "noscript,loading,stale", "Sets the connection name.", this::clientSetname);
        sub(client, "client|getname", 2, "noscript,loading,stale", "Returns the name of the connection.", (c, a) -> c.out.bulk(c.name));
        sub(client, "client|info", 2, "noscript,loading,stale", "Returns information about the connection.", (c, a) -> c.out.bulk(server.describe(c) + "\n"));
        sub(client, "client|list", -2, "admin,noscript,loading,stale", "Lists open connections.", (c, a) -> c.out.bulk(server.describeAll()));
        sub(client, "client|setinfo", 4, "noscript,loading,stale", "Sets information specific to the client or connection.", this::clientSetinfo);
        sub(client, "client|help", 2, "loading,stale", "Returns helpful text about the different subcommands.", (c, a) -> help(c, "CLIENT",
            "ID", "SETNAME <name>", "GETNAME", "INFO", "LIST", "SETINFO <LIB-NAME|LIB-VER> <value>"));
        defParent("client", "connection", "A container for client connection commands.", client);
        // server
        final Map<String, Command> command = new HashMap<>();
        sub(command, "command|count", 2, "loading,stale", "Returns a count of commands.", (c, a) -> c.out.integer(table.size()));
        sub(command, "command|info", -2, "loading,stale", "Returns information about one, multiple or all commands.", this::commandInfo);
        sub(command, "command|docs", -2, "loading,stale", "Returns documentary information about one, multiple or all commands.", this::commandDocs);
        sub(command, "command|list", -2, "loading,stale", "Returns a list of command names.", (c, a) -> names(c));
        sub(command, "command|help", 2, "loading,stale", "Returns helpful text about the different subcommands.", (c, a) -> help(c, "COMMAND",
            "(no subcommand)", "COUNT", "INFO [<command-name> ...]", "DOCS [<command-name> ...]", "LIST"));
        def("command", -1, "loading,stale", 0, 0, 0, "server", "Returns detailed information about all commands.", (c, a) ->
        {
            if (a.size() == 1)
            {
                commandInfo(c, List.of(EMPTY, EMPTY));
                return;
            }
            final Command s = command.get(lower(a.get(1)));
            if (s == null)
            {
                c.out.error("ERR unknown subcommand '" + clip(latin(a.get(1)), 128) + "'. Try COMMAND HELP.");
            }
            else if (!s.arityOk(a.size()))
            {
                c.out.error("ERR wrong number of arguments for '" + s.name() + "' command");
            }
            else
            {
                s.handler().run(c, a);
            }
        });
        def("info", -1, "loading,stale", 0, 0, 0, "server", "Returns information and statistics about the server.", this::info);
        def("role", 1, "noscript,loading,stale,fast", 0, 0, 0, "server", "Returns the replication role.", (c, a) -> nested(c, node.role()));
        def("time", 1, "loading,stale,fast", 0, 0, 0, "server", "Returns the server time.", (c, a) ->
        {
            final java.time.Instant t = java.time.Instant.now();
            c.out.array(2);
            c.out.bulk(Long.toString(t.getEpochSecond()));
            c.out.bulk(Long.toString(t.getNano() / 1000));
        });
        final Map<String, Command> object = new HashMap<>();
        sub(object, "object|encoding", 3, "readonly", "Returns the internal encoding of a Redis object.", this::objectEncoding);
        sub(object, "object|refcount", 3, "readonly", "Returns the reference count of a value of a key.", (c, a) -> objectNumber(c, a, 1));
        sub(object, "object|idletime", 3, "readonly", "Returns the time since the last access to a Redis object.", (c, a) -> objectNumber(c, a, 0));
        sub(object, "object|freq", 3, "readonly", "Returns the logarithmic access frequency counter of a Redis object.", (c, a) -> c.out.error(
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."));
        sub(object, "object|help", 2, "loading,stale", "Returns helpful text about the different subcommands.", (c, a) -> help(c, "OBJECT",
            "ENCODING <key>", "REFCOUNT <key>", "IDLETIME <key>"));
        defParent("object", "generic", "A container for object introspection commands.", object);
        final Map<String, Command> config = new HashMap<>();
        sub(config, "config|get", -3, "admin,noscript,loading,stale", "Returns the effective values of configuration parameters.", this::configGet);
        sub(config, "config|set", -4, "admin,noscript,loading,stale", "Sets configuration parameters in-flight.", (c, a) -> c.out.error(
            "ERR Unknown option or number of arguments for CONFIG SET - '" + latin(a.get(2)) + "'"));
        sub(config, "config|resetstat", 2, "admin,noscript,loading,stale", "Resets the server's statistics.", (c, a) -> c.out.ok());
        sub(config, "config|help", 2, "loading,stale", "Returns helpful text about the different subcommands.", (c, a) -> help(c, "CONFIG",
            "GET <pattern>", "RESETSTAT"));
        defParent("config", "server", "A container for server configuration commands.", config);
        def("wait", 3, "noscript", 0, 0, 0, "generic", "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.", this::waitReplicas);
        def("waitaof", 4, "noscript", 0, 0, 0, "generic", "Blocks until all of the preceding write commands sent by the connection are written to the append-only file of the master and/or replicas.", this::waitAof);
    }

    private void def(final String name, final int arity, final String flags, final int first, final int last, final int step,
        final String group, final String summary, final Handler handler)
    {
        table.put(name, new Command(name, arity, List.of(flags.split(",")), first, last, step, group, summary, handler, Map.of()));
    }

    private void defParent(final String name, final String group, final String summary, final Map<String, Command> subs)
    {
        table.put(name, new Command(name, -2, List.of(), 0, 0, 0, group, summary, null, subs));
    }

    private static void sub(final Map<String, Command> subs, final String name, final int arity, final String flags,
        final String summary, final Handler handler)
    {
        subs.put(name.substring(name.indexOf('|') + 1), new Command(name, arity, List.of(flags.split(",")), 0, 0, 0,
            "", summary, handler, Map.of()));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // helpers

    private static String lower(final byte[] bytes)
    {
        return new String(bytes, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }

    private static String latin(final byte[] bytes)
    {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** An argument as C's printf shows it with {@code %s}: up to its first NUL byte. */
    private static String cString(final byte[] bytes)
    {
        final String text = latin(bytes);
        final int nul = text.indexOf('\0');
        return nul < 0 ? text : text.substring(0, nul);
    }

    private static String clip(final String text, final int max)
    {
        return text.length() <= max ? text : text.substring(0, max);
    }

    private static boolean is(final byte[] arg, final String word)
    {
        return arg.length == word.length() && lower(arg).equals(word);
    }

    private byte[] value(final RespClient c, final byte[] key)
    {
        return state.peek(c.db, key, now);
    }

    private long expiryOf(final int db, final byte[] key)
    {
        return state.expiryOf(db, key, now);
    }

    /** An integer argument, or null after writing Redis' error. */
    private static Long integer(final RespClient c, final byte[] arg)
    {
        return integer(c, arg, NOT_INTEGER);
    }

    private static Long integer(final RespClient c, final byte[] arg, final String error)
    {
        final Long value = RespNumbers.longOrNull(arg);
        if (value == null)
        {
            c.out.error(error);
        }
        return value;
    }

    /** Redis' {@code getIntFromObjectOrReply}: an integer within a C int, or null after writing Redis' error. */
    private static Integer int32(final RespClient c, final byte[] arg)
    {
        final Long value = integer(c, arg);
        if (value == null)
        {
            return null;
        }
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)
        {
            c.out.error("ERR value is out of range, value must between " + Integer.MIN_VALUE + " and " +
                Integer.MAX_VALUE);
            return null;
        }
        return value.intValue();
    }

    private KvEntryWriter entry()
    {
        return writer.reset();
    }

    private static MemorySegment seg(final byte[] bytes)
    {
        return MemorySegment.ofArray(bytes);
    }

    private boolean keyOk(final RespClient c, final byte[] key)
    {
        if (key.length > KvEntry.MAX_KEY_LENGTH)
        {
            c.out.error("ERR key is " + key.length + " bytes; Ferry's keys are at most " + KvEntry.MAX_KEY_LENGTH + " bytes");
            return false;
        }
        return true;
    }

    private boolean sizeOk(final RespClient c, final long length)
    {
        if (length > maxValueBytes)
        {
            c.out.error(LONG_STRING);
            return false;
        }
        return true;
    }

    /** Append and apply the entry written since {@link #entry()}; record it as the client's last write. */
    private void commit(final RespClient c)
    {
        final long offset = node.write(writer.entry());
        writer.reset();
        c.lastWriteOffset = offset;
        if (node.syncReplicas() > 0)
        {
            server.holdReply(c, offset);
        }
    }

    private KvEntryWriter put(final int db, final byte[] key, final byte[] value, final long expiry)
    {
        return writer.put(db, seg(key), seg(value), expiry);
    }

    /** An expiry argument turned into an absolute time in ms, or -1 after writing Redis' error. */
    private long expireAt(final RespClient c, final byte[] arg, final long unitMs, final boolean absolute, final String command)
    {
        final Long v = integer(c, arg);
        if (v == null)
        {
            return -1;
        }
        long ms = v;
        if (ms <= 0 || (unitMs == 1000 && ms > Long.MAX_VALUE / 1000))
        {
            c.out.error("ERR invalid expire time in '" + command + "' command");
            return -1;
        }
        ms *= unitMs;
        if (!absolute)
        {
            if (ms > Long.MAX_VALUE - now)
            {
                c.out.error("ERR invalid expire time in '" + command + "' command");
                return -1;
            }
            ms += now;
        }
        return ms;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // strings

    private void get(final RespClient c, final List<byte[]> a)
    {
        c.out.bulk(value(c, a.get(1)));
    }

    private static final int NX = 1;
    private static final int XX = 2;
    private static final int GET = 4;
    private static final int KEEPTTL = 8;
    private static final int PERSIST = 16;
    private static final int EX = 32;
    private static final int PX = 64;
    private static final int EXAT = 128;
    private static final int PXAT = 256;
    private static final int ANY_EXPIRY = EX | PX | EXAT | PXAT;

    /**
     * Redis' {@code parseExtendedStringArgumentsOrReply}: the flags, and the expiry's argument in {@code expireArg[0]}
     * (not checked yet: {@code GETEX} checks it only once the key is found).
     */
    private static int parseSetOptions(final RespClient c, final List<byte[]> a, final int from, final boolean isSet,
        final byte[][] expireArg)
    {
        int flags = 0;
        for (int j = from; j < a.size(); j++)
        {
            final String opt = lower(a.get(j));
            final boolean next = j < a.size() - 1;
            if (opt.equals("nx") && (flags & XX) == 0 && isSet)
            {
                flags |= NX;
            }
            else if (opt.equals("xx") && (flags & NX) == 0 && isSet)
            {
                flags |= XX;
            }
            else if (opt.equals("get") && isSet)
            {
                flags |= GET;
            }
            else if (opt.equals("keepttl") && (flags & PERSIST) == 0 && (flags & ANY_EXPIRY) == 0 && isSet)
            {
                flags |= KEEPTTL;
            }
            else if (opt.equals("persist") && !isSet && (flags & (ANY_EXPIRY | KEEPTTL)) == 0)
            {
                flags |= PERSIST;
            }
            else if (opt.equals("ex") && (flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT)) == 0 && next)
            {
                flags |= EX;
                expireArg[0] = a.get(++j);
            }
            else if (opt.equals("px") && (flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT)) == 0 && next)
            {
                flags |= PX;
                expireArg[0] = a.get(++j);
            }
            else if (opt.equals("exat") && (flags & (KEEPTTL | PERSIST | EX | PX | PXAT)) == 0 && next)
            {
                flags |= EXAT;
                expireArg[0] = a.get(++j);
            }
            else if (opt.equals("pxat") && (flags & (KEEPTTL | PERSIST | EX | EXAT | PX)) == 0 && next)
            {
                flags |= PXAT;
                expireArg[0] = a.get(++j);
            }
            else
            {
                c.out.error(SYNTAX);
                return -1;
            }
        }
        return flags;
    }

    /** Redis' {@code getExpireMillisecondsOrReply}: the absolute expiry in ms, or -1 after writing Redis' error. */
    private long expiryMillis(final RespClient c, final int flags, final byte[] expireArg, final String command)
    {
        final long unit = (flags & (EX | EXAT)) != 0 ? 1000 : 1;
        return expireAt(c, expireArg, unit, (flags & (EXAT | PXAT)) != 0, command);
    }

    private void set(final RespClient c, final List<byte[]> a)
    {
        final byte[][] expireArg = {null};
        final int flags = parseSetOptions(c, a, 3, true, expireArg);
        if (flags < 0)
        {
            return;
        }
        long expiry = 0;
        if (expireArg[0] != null)
        {
            expiry = expiryMillis(c, flags, expireArg[0], "set");
            if (expiry < 0)
            {
                return;
            }
        }
        final byte[] key = a.get(1);
        if (!keyOk(c, key))
        {
            return;
        }
        // a plain SET needs nothing of the key's current value: no lookup (the apply does the only one)
        final byte[] old = (flags & (GET | NX | XX | KEEPTTL)) == 0 ? null : value(c, key);
        if ((flags & GET) != 0)
        {
            c.out.bulk(old == null ? null : old.clone());
        }
        if ((flags & NX) != 0 && old != null || (flags & XX) != 0 && old == null)
        {
            if ((flags & GET) == 0)
            {
                c.out.nullBulk();
            }
            return;
        }
        final long keep = (flags & KEEPTTL) != 0 && old != null ? Math.max(0, expiryOf(c.db, key)) : 0;
        put(c.db, key, a.get(2), (flags & ANY_EXPIRY) != 0 ? expiry : keep);
        commit(c);
        if ((flags & GET) == 0)
        {
            c.out.ok();
        }
    }

    private void getdel(final RespClient c, final List<byte[]> a)
    {
        final byte[] old = value(c, a.get(1));
        c.out.bulk(old);
        if (old != null)
        {
            entry().delete(c.db, seg(a.get(1)));
            commit(c);
        }
    }

    private void getex(final RespClient c, final List<byte[]> a)
    {
        final byte[][] expireArg = {null};
        final int flags = parseSetOptions(c, a, 2, false, expireArg);
        if (flags < 0)
        {
            return;
        }
        final byte[] key = a.get(1);
        final byte[] old = value(c, key);
        if (old == null)
        {
            c.out.nullBulk();
            return;
        }
        long expiry = 0;
        if (expireArg[0] != null)
        {
            expiry = expiryMillis(c, flags, expireArg[0], "getex");
            if (expiry < 0)
            {
                return;
            }
        }
        c.out.bulk(old);
        if ((flags & ANY_EXPIRY) != 0)
        {
            if (expiry <= now)
            {
                entry().delete(c.db, seg(key));
            }
            else
            {
                entry().expire(c.db, seg(key), expiry);
            }
            commit(c);
        }
        else if ((flags & PERSIST) != 0 && expiryOf(c.db, key) > 0)
        {
            put(c.db, key, old, 0);
            commit(c);
        }
    }

    private void getset(final RespClient c, final List<byte[]> a)
    {
        if (!keyOk(c, a.get(1)))
        {
            return;
        }
        final byte[] old = value(c, a.get(1));
        c.out.bulk(old);
        put(c.db, a.get(1), a.get(2), 0);
        commit(c);
    }

    private void setnx(final RespClient c, final List<byte[]> a)
    {
        if (!keyOk(c, a.get(1)))
        {
            return;
        }
        if (value(c, a.get(1)) != null)
        {
            c.out.raw(ZERO);
            return;
        }
        put(c.db, a.get(1), a.get(2), 0);
        commit(c);
        c.out.raw(ONE);
    }

    private void setex(final RespClient c, final List<byte[]> a, final boolean millis)
    {
        if (!keyOk(c, a.get(1)))
        {
            return;
        }
        final long at = expireAt(c, a.get(2), millis ? 1 : 1000, false, millis ? "psetex" : "setex");
        if (at < 0)
        {
            return;
        }
        put(c.db, a.get(1), a.get(3), at);
        commit(c);
        c.out.ok();
    }

    private void mset(final RespClient c, final List<byte[]> a, final boolean nx)
    {
        if (a.size() % 2 == 0)
        {
            c.out.error("ERR wrong number of arguments for '" + (nx ? "msetnx" : "mset") + "' command");
            return;
        }
        long bytes = KvEntry.HEADER_LENGTH;
        for (int i = 1; i < a.size(); i += 2)
        {
            if (!keyOk(c, a.get(i)))
            {
                return;
            }
            if (nx && value(c, a.get(i)) != null)
            {
                c.out.raw(ZERO);
                return;
            }
            bytes += 9 + a.get(i).length + a.get(i + 1).length;
        }
        if (!sizeOk(c, bytes))
        {
            return;
        }
        entry();
        for (int i = 1; i < a.size(); i += 2)
        {
            put(c.db, a.get(i), a.get(i + 1), 0);
        }
        commit(c);
        if (nx)
        {
            c.out.raw(ONE);
        }
        else
        {
            c.out.ok();
        }
    }

    private void mget(final RespClient c, final List<byte[]> a)
    {
        c.out.array(a.size() - 1);
        for (int i = 1; i < a.size(); i++)
        {
            c.out.bulk(value(c, a.get(i)));
        }
    }

    private void append(final RespClient c, final List<byte[]> a)
    {
        final byte[] key = a.get(1);
        if (!keyOk(c, key))
        {
            return;
        }
        final byte[] old = value(c, key);
        final byte[] more = a.get(2);
        if (old == null)
        {
            put(c.db, key, more, 0);
            commit(c);
            c.out.integer(more.length);
            return;
        }
        if (!sizeOk(c, (long)old.length + more.length))
        {
            return;
        }
        final byte[] joined = Arrays.copyOf(old, old.length + more.length);
        System.arraycopy(more, 0, joined, old.length, more.length);
        put(c.db, key, joined, Math.max(0, expiryOf(c.db, key)));
        commit(c);
        c.out.integer(joined.length);
    }

    private void strlen(final RespClient c, final List<byte[]> a)
    {
        final byte[] v = value(c, a.get(1));
        c.out.integer(v == null ? 0 : v.length);
    }

    private void getrange(final RespClient c, final List<byte[]> a)
    {
        final Long startArg = integer(c, a.get(2));
        if (startArg == null)
        {
            return;
        }
        final Long endArg = integer(c, a.get(3));
        if (endArg == null)
        {
            return;
        }
        final byte[] v = value(c, a.get(1));
        if (v == null)
        {
            c.out.bulk(EMPTY);
            return;
        }
        long start = startArg;
        long end = endArg;
        final long length = v.length;
        if (start < 0 && end < 0 && start > end)
        {
            c.out.bulk(EMPTY);
            return;
        }
        final long[] range = range(start, end, length);
        start = range[0];
        end = range[1];
        if (start > end || length == 0)
        {
            c.out.bulk(EMPTY);
            return;
        }
        c.out.bulk(v, (int)start, (int)(end - start + 1));
    }

    private void setrange(final RespClient c, final List<byte[]> a)
    {
        final byte[] key = a.get(1);
        final Long offsetArg = integer(c, a.get(2));
        if (offsetArg == null || !keyOk(c, key))
        {
            return;
        }
        final long offset = offsetArg;
        if (offset < 0)
        {
            c.out.error("ERR offset is out of range");
            return;
        }
        final byte[] patch = a.get(3);
        final byte[] old = value(c, key);
        if (patch.length == 0)
        {
            c.out.integer(old == null ? 0 : old.length);
            return;
        }
        if (offset > maxValueBytes - (long)patch.length) // as Redis' checkStringLength: no overflow of offset + length
        {
            c.out.error(LONG_STRING);
            return;
        }
        if (!sizeOk(c, offset + patch.length))
        {
            return;
        }
        final int length = (int)Math.max(old == null ? 0 : old.length, offset + patch.length);
        final byte[] changed = old == null ? new byte[length] : Arrays.copyOf(old, length);
        System.arraycopy(patch, 0, changed, (int)offset, patch.length);
        put(c.db, key, changed, old == null ? 0 : Math.max(0, expiryOf(c.db, key)));
        commit(c);
        c.out.integer(length);
    }

    private void incr(final RespClient c, final byte[] key, final long by)
    {
        if (!keyOk(c, key))
        {
            return;
        }
        final byte[] old = value(c, key);
        long current = 0;
        if (old != null)
        {
            final Long parsed = RespNumbers.longOrNull(old);
            if (parsed == null)
            {
                c.out.error(NOT_INTEGER);
                return;
            }
            current = parsed;
        }
        if (by < 0 && current < 0 && by < Long.MIN_VALUE - current || by > 0 && current > 0 && by > Long.MAX_VALUE - current)
        {
            c.out.error("ERR increment or decrement would overflow");
            return;
        }
        final long next = current + by;
        put(c.db, key, RespNumbers.ascii(next), old == null ? 0 : Math.max(0, expiryOf(c.db, key)));
        commit(c);
        c.out.integer(next);
    }

    private void incrby(final RespClient c, final List<byte[]> a, final boolean decrement)
    {
        final Long by = integer(c, a.get(2));
        if (by == null)
        {
            return;
        }
        if (decrement && by == Long.MIN_VALUE)
        {
            c.out.error("ERR decrement would overflow");
            return;
        }
        incr(c, a.get(1), decrement ? -by : by);
    }

    private void incrbyfloat(final RespClient c, final List<byte[]> a)
    {
        final byte[] key = a.get(1);
        if (!keyOk(c, key))
        {
            return;
        }
        final byte[] old = value(c, key);
        final RespNumbers.Decimal current = old == null ? new RespNumbers.Decimal(BigDecimal.ZERO, 0) : RespNumbers.parseDecimal(old);
        final RespNumbers.Decimal by = current == null ? null : RespNumbers.parseDecimal(a.get(2));
        if (current == null || by == null)
        {
            c.out.error(NOT_FLOAT);
            return;
        }
        if (!current.finite() || !by.finite())
        {
            c.out.error("ERR increment would produce NaN or Infinity");
            return;
        }
        final BigDecimal sum = RespNumbers.add(current.value(), by.value());
        if (sum == null)
        {
            c.out.error("ERR increment would produce NaN or Infinity");
            return;
        }
        final byte[] printed = RespNumbers.format(sum);
        put(c.db, key, printed, old == null ? 0 : Math.max(0, expiryOf(c.db, key)));
        commit(c);
        c.out.bulk(printed);
    }

    private void lcs(final RespClient c, final List<byte[]> a)
    {
        byte[] x = value(c, a.get(1));
        byte[] y = value(c, a.get(2));
        x = x == null ? EMPTY : x;
        y = y == null ? EMPTY : y;
        boolean idx = false;
        boolean len = false;
        boolean withMatchLen = false;
        long minMatchLen = 0;
        for (int j = 3; j < a.size(); j++)
        {
            final String opt = lower(a.get(j));
            final int more = a.size() - 1 - j;
            if (opt.equals("idx"))
            {
                idx = true;
            }
            else if (opt.equals("len"))
            {
                len = true;
            }
            else if (opt.equals("withmatchlen"))
            {
                withMatchLen = true;
            }
            else if (opt.equals("minmatchlen") && more > 0)
            {
                final Long m = integer(c, a.get(++j));
                if (m == null)
                {
                    return;
                }
                minMatchLen = Math.max(0, m);
            }
            else
            {
                c.out.error(SYNTAX);
                return;
            }
        }
        if (idx && len)
        {
            c.out.error("ERR If you want both the length and indexes, please just use IDX.");
            return;
        }
        final int xl = x.length;
        final int yl = y.length;
        final long cells = (long)(xl + 1) * (yl + 1);
        if (cells * Integer.BYTES > maxValueBytes * 64L)
        {
            c.out.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
            return;
        }
        final int[] dp = new int[(int)cells];
        final int w = yl + 1;
        for (int i = 1; i <= xl; i++)
        {
            for (int j = 1; j <= yl; j++)
            {
                dp[i * w + j] = x[i - 1] == y[j - 1] ? dp[(i - 1) * w + j - 1] + 1 : Math.max(dp[(i - 1) * w + j], dp[i * w + j - 1]);
            }
        }
        final int total = dp[xl * w + yl];
        if (len && !idx)
        {
            c.out.integer(total);
            return;
        }
        final byte[] result = new byte[total];
        final List<long[]> ranges = new ArrayList<>();
        int k = total;
        int i = xl;
        int j = yl;
        long aStart = xl;
        long aEnd = 0;
        long bStart = 0;
        long bEnd = 0;
        while (i > 0 && j > 0)
        {
            boolean emit = false;
            if (x[i - 1] == y[j - 1])
            {
                result[k - 1] = x[i - 1];
                if (aStart == xl)
                {
                    aStart = i - 1;
                    aEnd = i - 1;
                    bStart = j - 1;
                    bEnd = j - 1;
                }
                else if (aStart == i && bStart == j)
                {
                    aStart--;
                    bStart--;
                }
                else
                {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0)
                {
                    emit = true;
                }
                k--;
                i--;
                j--;
            }
            else
            {
                if (dp[(i - 1) * w + j] > dp[i * w + j - 1])
                {
                    i--;
                }
                else
                {
                    j--;
                }
                if (aStart != xl)
                {
                    emit = true;
                }
            }
            if (emit)
            {
                final long matchLen = aEnd - aStart + 1;
                if (minMatchLen == 0 || matchLen >= minMatchLen)
                {
                    ranges.add(new long[] {aStart, aEnd, bStart, bEnd, matchLen});
                }
                aStart = xl;
            }
        }
        if (!idx)
        {
            c.out.bulk(result);
            return;
        }
        c.out.array(4);
        c.out.bulk("matches");
        c.out.array(ranges.size());
        for (final long[] r : ranges)
        {
            c.out.array(withMatchLen ? 3 : 2);
            c.out.array(2);
            c.out.integer(r[0]);
            c.out.integer(r[1]);
            c.out.array(2);
            c.out.integer(r[2]);
            c.out.integer(r[3]);
            if (withMatchLen)
            {
                c.out.integer(r[4]);
            }
        }
        c.out.bulk("len");
        c.out.integer(total);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // bits

    /** Redis' {@code getBitOffsetFromArgument}: offsets within its default proto-max-bulk-len of 512 MB. */
    private static long bitOffset(final RespClient c, final byte[] arg)
    {
        final Long v = RespNumbers.longOrNull(arg);
        if (v == null || v < 0 || (v >>> 3) >= REDIS_MAX_BULK_BYTES)
        {
            c.out.error("ERR bit offset is not an integer or out of range");
            return -1;
        }
        return v;
    }

    private void setbit(final RespClient c, final List<byte[]> a)
    {
        final byte[] key = a.get(1);
        final long offset = bitOffset(c, a.get(2));
        if (offset < 0 || !keyOk(c, key))
        {
            return;
        }
        final Long on = RespNumbers.longOrNull(a.get(3));
        if (on == null || (on & ~1L) != 0)
        {
            c.out.error("ERR bit is not an integer or out of range");
            return;
        }
        if (!sizeOk(c, (offset >>> 3) + 1))
        {
            return; // past Ferry's value limit (Redis would grow the string up to 512 MB)
        }
        final byte[] old = value(c, key);
        final int index = (int)(offset >>> 3);
        final int length = Math.max(old == null ? 0 : old.length, index + 1);
        final byte[] changed = old == null ? new byte[length] : Arrays.copyOf(old, length);
        final int mask = 1 << (7 - (int)(offset & 7));
        final int previous = (changed[index] & mask) != 0 ? 1 : 0;
        changed[index] = (byte)(on == 1 ? changed[index] | mask : changed[index] & ~mask);
        put(c.db, key, changed, old == null ? 0 : Math.max(0, expiryOf(c.db, key)));
        commit(c);
        c.out.integer(previous);
    }

    private void getbit(final RespClient c, final List<byte[]> a)
    {
        final long offset = bitOffset(c, a.get(2));
        if (offset < 0)
        {
            return;
        }
        final byte[] v = value(c, a.get(1));
        final int index = (int)(offset >>> 3);
        c.out.integer(v == null || index >= v.length ? 0 : (v[index] >> (7 - (int)(offset & 7))) & 1);
    }

    private void bitcount(final RespClient c, final List<byte[]> a)
    {
        final byte[] v = value(c, a.get(1));
        if (v == null)
        {
            c.out.raw(ZERO); // Redis 7.0 looks the key up before it reads the range: a missing key is 0, whatever follows
            return;
        }
        long start = 0;
        long end = 0;
        boolean bit = false;
        if (a.size() == 4 || a.size() == 5)
        {
            final Long s = integer(c, a.get(2));
            if (s == null)
            {
                return;
            }
            final Long e = integer(c, a.get(3));
            if (e == null)
            {
                return;
            }
            start = s;
            end = e;
            if (a.size() == 5)
            {
                if (is(a.get(4), "bit"))
                {
                    bit = true;
                }
                else if (!is(a.get(4), "byte"))
                {
                    c.out.error(SYNTAX);
                    return;
                }
            }
        }
        else if (a.size() != 2)
        {
            c.out.error(SYNTAX);
            return;
        }
        long total = v.length;
        if (a.size() == 2)
        {
            c.out.integer(countBits(v, 0, total * 8 - 1));
            return;
        }
        if (start < 0 && end < 0 && start > end)
        {
            c.out.raw(ZERO);
            return;
        }
        if (bit)
        {
            total <<= 3;
        }
        final long[] range = range(start, end, total);
        start = range[0];
        end = range[1];
        if (start > end)
        {
            c.out.raw(ZERO);
            return;
        }
        c.out.integer(bit ? countBits(v, start, end) : countBits(v, start * 8, end * 8 + 7));
    }

    /** Redis' index range: a negative index counts from the end, then both are clamped to {@code [0, length - 1]}. */
    private static long[] range(final long start, final long end, final long length)
    {
        final long from = Math.max(0, start < 0 ? length + start : start);
        final long to = Math.max(0, end < 0 ? length + end : end);
        return new long[] {from, to >= length ? length - 1 : to};
    }

    private static long countBits(final byte[] v, final long fromBit, final long toBit)
    {
        long count = 0;
        for (long b = fromBit; b <= toBit; )
        {
            if ((b & 7) == 0 && b + 7 <= toBit)
            {
                count += Integer.bitCount(v[(int)(b >>> 3)] & 0xFF);
                b += 8;
            }
            else
            {
                count += (v[(int)(b >>> 3)] >> (7 - (int)(b & 7))) & 1;
                b++;
            }
        }
        return count;
    }

    private void bitpos(final RespClient c, final List<byte[]> a)
    {
        final Long bitArg = integer(c, a.get(2));
        if (bitArg == null)
        {
            return;
        }
        if (bitArg != 0 && bitArg != 1)
        {
            c.out.error("ERR The bit argument must be 1 or 0.");
            return;
        }
        final int bit = bitArg.intValue();
        final byte[] v = value(c, a.get(1));
        if (v == null)
        {
            c.out.integer(bit == 1 ? -1 : 0);
            return;
        }
        long start;
        long end;
        boolean endGiven = false;
        boolean isBit = false;
        long total = v.length;
        if (a.size() >= 4 && a.size() <= 6)
        {
            final Long s = integer(c, a.get(3));
            if (s == null)
            {
                return;
            }
            start = s;
            if (a.size() == 6)
            {
                if (is(a.get(5), "bit"))
                {
                    isBit = true;
                }
                else if (!is(a.get(5), "byte"))
                {
                    c.out.error(SYNTAX);
                    return;
                }
            }
            if (a.size() >= 5)
            {
                final Long e = integer(c, a.get(4));
                if (e == null)
                {
                    return;
                }
                end = e;
                endGiven = true;
            }
            else
            {
                end = isBit ? (total << 3) + 7 : total - 1;
            }
            if (isBit)
            {
                total <<= 3;
            }
            final long[] range = range(start, end, total);
            start = range[0];
            end = range[1];
        }
        else if (a.size() == 3)
        {
            start = 0;
            end = total - 1;
        }
        else
        {
            c.out.error(SYNTAX);
            return;
        }
        if (start > end)
        {
            c.out.integer(-1);
            return;
        }
        final long fromBit = isBit ? start : start * 8;
        final long toBit = isBit ? end : end * 8 + 7;
        for (long b = fromBit; b <= toBit; b++)
        {
            if (((v[(int)(b >>> 3)] >> (7 - (int)(b & 7))) & 1) == bit)
            {
                c.out.integer(b);
                return;
            }
        }
        if (bit == 1 || endGiven)
        {
            c.out.integer(-1);
            return;
        }
        c.out.integer(((toBit >>> 3) + 1) * 8);
    }

    private void bitop(final RespClient c, final List<byte[]> a)
    {
        final String op = lower(a.get(1));
        if (!op.equals("and") && !op.equals("or") && !op.equals("xor") && !op.equals("not"))
        {
            c.out.error(SYNTAX);
            return;
        }
        if (op.equals("not") && a.size() != 4)
        {
            c.out.error("ERR BITOP NOT must be called with a single source key.");
            return;
        }
        final byte[] dest = a.get(2);
        if (!keyOk(c, dest))
        {
            return;
        }
        final List<byte[]> sources = new ArrayList<>();
        int max = 0;
        for (int i = 3; i < a.size(); i++)
        {
            final byte[] v = value(c, a.get(i));
            sources.add(v == null ? EMPTY : v);
            max = Math.max(max, v == null ? 0 : v.length);
        }
        final byte[] result = new byte[max];
        for (int i = 0; i < max; i++)
        {
            int r = i < sources.get(0).length ? sources.get(0)[i] & 0xFF : 0;
            if (op.equals("not"))
            {
                r = ~r & 0xFF;
            }
            for (int s = 1; s < sources.size(); s++)
            {
                final int b = i < sources.get(s).length ? sources.get(s)[i] & 0xFF : 0;
                r = switch (op)
                {
                    case "and" -> r & b;
                    case "or" -> r | b;
                    default -> r ^ b;
                };
            }
            result[i] = (byte)r;
        }
        if (max > 0)
        {
            put(c.db, dest, result, 0);
            commit(c);
        }
        else if (value(c, dest) != null)
        {
            entry().delete(c.db, seg(dest));
            commit(c);
        }
        c.out.integer(max);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // keyspace

    private void del(final RespClient c, final List<byte[]> a)
    {
        entry();
        int deleted = 0;
        final List<byte[]> seen = new ArrayList<>();
        for (int i = 1; i < a.size(); i++)
        {
            final byte[] key = a.get(i);
            if (value(c, key) != null && seen.stream().noneMatch(k -> Arrays.equals(k, key)))
            {
                seen.add(key);
                writer.delete(c.db, seg(key));
                deleted++;
            }
        }
        if (deleted > 0)
        {
            commit(c);
        }
        c.out.integer(deleted);
    }

    private void exists(final RespClient c, final List<byte[]> a)
    {
        int n = 0;
        for (int i = 1; i < a.size(); i++)
        {
            if (value(c, a.get(i)) != null)
            {
                n++;
            }
        }
        c.out.integer(n);
    }

    private void type(final RespClient c, final List<byte[]> a)
    {
        c.out.simple(value(c, a.get(1)) == null ? "none" : "string");
    }

    private void rename(final RespClient c, final List<byte[]> a, final boolean nx)
    {
        final byte[] from = a.get(1);
        final byte[] to = a.get(2);
        final byte[] v = value(c, from);
        if (v == null)
        {
            c.out.error("ERR no such key");
            return;
        }
        if (Arrays.equals(from, to))
        {
            if (nx)
            {
                c.out.raw(ZERO);
            }
            else
            {
                c.out.ok();
            }
            return;
        }
        if (!keyOk(c, to))
        {
            return;
        }
        if (nx && value(c, to) != null)
        {
            c.out.raw(ZERO);
            return;
        }
        put(c.db, to, v, Math.max(0, expiryOf(c.db, from))).delete(c.db, seg(from));
        commit(c);
        if (nx)
        {
            c.out.raw(ONE);
        }
        else
        {
            c.out.ok();
        }
    }

    private void copy(final RespClient c, final List<byte[]> a)
    {
        boolean replace = false;
        long targetDb = c.db;
        for (int j = 3; j < a.size(); j++)
        {
            final int more = a.size() - j - 1;
            if (is(a.get(j), "replace"))
            {
                replace = true;
            }
            else if (is(a.get(j), "db") && more > 0)
            {
                final Integer db = int32(c, a.get(j + 1));
                if (db == null)
                {
                    return;
                }
                if (db < 0 || db >= KvEntry.DATABASES)
                {
                    c.out.error("ERR DB index is out of range");
                    return;
                }
                targetDb = db;
                j++;
            }
            else
            {
                c.out.error(SYNTAX);
                return;
            }
        }
        final byte[] from = a.get(1);
        final byte[] to = a.get(2);
        if (targetDb == c.db && Arrays.equals(from, to))
        {
            c.out.error("ERR source and destination objects are the same");
            return;
        }
        final byte[] v = value(c, from);
        if (v == null || !keyOk(c, to))
        {
            if (v == null)
            {
                c.out.raw(ZERO);
            }
            return;
        }
        if (!replace && state.peek((int)targetDb, to, now) != null)
        {
            c.out.raw(ZERO);
            return;
        }
        put((int)targetDb, to, v, Math.max(0, expiryOf(c.db, from)));
        commit(c);
        c.out.raw(ONE);
    }

    private void expire(final RespClient c, final List<byte[]> a, final long unitMs, final boolean absolute)
    {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int j = 3; j < a.size(); j++)
        {
            switch (lower(a.get(j)))
            {
                case "nx" -> nx = true;
                case "xx" -> xx = true;
                case "gt" -> gt = true;
                case "lt" -> lt = true;
                default ->
                {
                    c.out.error("ERR Unsupported option " + latin(a.get(j)));
                    return;
                }
            }
        }
        if (nx && (xx || gt || lt))
        {
            c.out.error("ERR NX and XX, GT or LT options at the same time are not compatible");
            return;
        }
        if (gt && lt)
        {
            c.out.error("ERR GT and LT options at the same time are not compatible");
            return;
        }
        final Long whenArg = integer(c, a.get(2));
        if (whenArg == null)
        {
            return;
        }
        long when = whenArg;
        final String command = lower(a.get(0));
        if (unitMs == 1000)
        {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000)
            {
                c.out.error("ERR invalid expire time in '" + command + "' command");
                return;
            }
            when *= 1000;
        }
        final long base = absolute ? 0 : now;
        if (when > Long.MAX_VALUE - base)
        {
            c.out.error("ERR invalid expire time in '" + command + "' command");
            return;
        }
        when += base;
        final byte[] key = a.get(1);
        if (value(c, key) == null)
        {
            c.out.raw(ZERO);
            return;
        }
        final long current = expiryOf(c.db, key); // 0: none
        if (nx && current != 0 || xx && current == 0 || gt && (current == 0 || when <= current) ||
            lt && current != 0 && when >= current)
        {
            c.out.raw(ZERO);
            return;
        }
        if (when <= now)
        {
            entry().delete(c.db, seg(key));
        }
        else
        {
            entry().expire(c.db, seg(key), when);
        }
        commit(c);
        c.out.raw(ONE);
    }

    private void ttl(final RespClient c, final List<byte[]> a, final boolean millis, final boolean absolute)
    {
        final long expiry = expiryOf(c.db, a.get(1));
        if (expiry == -2 || expiry == 0)
        {
            c.out.integer(expiry == 0 ? -1 : -2);
            return;
        }
        if (absolute)
        {
            c.out.integer(millis ? expiry : expiry / 1000);
            return;
        }
        final long ttl = Math.max(0, expiry - now);
        c.out.integer(millis ? ttl : (ttl + 500) / 1000);
    }

    private void persist(final RespClient c, final List<byte[]> a)
    {
        final byte[] key = a.get(1);
        final byte[] v = value(c, key);
        if (v == null || expiryOf(c.db, key) == 0)
        {
            c.out.raw(ZERO);
            return;
        }
        put(c.db, key, v, 0);
        commit(c);
        c.out.raw(ONE);
    }

    private void keys(final RespClient c, final List<byte[]> a)
    {
        final byte[] pattern = a.get(1);
        final boolean all = pattern.length == 1 && pattern[0] == '*';
        final List<byte[]> found = new ArrayList<>();
        state.forEachKey(c.db, now, key ->
        {
            if (all || Glob.matches(pattern, key))
            {
                found.add(key);
            }
        });
        c.out.array(found.size());
        for (final byte[] key : found)
        {
            c.out.bulk(key);
        }
    }

    private void scan(final RespClient c, final List<byte[]> a)
    {
        final Long cursor = RespNumbers.parseCursor(a.get(1));
        if (cursor == null)
        {
            c.out.error("ERR invalid cursor");
            return;
        }
        long count = 10;
        byte[] pattern = null;
        String type = null;
        for (int j = 2; j < a.size(); j++)
        {
            final boolean more = j < a.size() - 1;
            if (is(a.get(j), "count") && more)
            {
                final Long n = integer(c, a.get(++j));
                if (n == null)
                {
                    return;
                }
                if (n < 1)
                {
                    c.out.error(SYNTAX);
                    return;
                }
                count = n;
            }
            else if (is(a.get(j), "match") && more)
            {
                pattern = a.get(++j);
                if (pattern.length == 1 && pattern[0] == '*')
                {
                    pattern = null; // as KEYS *, Redis matches nothing then: the empty key is shown too
                }
            }
            else if (is(a.get(j), "type") && more)
            {
                type = lower(a.get(++j));
            }
            else
            {
                c.out.error(SYNTAX);
                return;
            }
        }
        final List<byte[]> keys = new ArrayList<>();
        final long next = Long.compareUnsigned(cursor, 0xFFFF_FFFFL) > 0 ? 0 :
            state.scan(c.db, cursor, (int)Math.min(count, Integer.MAX_VALUE), now, keys);
        final List<byte[]> shown = new ArrayList<>();
        for (final byte[] key : keys)
        {
            if ((pattern == null || Glob.matches(pattern, key)) && (type == null || type.equals("string")))
            {
                shown.add(key);
            }
        }
        c.out.array(2);
        c.out.bulk(Long.toUnsignedString(next));
        c.out.array(shown.size());
        for (final byte[] key : shown)
        {
            c.out.bulk(key);
        }
    }

    private void flush(final RespClient c, final List<byte[]> a, final boolean all)
    {
        if (a.size() > 2 || a.size() == 2 && !is(a.get(1), "async") && !is(a.get(1), "sync"))
        {
            c.out.error(SYNTAX);
            return;
        }
        if (all)
        {
            entry().flushAll();
        }
        else
        {
            entry().flushDb(c.db);
        }
        commit(c);
        c.out.ok();
    }

    private void select(final RespClient c, final List<byte[]> a)
    {
        final Integer db = int32(c, a.get(1));
        if (db == null)
        {
            return;
        }
        if (db < 0 || db >= KvEntry.DATABASES)
        {
            c.out.error("ERR DB index is out of range");
            return;
        }
        c.db = db;
        c.out.ok();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // connection and server

    private void ping(final RespClient c, final List<byte[]> a)
    {
        if (a.size() > 2)
        {
            c.out.error("ERR wrong number of arguments for 'ping' command");
        }
        else if (a.size() == 2)
        {
            c.out.bulk(a.get(1));
        }
        else
        {
            c.out.raw(PONG);
        }
    }

    private void hello(final RespClient c, final List<byte[]> a)
    {
        int version = 0;
        int next = 1;
        if (a.size() >= 2)
        {
            final Long v = integer(c, a.get(next++), "ERR Protocol version is not an integer or out of range");
            if (v == null)
            {
                return;
            }
            if (v < 2 || v > 3)
            {
                c.out.error("NOPROTO unsupported protocol version");
                return;
            }
            version = v.intValue();
        }
        byte[] user = null;
        byte[] password = null;
        byte[] setName = null;
        for (int j = next; j < a.size(); j++)
        {
            final int more = a.size() - 1 - j;
            if (is(a.get(j), "auth") && more >= 2)
            {
                user = a.get(j + 1);
                password = a.get(j + 2);
                j += 2;
            }
            else if (is(a.get(j), "setname") && more > 0)
            {
                setName = a.get(++j);
                if (!validName(c, setName))
                {
                    return; // Redis checks the name as it reads the options, before AUTH
                }
            }
            else
            {
                c.out.error("ERR Syntax error in HELLO option '" + latin(a.get(j)) + "'");
                return;
            }
        }
        if (user != null && !server.authenticate(c, user, password))
        {
            return;
        }
        if (!c.authenticated)
        {
            c.out.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> " +
                "AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at " +
                "the same time");
            return;
        }
        if (version == 3)
        {
            c.out.error("NOPROTO unsupported protocol version: Ferry speaks RESP2 only (HELLO 2)");
            return;
        }
        if (setName != null && !setName(c, setName))
        {
            return;
        }
        c.out.array(14);
        c.out.bulk("server");
        c.out.bulk("redis");
        c.out.bulk("version");
        c.out.bulk(VERSION);
        c.out.bulk("proto");
        c.out.integer(2);
        c.out.bulk("id");
        c.out.integer(c.id);
        c.out.bulk("mode");
        c.out.bulk("standalone");
        c.out.bulk("role");
        c.out.bulk(node.primary() ? "master" : "replica");
        c.out.bulk("modules");
        c.out.array(0);
    }

    private void auth(final RespClient c, final List<byte[]> a)
    {
        if (a.size() > 3)
        {
            c.out.error(SYNTAX);
            return;
        }
        if (a.size() == 2 && !server.requiresPassword())
        {
            c.out.error("ERR AUTH <password> called without any password configured for the default user. Are you sure " +
                "your configuration is correct?");
            return;
        }
        final byte[] user = a.size() == 2 ? "default".getBytes(StandardCharsets.US_ASCII) : a.get(1);
        if (server.authenticate(c, user, a.get(a.size() - 1)))
        {
            c.out.ok();
        }
    }

    private void reset(final RespClient c, final List<byte[]> a)
    {
        c.db = 0;
        c.name = null;
        c.authenticated = !server.requiresPassword();
        c.out.simple("RESET");
    }

    /** @return true if the name is one Redis accepts; if not, Redis' error is written. */
    private static boolean validName(final RespClient c, final byte[] name)
    {
        for (final byte b : name)
        {
            if (b < '!' || b > '~')
            {
                c.out.error("ERR Client names cannot contain spaces, newlines or special characters.");
                return false;
            }
        }
        return true;
    }

    private static boolean setName(final RespClient c, final byte[] name)
    {
        if (!validName(c, name))
        {
            return false;
        }
        c.name = name.length == 0 ? null : latin(name);
        return true;
    }

    private void clientSetname(final RespClient c, final List<byte[]> a)
    {
        if (setName(c, a.get(2)))
        {
            c.out.ok();
        }
    }

    private void clientSetinfo(final RespClient c, final List<byte[]> a)
    {
        if (!is(a.get(2), "lib-name") && !is(a.get(2), "lib-ver"))
        {
            c.out.error("ERR Unrecognized option '" + latin(a.get(2)) + "'");
            return;
        }
        c.out.ok();
    }

    private static void help(final RespClient c, final String command, final String... lines)
    {
        c.out.array(lines.length + 1);
        c.out.simple(command + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        for (final String line : lines)
        {
            c.out.simple(line);
        }
    }

    private void commandInfo(final RespClient c, final List<byte[]> a)
    {
        final List<Command> commands = new ArrayList<>();
        if (a.size() == 2)
        {
            commands.addAll(table.values());
        }
        else
        {
            for (int i = 2; i < a.size(); i++)
            {
                commands.add(table.get(lower(a.get(i))));
            }
        }
        c.out.array(commands.size());
        for (final Command command : commands)
        {
            if (command == null)
            {
                c.out.nullArray();
                continue;
            }
            describe(c, command);
        }
    }

    private static void describe(final RespClient c, final Command command)
    {
        c.out.array(10);
        c.out.bulk(command.name());
        c.out.integer(command.arity());
        c.out.array(command.flags().size());
        for (final String flag : command.flags())
        {
            c.out.simple(flag);
        }
        c.out.integer(command.firstKey());
        c.out.integer(command.lastKey());
        c.out.integer(command.step());
        c.out.array(0); // ACL categories
        c.out.array(0); // tips
        c.out.array(0); // key specifications
        c.out.array(command.subcommands().size());
        for (final Command sub : command.subcommands().values())
        {
            describe(c, sub);
        }
    }

    private void commandDocs(final RespClient c, final List<byte[]> a)
    {
        final List<Command> commands = new ArrayList<>();
        if (a.size() == 2)
        {
            commands.addAll(table.values());
        }
        else
        {
            for (int i = 2; i < a.size(); i++)
            {
                final Command command = table.get(lower(a.get(i)));
                if (command != null)
                {
                    commands.add(command);
                }
            }
        }
        c.out.array(2 * commands.size());
        for (final Command command : commands)
        {
            c.out.bulk(command.name());
            c.out.array(6);
            c.out.bulk("summary");
            c.out.bulk(command.summary());
            c.out.bulk("since");
            c.out.bulk("1.0.0");
            c.out.bulk("group");
            c.out.bulk(command.group());
        }
    }

    private void names(final RespClient c)
    {
        c.out.array(table.size());
        for (final String name : table.keySet())
        {
            c.out.bulk(name);
        }
    }

    private void objectEncoding(final RespClient c, final List<byte[]> a)
    {
        final byte[] v = value(c, a.get(2));
        if (v == null)
        {
            c.out.nullBulk();
            return;
        }
        c.out.bulk(v.length <= 20 && RespNumbers.isLong(v) ? "int" : v.length <= 44 ? "embstr" : "raw");
    }

    private void objectNumber(final RespClient c, final List<byte[]> a, final long answer)
    {
        if (value(c, a.get(2)) == null)
        {
            c.out.nullBulk();
            return;
        }
        c.out.integer(answer);
    }

    private void configGet(final RespClient c, final List<byte[]> a)
    {
        final Map<String, String> known = new java.util.TreeMap<>();
        known.put("save", "");
        known.put("appendonly", "yes"); // every write is in the WAL before its reply
        known.put("appendfsync", "everysec");
        known.put("databases", Integer.toString(KvEntry.DATABASES));
        known.put("maxclients", Integer.toString(server.maxClients()));
        known.put("proto-max-bulk-len", Integer.toString(maxValueBytes));
        known.put("port", Integer.toString(server.port()));
        known.put("timeout", "0");
        known.put("maxmemory", "0");
        final List<String> out = new ArrayList<>();
        for (int i = 2; i < a.size(); i++)
        {
            for (final Map.Entry<String, String> e : known.entrySet())
            {
                if (Glob.matches(lower(a.get(i)).getBytes(StandardCharsets.ISO_8859_1),
                    e.getKey().getBytes(StandardCharsets.US_ASCII)) && !out.contains(e.getKey()))
                {
                    out.add(e.getKey());
                }
            }
        }
        c.out.array(2 * out.size());
        for (final String name : out)
        {
            c.out.bulk(name);
            c.out.bulk(known.get(name));
        }
    }

    private void info(final RespClient c, final List<byte[]> a)
    {
        final List<String> sections = new ArrayList<>();
        for (int i = 1; i < a.size(); i++)
        {
            sections.add(lower(a.get(i)));
        }
        final boolean all = sections.isEmpty() || sections.contains("all") || sections.contains("everything") ||
            sections.contains("default");
        final StringBuilder text = new StringBuilder();
        if (all || sections.contains("server"))
        {
            section(text, "Server", server.serverInfo());
        }
        if (all || sections.contains("clients"))
        {
            section(text, "Clients", server.clientsInfo());
        }
        if (all || sections.contains("replication"))
        {
            final List<String> lines = new ArrayList<>();
            node.replicationInfo(lines);
            section(text, "Replication", lines);
        }
        if (all || sections.contains("keyspace"))
        {
            final List<String> lines = new ArrayList<>();
            for (int db = 0; db < KvEntry.DATABASES; db++)
            {
                if (state.size(db) > 0)
                {
                    lines.add("db" + db + ":keys=" + state.size(db) + ",expires=" + state.expiringCount(db) + ",avg_ttl=0");
                }
            }
            section(text, "Keyspace", lines);
        }
        c.out.bulk(text.toString());
    }

    private static void section(final StringBuilder text, final String name, final List<String> lines)
    {
        if (!text.isEmpty())
        {
            text.append("\r\n");
        }
        text.append("# ").append(name).append("\r\n");
        for (final String line : lines)
        {
            text.append(line).append("\r\n");
        }
    }

    private static void nested(final RespClient c, final List<?> reply)
    {
        c.out.array(reply.size());
        for (final Object item : reply)
        {
            if (item instanceof List<?> list)
            {
                nested(c, list);
            }
            else if (item instanceof Number number)
            {
                c.out.integer(number.longValue());
            }
            else
            {
                c.out.bulk(String.valueOf(item));
            }
        }
    }

    private void waitReplicas(final RespClient c, final List<byte[]> a)
    {
        if (!node.primary())
        {
            c.out.error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a " +
                "replica is configured to be writable (which is not the default) writes to replicas are just local and " +
                "are not propagated.");
            return;
        }
        final Long replicas = integer(c, a.get(1));
        if (replicas == null)
        {
            return;
        }
        final long deadline = timeout(c, a.get(2));
        if (deadline == Long.MIN_VALUE)
        {
            return;
        }
        final int now = node.replicasAt(c.lastWriteOffset, AckLevel.APPLIED);
        if (now >= replicas)
        {
            c.out.integer(now);
            return;
        }
        c.block(RespClient.Block.WAIT, c.lastWriteOffset, (int)Math.min(replicas, Integer.MAX_VALUE), AckLevel.APPLIED, deadline);
    }

    private void waitAof(final RespClient c, final List<byte[]> a)
    {
        if (!node.primary())
        {
            c.out.error("ERR WAITAOF cannot be used with replica instances. Please also note that writes to replicas are " +
                "just local and are not propagated.");
            return;
        }
        final Long local = integer(c, a.get(1));
        if (local == null)
        {
            return;
        }
        final Long replicas = integer(c, a.get(2));
        if (replicas == null)
        {
            return;
        }
        final long deadline = timeout(c, a.get(3));
        if (deadline == Long.MIN_VALUE)
        {
            return;
        }
        if (local > 1)
        {
            c.out.error("ERR WAITAOF cannot be used with numlocal greater than 1");
            return;
        }
        if (local == 1 && c.lastWriteOffset >= 0)
        {
            node.syncLocal(c.lastWriteOffset);
        }
        c.blockLocal = 1; // the WAL holds every write before its reply, and was just made durable through this one
        final int count = node.replicasAt(c.lastWriteOffset, AckLevel.DURABLE);
        if (count >= replicas)
        {
            c.out.array(2);
            c.out.integer(1);
            c.out.integer(count);
            return;
        }
        c.block(RespClient.Block.WAIT_AOF, c.lastWriteOffset, (int)Math.min(replicas, Integer.MAX_VALUE), AckLevel.DURABLE, deadline);
    }

    /** A timeout argument in ms as a deadline in ns ({@code Long.MAX_VALUE}: forever), or MIN_VALUE after an error. */
    private static long timeout(final RespClient c, final byte[] arg)
    {
        final Long ms = RespNumbers.longOrNull(arg);
        if (ms == null)
        {
            c.out.error("ERR timeout is not an integer or out of range");
            return Long.MIN_VALUE;
        }
        if (ms < 0)
        {
            c.out.error("ERR timeout is negative");
            return Long.MIN_VALUE;
        }
        return ms == 0 ? Long.MAX_VALUE : System.nanoTime() + Math.min(ms, Long.MAX_VALUE / 2_000_000L) * 1_000_000L;
    }
}
