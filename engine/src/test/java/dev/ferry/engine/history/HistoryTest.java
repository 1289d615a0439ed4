package dev.ferry.engine.history;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryTest
{
    private static final UUID ID = UUID.fromString("2f6c1d0e-6a4b-4c1e-9a57-1f0e2d3c4b5a");

    @TempDir
    Path dir;

    @Test
    void shouldStartANewHistoryAtEpochZeroFromOffsetZero()
    {
        final History history = History.create();
        assertEquals(List.of(new Epoch(0, 0)), history.epochs());
        assertEquals(0, history.epoch());
    }

    @Test
    void shouldSaveAndLoadEveryEpochWithItsStartOffset()
    {
        final History history = History.of(ID, List.of(new Epoch(0, 0), new Epoch(2, 5_000), new Epoch(3, 5_000)));
        history.save(dir);
        assertEquals(history, History.load(dir));
        assertEquals(3, History.load(dir).epoch());
        assertTrue(Files.notExists(dir.resolve(History.FILE + ".tmp")));
    }

    @Test
    void shouldReadAHistoryFileWrittenBeforeEpochsWereKept() throws IOException
    {
        // exactly what Ferry wrote before format 1
        Files.writeString(dir.resolve(History.FILE), "historyId=" + ID + "\nepoch=0\n");
        assertEquals(History.of(ID, List.of(new Epoch(0, 0))), History.load(dir));
    }

    @Test
    void shouldKeepTheKeysAnOlderFerryReads() throws IOException
    {
        History.of(ID, List.of(new Epoch(0, 0), new Epoch(1, 42))).save(dir);
        final String text = Files.readString(dir.resolve(History.FILE));
        assertTrue(text.contains("historyId=" + ID + "\n"), text);
        assertTrue(text.contains("epoch=1\n"), text);
    }

    @Test
    void shouldAnswerNullWhenThereIsNoHistory()
    {
        assertNull(History.load(dir));
    }

    @Test
    void shouldRefuseMalformedOrNewerFilesWithStorage() throws IOException
    {
        for (final String text : List.of(
            "historyId=not-a-uuid\nepoch=0\n",
            "epoch=0\n",
            "format=1\nhistoryId=" + ID + "\nepoch=1\nepochs=0@0,1\n",
            "format=1\nhistoryId=" + ID + "\nepoch=0\nepochs=0@0,1@10\n",
            "format=1\nhistoryId=" + ID + "\nepoch=1\nepochs=1@10,0@0\n",
            "format=3\nhistoryId=" + ID + "\nepoch=0\nepochs=0@0\n"))
        {
            Files.writeString(dir.resolve(History.FILE), text);
            final FerryException ex = assertThrows(FerryException.class, () -> History.load(dir), text);
            assertEquals(ErrorCode.STORAGE, ex.code(), text);
        }
    }

    @Test
    void shouldRefuseEpochsOutOfOrder()
    {
        assertThrows(IllegalArgumentException.class, () -> History.of(ID, List.of()));
        assertThrows(IllegalArgumentException.class,
            () -> History.of(ID, List.of(new Epoch(1, 0), new Epoch(1, 10))));
        assertThrows(IllegalArgumentException.class,
            () -> History.of(ID, List.of(new Epoch(0, 10), new Epoch(1, 5))));
    }

    @Test
    void shouldTakeThePrimarysHistoryWhenItHasNoneOrAnother()
    {
        assertEquals(History.of(ID, List.of(new Epoch(0, 0))), History.follow(null, ID, 0, 700));
        assertEquals(History.of(ID, List.of(new Epoch(4, 700))), History.follow(null, ID, 4, 700));
        final History other = History.create();
        assertEquals(History.of(ID, List.of(new Epoch(0, 0))), History.follow(other, ID, 0, 0));
    }

    @Test
    void shouldKeepItsOwnHistoryAndAppendANewerEpoch()
    {
        final History own = History.of(ID, List.of(new Epoch(0, 0), new Epoch(2, 50)));
        assertSame(own, History.follow(own, ID, 2, 900), "same epoch: unchanged");
        assertEquals(History.of(ID, List.of(new Epoch(0, 0), new Epoch(2, 50), new Epoch(3, 900))),
            History.follow(own, ID, 3, 900));
    }

    @Test
    void shouldNameTheNodeOfEachEpochAndReadFilesWithoutIt(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir)
        throws Exception
    {
        final History promoted = History.create("p1").promoted("r2", 5_000);
        assertEquals(List.of(new Epoch(0, 0, "p1"), new Epoch(1, 5_000, "r2")), promoted.epochs());
        promoted.save(dir);
        assertEquals(promoted, History.load(dir));
        assertTrue(java.nio.file.Files.readString(dir.resolve(History.FILE)).contains("epochs=0@0:p1,1@5000:r2"));
        java.nio.file.Files.writeString(dir.resolve(History.FILE), "format=1\nhistoryId=" + ID + "\nepoch=1\nepochs=0@0,1@7\n");
        assertEquals(History.of(ID, List.of(new Epoch(0, 0, ""), new Epoch(1, 7, ""))), History.load(dir));
    }

    @Test
    void shouldFindAnEpochByNumberAndNodeAndWhereItEnds()
    {
        final History history = History.of(ID, List.of(new Epoch(0, 0, "p"), new Epoch(1, 100, "a"), new Epoch(2, 300, "b")));
        assertEquals(1, history.indexOf(1, dev.ferry.net.message.HelloFlyweight.nodeHash("a"),
            dev.ferry.net.message.HelloFlyweight::nodeHash));
        assertEquals(-1, history.indexOf(1, dev.ferry.net.message.HelloFlyweight.nodeHash("b"),
            dev.ferry.net.message.HelloFlyweight::nodeHash), "the same number from another node is another epoch");
        assertEquals(300, history.endOf(1));
        assertEquals(Long.MAX_VALUE, history.endOf(2));
        assertEquals(History.of(ID, List.of(new Epoch(0, 0, "p"), new Epoch(1, 100, "a"))), history.truncatedTo(300));
        assertEquals(History.of(ID, List.of(new Epoch(0, 0, "p"))), history.truncatedTo(100));
        assertSame(history, history.truncatedTo(301));
    }

    @Test
    void shouldReplaceItsOwnEpochsOfTheFollowedNumberOrLater()
    {
        // a deposed node at epoch 1 (its own promotion) following a primary at epoch 1 begun by another node
        final History own = History.of(ID, List.of(new Epoch(0, 0, "p"), new Epoch(1, 100, "x")));
        assertEquals(History.of(ID, List.of(new Epoch(0, 0, "p"), new Epoch(1, 90, "y"))),
            History.follow(own, ID, new Epoch(1, 90, "y")));
        assertSame(own, History.follow(own, ID, new Epoch(1, 100, "x")));
    }
}
