package dev.ferry.wal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where Ferry's code gets its confined and shared arenas: the same arenas as {@link Arena#ofConfined()} and
 * {@link Arena#ofShared()}, counted while open, so a test can check that every arena Ferry opened was closed (a
 * confined or shared arena that is never closed keeps its native memory until the JVM exits). The count changes only
 * when an arena opens or closes; allocation goes straight to the JDK's arena.
 */
public final class Arenas
{
    private static final AtomicLong OPEN = new AtomicLong();

    private Arenas()
    {
    }

    /**
     * @return a new confined arena, counted until closed.
     */
    public static Arena ofConfined()
    {
        return new Counted(Arena.ofConfined());
    }

    /**
     * @return a new shared arena, counted until closed.
     */
    public static Arena ofShared()
    {
        return new Counted(Arena.ofShared());
    }

    /**
     * @return the arenas opened through this class and not yet closed, in this JVM.
     */
    public static long openArenas()
    {
        return OPEN.get();
    }

    /** Counts itself out once, when the JDK's arena really closed (a second close, or one from the wrong thread, throws). */
    private static final class Counted implements Arena
    {
        private final Arena arena;

        Counted(final Arena arena)
        {
            this.arena = arena;
            OPEN.incrementAndGet();
        }

        @Override
        public MemorySegment allocate(final long byteSize, final long byteAlignment)
        {
            return arena.allocate(byteSize, byteAlignment);
        }

        @Override
        public MemorySegment.Scope scope()
        {
            return arena.scope();
        }

        @Override
        public void close()
        {
            arena.close();
            OPEN.decrementAndGet();
        }
    }
}
