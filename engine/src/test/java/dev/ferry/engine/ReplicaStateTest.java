package dev.ferry.engine;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import dev.ferry.wal.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.ferry.engine.ReplicaState.BACKOFF;
import static dev.ferry.engine.ReplicaState.CONNECTING;
import static dev.ferry.engine.ReplicaState.HANDSHAKING;
import static dev.ferry.engine.ReplicaState.PROMOTED;
import static dev.ferry.engine.ReplicaState.SNAPSHOTTING;
import static dev.ferry.engine.ReplicaState.STOPPED;
import static dev.ferry.engine.ReplicaState.STREAMING;
import static dev.ferry.engine.ReplicationFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replica state machine: the table of DESIGN.md / {@link ReplicaState}'s javadoc, and what a listener sees on a
 * live replica.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(LeakCheck.class)
class ReplicaStateTest
{
    /** STOPPED -> CONNECTING -> HANDSHAKING -> (SNAPSHOTTING ->) STREAMING; those four -> BACKOFF -> CONNECTING;
     *  any running state -> STOPPED; STOPPED | BACKOFF | STREAMING -> PROMOTED; PROMOTED is final. */
    private static final Map<ReplicaState, Set<ReplicaState>> LEGAL = Map.of(
        STOPPED, EnumSet.of(CONNECTING, PROMOTED),
        CONNECTING, EnumSet.of(HANDSHAKING, BACKOFF, STOPPED),
        HANDSHAKING, EnumSet.of(SNAPSHOTTING, STREAMING, BACKOFF, STOPPED),
        SNAPSHOTTING, EnumSet.of(STREAMING, BACKOFF, STOPPED),
        STREAMING, EnumSet.of(BACKOFF, STOPPED, PROMOTED),
        BACKOFF, EnumSet.of(CONNECTING, STOPPED, PROMOTED),
        PROMOTED, EnumSet.noneOf(ReplicaState.class));

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** One state change as a listener saw it. */
    private record Transition(ReplicaState from, ReplicaState to, FerryException error, String thread)
    {
        @Override
        public String toString()
        {
            return from + "->" + to + (error == null ? "" : " (" + error.code() + ")");
        }
    }

    @TempDir
    Path dir;

    @RegisterExtension
    final ReplicationFixture fixture = new ReplicationFixture(() -> dir);

    // ------------------------------------------------------------------------------------------------ the table

    @ParameterizedTest
    @EnumSource(ReplicaState.class)
    void shouldAcceptExactlyTheTransitionsInTheTable(final ReplicaState from)
    {
        for (final ReplicaState to : ReplicaState.values())
        {
            final boolean legal = LEGAL.get(from).contains(to);
            assertEquals(legal, from.canMoveTo(to), from + " -> " + to);
            if (legal)
            {
                assertSame(to, from.moveTo(to), from + " -> " + to);
            }
            else
            {
                final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> from.moveTo(to),
                    from + " -> " + to + " must throw");
                assertTrue(ex.getMessage().contains(from + " -> " + to), ex.getMessage());
            }
        }
    }

    @Test
    void shouldRejectTheTypicalBugs()
    {
        assertThrows(IllegalStateException.class, () -> STOPPED.moveTo(STREAMING));
        assertThrows(IllegalStateException.class, () -> STOPPED.moveTo(HANDSHAKING));
        assertThrows(IllegalStateException.class, () -> CONNECTING.moveTo(STREAMING), "streaming needs a handshake");
        assertThrows(IllegalStateException.class, () -> BACKOFF.moveTo(STREAMING), "back-off reconnects first");
        assertThrows(IllegalStateException.class, () -> BACKOFF.moveTo(BACKOFF));
        assertThrows(IllegalStateException.class, () -> CONNECTING.moveTo(PROMOTED));
        for (final ReplicaState to : ReplicaState.values())
        {
            assertThrows(IllegalStateException.class, () -> PROMOTED.moveTo(to), "PROMOTED -> " + to);
            assertThrows(IllegalStateException.class, () -> to.moveTo(to), to + " -> itself");
        }
    }

    // --------------------------------------------------------------------------------------------- live replica

    private static void assertChained(final List<Transition> transitions)
    {
        for (int i = 0; i < transitions.size(); i++)
        {
            final Transition t = transitions.get(i);
            assertTrue(t.from().canMoveTo(t.to()), "illegal " + t + " in " + transitions);
            if (i > 0)
            {
                assertEquals(transitions.get(i - 1).to(), t.from(), "a gap in " + transitions);
            }
        }
    }

    private static List<ReplicaState> path(final List<Transition> transitions)
    {
        final List<ReplicaState> path = new ArrayList<>();
        if (!transitions.isEmpty())
        {
            path.add(transitions.getFirst().from());
        }
        for (final Transition t : transitions)
        {
            path.add(t.to());
        }
        return path;
    }

    private static ReplicaListener recorder(final List<Transition> into)
    {
        return (from, to, error) -> into.add(new Transition(from, to, error, Thread.currentThread().getName()));
    }

    @Test
    void shouldReportConnectHandshakeStreamThenBackoffWhenThePrimaryCloses()
    {
        Primary primary = fixture.primary(fixture.primaryConfig());
        final InetSocketAddress address = primary.localAddress();
        final List<Transition> seen = new CopyOnWriteArrayList<>();
        final Replica replica = fixture.replica("r1", address).addListener(recorder(seen));
        primary.append(new byte[16]);
        await("STREAMING", WAIT, () -> replica.state() == STREAMING && replica.receivedOffset() == 1);
        await("the listener to see STREAMING", WAIT, () -> !seen.isEmpty() && seen.getLast().to() == STREAMING);

        final List<Transition> start = List.copyOf(seen);
        assertChained(start);
        // the listener can only be added after start(), so the replica's thread may already have moved on; the path
        // seen must be the documented one from wherever the listener came in
        final List<ReplicaState> expected = List.of(STOPPED, CONNECTING, HANDSHAKING, STREAMING);
        final List<ReplicaState> got = path(start);
        assertEquals(expected.subList(expected.size() - got.size(), expected.size()), got, "path " + start);
        assertTrue(got.size() >= 2, "saw at least HANDSHAKING -> STREAMING: " + start);
        for (final Transition t : start)
        {
            assertNull(t.error(), t.toString());
            assertEquals("ferry-replica-r1", t.thread(), "listeners run on the replica's thread");
        }

        primary.close();
        await("BACKOFF after the primary closed", WAIT, () -> seen.stream().anyMatch(t -> t.to() == BACKOFF));
        final Transition backoff = seen.stream().filter(t -> t.to() == BACKOFF).findFirst().orElseThrow();
        assertEquals(STREAMING, backoff.from(), "the streaming link broke: " + seen);
        assertNotNull(backoff.error(), "BACKOFF carries the error");
        assertEquals(ErrorCode.CONNECTION, backoff.error().code(), backoff.error().getMessage());

        // while the primary is away: CONNECTING -> BACKOFF -> CONNECTING ..., then back to STREAMING once it returns
        final int before = seen.size();
        primary = fixture.primary(fixture.primaryConfig().listen(address));
        primary.append(new byte[16]);
        final Primary reopened = primary;
        await("STREAMING again", WAIT, () -> replica.state() == STREAMING && replica.receivedOffset() == reopened.nextOffset());
        await("the listener to see STREAMING again", WAIT, () -> seen.getLast().to() == STREAMING);
        assertChained(seen);
        final List<ReplicaState> again = path(seen.subList(before - 1, seen.size()));
        assertEquals(List.of(CONNECTING, HANDSHAKING, STREAMING), again.subList(again.size() - 3, again.size()), "path " + seen);
        for (final Transition t : seen.subList(before, seen.size()))
        {
            if (t.to() == BACKOFF)
            {
                assertEquals(CONNECTING, t.from(), "only a failed connect backs off here: " + seen);
                assertNotNull(t.error());
            }
        }

        replica.stop();
        assertEquals(STOPPED, replica.state());
        final Transition last = seen.getLast();
        assertEquals(STREAMING, last.from(), "stopped while streaming: " + seen);
        assertEquals(STOPPED, last.to());
        assertNull(last.error(), "a requested stop is not an error");
        assertChained(seen);
    }

    @Test
    void shouldBackOffWhileThePrimaryIsUnreachable() throws IOException
    {
        final int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            port = socket.getLocalPort();
        }
        final List<Transition> seen = new CopyOnWriteArrayList<>();
        final Replica replica = fixture.replica("r1", new InetSocketAddress("127.0.0.1", port)).addListener(recorder(seen));
        await("three BACKOFFs", WAIT, () -> seen.stream().filter(t -> t.to() == BACKOFF).count() >= 3);
        assertChained(seen);
        assertFalse(seen.stream().anyMatch(t -> t.to() == HANDSHAKING || t.to() == STREAMING), seen.toString());
        for (final Transition t : seen)
        {
            if (t.to() == BACKOFF)
            {
                assertEquals(CONNECTING, t.from(), seen.toString());
                assertEquals(ErrorCode.CONNECTION, t.error().code(), t.error().getMessage());
            }
        }
        assertNotNull(replica.lastError());
        assertEquals(ErrorCode.CONNECTION, replica.lastError().code());
        replica.stop();
        assertEquals(STOPPED, replica.state());
        assertEquals(STOPPED, seen.getLast().to());
        assertChained(seen);
    }

    /**
     * {@link Replica#lastError()} is "the error that caused the last BACKOFF or STOPPED": after a connection error the
     * replica recovered from, a requested stop has no error. {@code ferry replica} prints {@code lastError()} and
     * fails when it finds one after STOPPED, so a stale one turns a clean Ctrl-C into an error line.
     */
    @Test
    void shouldHaveNoErrorAfterARequestedStopFollowingARecoveredError() throws IOException
    {
        final int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            port = socket.getLocalPort();
        }
        final InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        final List<Transition> seen = new CopyOnWriteArrayList<>();
        final Replica replica = fixture.replica("r1", address).addListener(recorder(seen));
        await("a BACKOFF", WAIT, () -> replica.state() == BACKOFF || seen.stream().anyMatch(t -> t.to() == BACKOFF));
        final Primary primary = fixture.primary(fixture.primaryConfig().listen(address));
        primary.append(new byte[16]);
        await("STREAMING", WAIT, () -> replica.state() == STREAMING && replica.receivedOffset() == 1);
        replica.stop();
        assertEquals(STOPPED, replica.state());
        assertNull(seen.getLast().error(), "the STOPPED transition carries no error");
        assertNull(replica.lastError(), () -> "stale error after a clean stop: " + replica.lastError().getMessage());
    }

    /**
     * A replica stopped while waiting for WELCOME never streamed: it must go HANDSHAKING -> STOPPED, not report
     * STREAMING (and log "streaming from ...") on its way out.
     */
    @Test
    void shouldNotReportStreamingWhenStoppedDuringTheHandshake() throws IOException
    {
        try (ServerSocket silent = new ServerSocket(0, 4, InetAddress.getLoopbackAddress()))
        {
            // the kernel completes the TCP handshake from the backlog; nobody ever answers HELLO
            final ReplicaConfig config = fixture.replicaConfig("r1", new InetSocketAddress("127.0.0.1", silent.getLocalPort()))
                .connectTimeoutNs(TimeUnit.SECONDS.toNanos(60));
            final List<Transition> seen = new CopyOnWriteArrayList<>();
            final Replica replica = fixture.track(Replica.start(config)).addListener(recorder(seen));
            await("HANDSHAKING", WAIT, () -> replica.state() == HANDSHAKING);
            replica.stop();
            assertEquals(STOPPED, replica.state());
            assertChained(seen);
            assertFalse(seen.stream().anyMatch(t -> t.to() == STREAMING), "never welcomed, yet reported " + seen);
            assertEquals(HANDSHAKING, seen.getLast().from(), seen.toString());
            assertEquals(STOPPED, seen.getLast().to(), seen.toString());
        }
    }

    /**
     * A listener that throws must not break the back-off: the replica keeps its retry schedule (growing delays), it
     * does not reconnect at once in a loop (review: 1,565 attempts in 2 s against a closed port).
     */
    @Test
    void shouldKeepBackingOffWhenAListenerThrows() throws IOException
    {
        final int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            port = socket.getLocalPort();
        }
        final List<Transition> seen = new CopyOnWriteArrayList<>();
        final ReplicaConfig config = fixture.replicaConfig("r1", new InetSocketAddress("127.0.0.1", port))
            .backoffMinNs(TimeUnit.MILLISECONDS.toNanos(200)).backoffMaxNs(TimeUnit.MILLISECONDS.toNanos(400))
            .listener((from, to, error) ->
            {
                seen.add(new Transition(from, to, error, Thread.currentThread().getName()));
                if (to == BACKOFF)
                {
                    throw new IllegalStateException("a listener's bug");
                }
            });
        final Replica replica = fixture.track(Replica.start(config));
        await("two BACKOFFs", WAIT, () -> seen.stream().filter(t -> t.to() == BACKOFF).count() >= 2);
        final long start = System.nanoTime();
        final long before = seen.stream().filter(t -> t.to() == CONNECTING).count();
        await("a second", WAIT, () -> System.nanoTime() - start > TimeUnit.SECONDS.toNanos(1));
        final long attempts = seen.stream().filter(t -> t.to() == CONNECTING).count() - before;
        // back-off of 200-400 ms (with jitter from half of it): at most ~10 attempts a second, however slow the machine
        assertTrue(attempts <= 10, attempts + " connection attempts in a second: the back-off was skipped");
        replica.stop();
        assertEquals(STOPPED, replica.state());
    }

    /**
     * A primary whose name does not resolve (yet: DNS not ready when the replica starts) is a connection error to
     * retry, as the blocking connect's UnknownHostException was, not an INTERNAL error that stops the replica.
     */
    @Test
    void shouldBackOffWhenThePrimarysNameDoesNotResolve()
    {
        final List<Transition> seen = new CopyOnWriteArrayList<>();
        final Replica replica = fixture.track(Replica.start(fixture.replicaConfig("r1",
            InetSocketAddress.createUnresolved("ferry-no-such-host.invalid", 7000)).listener(recorder(seen))));
        await("a BACKOFF or STOPPED", WAIT, () -> seen.stream().anyMatch(t -> t.to() == BACKOFF || t.to() == STOPPED));
        final Transition first = seen.stream().filter(t -> t.to() == BACKOFF || t.to() == STOPPED).findFirst().orElseThrow();
        assertEquals(BACKOFF, first.to(), seen.toString());
        assertEquals(ErrorCode.CONNECTION, first.error().code(), first.error().getMessage());
        replica.stop();
    }

    /**
     * With an invoker, a stop from a listener (inside the duty cycle) closes the replica after that cycle, not under
     * it: nothing the cycle still does runs on a closed link, parker or WAL.
     */
    @Test
    void shouldCloseAnInvokedReplicaAfterTheCycleThatStoppedIt()
    {
        final List<String> log = new CopyOnWriteArrayList<>();
        final Primary primary = fixture.primary(fixture.primaryConfig());
        primary.append(new byte[16]);
        final Replica[] self = new Replica[1];
        final ReplicaConfig config = fixture.replicaConfig("r1", primary.localAddress()).useInvoker(true)
            .eventLog(log::add)
            .listener((from, to, error) ->
            {
                if (to == STREAMING)
                {
                    self[0].stop();
                }
            });
        final Replica replica = fixture.track(Replica.start(config));
        self[0] = replica;
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (!replica.invoker().isClosed() && System.nanoTime() < deadline)
        {
            replica.invoker().invoke();
        }
        assertTrue(replica.invoker().isClosed(), "stopped from its listener");
        assertEquals(STOPPED, replica.state());
        assertTrue(replica.wal().isClosed(), "the WAL is closed once the cycle returned");
        assertFalse(log.stream().anyMatch(l -> l.contains("INTERNAL")), log.toString());
    }
}
