package dev.ferry.engine.resp;

import dev.ferry.engine.EventLog;
import dev.ferry.engine.state.KvEntry;
import dev.ferry.engine.state.KvStateMachine;
import dev.ferry.net.SelectorParker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener driven by the test's own thread (its duty cycle called by hand) over a node that records what it is
 * asked: a write is one entry holding only its own operations, its reply leaves only after the cycle's commit, and
 * once every reply is sent the listener lets the thread block.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RespServerTest
{
    /** A primary in memory: entries appended to a list and applied at once, commits counted. */
    private static final class RecordingNode implements RespNode
    {
        final KvStateMachine state = new KvStateMachine();
        final List<byte[]> entries = new ArrayList<>();
        int commits;
        int entriesAtLastCommit;

        @Override
        public KvStateMachine state()
        {
            return state;
        }

        @Override
        public boolean primary()
        {
            return true;
        }

        @Override
        public long write(final MemorySegment entry)
        {
            final long offset = entries.size();
            entries.add(entry.toArray(ValueLayout.JAVA_BYTE));
            state.apply(offset, entry);
            return offset;
        }

        @Override
        public void commit()
        {
            commits++;
            entriesAtLastCommit = entries.size();
        }

        @Override
        public void replicationInfo(final List<String> lines)
        {
            lines.add("role:master");
        }

        @Override
        public List<Object> role()
        {
            return List.of("master", (long)entries.size(), List.of());
        }
    }

    private final RecordingNode node = new RecordingNode();
    private SelectorParker parker;
    private RespServer server;
    private Socket client;

    @BeforeEach
    void open() throws IOException
    {
        parker = new SelectorParker(() -> true, 1);
        server = new RespServer(node, new InetSocketAddress("127.0.0.1", 0), null, parker, 1 << 20, 100, EventLog.NONE);
        server.onStart();
        client = new Socket();
        client.connect(server.address(), 5000);
        client.setSoTimeout(10_000);
    }

    @AfterEach
    void close() throws IOException
    {
        client.close();
        server.close();
        parker.close();
    }

    /** Send a request and run the listener's duty cycle until the whole expected reply has arrived. */
    private String exchange(final String request, final int replyBytes) throws IOException
    {
        client.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        client.getOutputStream().flush();
        final InputStream in = client.getInputStream();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (in.available() < replyBytes && System.nanoTime() < deadline)
        {
            server.doWork(System.nanoTime());
        }
        return new String(in.readNBytes(replyBytes), StandardCharsets.US_ASCII);
    }

    @Test
    void eachWriteIsOneEntryOfItsOwnOperationsAndIsRepliedToOnlyAfterTheCommit() throws IOException
    {
        assertEquals("+OK\r\n+OK\r\n:1\r\n", exchange("SET a 1\r\nSET b 2\r\nDEL a\r\n", 14));
        assertEquals(3, node.entries.size());
        for (final byte[] entry : node.entries)
        {
            // one operation each: a command's entry never carries an earlier command's operations
            assertEquals(1, KvEntry.validate(MemorySegment.ofArray(entry), 0));
        }
        assertEquals(1, node.commits, "one group commit for the cycle's three writes");
        assertEquals(3, node.entriesAtLastCommit, "every write was committed before any reply left");
        assertEquals("+OK\r\n", exchange("MSET x 1 y 2\r\n", 5));
        assertEquals(2, KvEntry.validate(MemorySegment.ofArray(node.entries.get(3)), 3)); // MSET: one entry, two PUTs
        assertEquals(2, node.commits);
        assertEquals("$1\r\n2\r\n", exchange("GET b\r\n", 7));
        assertEquals(2, node.commits, "a read commits nothing");
    }

    @Test
    void onceEveryReplyIsSentTheListenerLetsTheThreadBlock() throws IOException
    {
        assertTrue(server.idle());
        for (int i = 0; i < 3; i++)
        {
            assertEquals("+PONG\r\n", exchange("PING\r\n", 7));
            server.doWork(System.nanoTime());
            assertTrue(server.idle(), "idle after reply " + i); // it was not: a miscount of clients with replies
        }
    }
}
