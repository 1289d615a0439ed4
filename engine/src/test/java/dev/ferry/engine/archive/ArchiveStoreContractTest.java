package dev.ferry.engine.archive;

import dev.ferry.engine.archive.ArchiveStore.ObjectInfo;
import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link ArchiveStore} promises, checked on a directory and on a real S3 server (S3Proxy, in process):
 * whole objects in and out, "missing" as {@link NoSuchFileException}, listings by prefix in key order, overwrite,
 * delete; then what is particular to each store, and {@link Archives#open}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ArchiveStoreContractTest
{
    private static final String BUCKET = "ferry-archive";
    private static final int BIG = 20 << 20;

    /** The stores under test. */
    enum Kind
    {
        DIRECTORY, S3
    }

    private static S3ProxyServer server;
    /** Each S3 store of the class gets a prefix of its own in the one bucket. */
    private static int stores;

    @TempDir
    Path dir;

    private final List<ArchiveStore> opened = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception
    {
        server = new S3ProxyServer(BUCKET);
    }

    @AfterAll
    static void stopServer() throws Exception
    {
        if (server != null)
        {
            server.close();
        }
    }

    @AfterEach
    void closeStores()
    {
        opened.forEach(ArchiveStore::close);
    }

    private ArchiveStore store(final Kind kind) throws IOException
    {
        return store(kind, "archive-" + ++stores);
    }

    private ArchiveStore store(final Kind kind, final String name) throws IOException
    {
        final ArchiveStore store = switch (kind)
        {
            case DIRECTORY -> new DirectoryStore(dir.resolve(name), dir.resolve(name).toUri().toString());
            case S3 -> S3Store.open(URI.create(server.uri(BUCKET, name)), server.credentials());
        };
        opened.add(store);
        return store;
    }

    private static byte[] read(final ArchiveStore store, final String key) throws IOException
    {
        try (InputStream in = store.get(key))
        {
            return in.readAllBytes();
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> keys(final List<ObjectInfo> objects)
    {
        return objects.stream().map(ObjectInfo::key).toList();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void bytesComeBackAsWrittenAtAnyDepth(final Kind kind) throws IOException
    {
        final ArchiveStore store = store(kind);
        final byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++)
        {
            all[i] = (byte) i;
        }
        store.put("top", bytes("top level"));
        store.put("generations/0001/wal/0000000000000001.wal", all);
        store.put("a/b/c/d/e/f", bytes("six levels"));
        store.put("empty", new byte[0]);
        assertArrayEquals(bytes("top level"), read(store, "top"));
        assertArrayEquals(all, read(store, "generations/0001/wal/0000000000000001.wal"));
        assertArrayEquals(bytes("six levels"), read(store, "a/b/c/d/e/f"));
        assertArrayEquals(new byte[0], read(store, "empty"));
        assertEquals(List.of("a/b/c/d/e/f", "empty", "generations/0001/wal/0000000000000001.wal", "top"),
            keys(store.list("")));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void aFileOfTwentyMebibytesComesBackWhole(final Kind kind) throws IOException
    {
        final ArchiveStore store = store(kind);
        final byte[] content = new byte[BIG];
        new Random(42).nextBytes(content);
        final Path file = Files.write(dir.resolve("segment.bin"), content);
        store.put("generations/0001/wal/big.wal", file);
        assertArrayEquals(content, read(store, "generations/0001/wal/big.wal"));
        final List<ObjectInfo> listed = store.list("generations/");
        assertEquals(1, listed.size(), listed::toString);
        assertEquals(new ObjectInfo("generations/0001/wal/big.wal", BIG, listed.getFirst().lastModifiedMillis()),
            listed.getFirst());
        assertTrue(Files.exists(file), "the source file is left as it was");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void aMissingObjectIsNoSuchFile(final Kind kind) throws IOException
    {
        final ArchiveStore store = store(kind);
        store.put("generations/0001/snapshot", bytes("s"));
        assertThrows(NoSuchFileException.class, () -> store.get("never-written"));
        assertThrows(NoSuchFileException.class, () -> store.get("generations/0001/wal/0000000000000001.wal"));
        assertThrows(NoSuchFileException.class, () -> store.get("no/such/levels/at/all"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void aListingHasExactlyTheKeysWithThePrefixInKeyOrderWithTheirSizes(final Kind kind) throws IOException
    {
        final ArchiveStore store = store(kind);
        final Map<String, Integer> sizes = Map.of(
            "generations/0001/wal/0000000000000002.wal", 22,
            "generations/0001/snapshot", 1,
            "generations/0001/wal/0000000000000001.wal", 21,
            "generations/0002/wal/0000000000000001.wal", 3,
            "generationsX/other", 4,
            "index", 5);
        final long before = System.currentTimeMillis();
        for (final Map.Entry<String, Integer> object : sizes.entrySet())
        {
            store.put(object.getKey(), new byte[object.getValue()]);
        }
        final long after = System.currentTimeMillis();

        final List<ObjectInfo> all = store.list("");
        assertEquals(List.of("generations/0001/snapshot", "generations/0001/wal/0000000000000001.wal",
            "generations/0001/wal/0000000000000002.wal", "generations/0002/wal/0000000000000001.wal",
            "generationsX/other", "index"), keys(all));
        for (final ObjectInfo object : all)
        {
            assertEquals((long) sizes.get(object.key()), object.size(), object.key());
            // S3 keeps whole seconds: a second either side
            assertTrue(object.lastModifiedMillis() >= before - 1_000 && object.lastModifiedMillis() <= after + 1_000,
                object + " not written between " + before + " and " + after);
        }
        assertEquals(List.of("generations/0001/snapshot", "generations/0001/wal/0000000000000001.wal",
            "generations/0001/wal/0000000000000002.wal"), keys(store.list("generations/0001/")));
        assertEquals(List.of("generations/0001/wal/0000000000000001.wal", "generations/0001/wal/0000000000000002.wal"),
            keys(store.list("generations/0001/wal/00000000000000")));
        assertEquals(List.of("generations/0001/snapshot", "generations/0001/wal/0000000000000001.wal",
            "generations/0001/wal/0000000000000002.wal", "generations/0002/wal/0000000000000001.wal"),
            keys(store.list("generations/")));
        assertEquals(5, store.list("gen").size(), "a prefix is a prefix of the key, not a whole level");
        assertEquals(List.of("index"), keys(store.list("index")));
        assertEquals(List.of(), store.list("generations/0003/"));
        assertEquals(List.of(), store.list("nothing"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void anOverwriteReplacesTheWholeObject(final Kind kind) throws IOException
    {
        final ArchiveStore store = store(kind);
        store.put("generations/0001/snapshot", bytes("the first, longer version"));
        store.put("generations/0001/snapshot", bytes("second"));
        assertArrayEquals(bytes("second"), read(store, "generations/0001/snapshot"));
        assertEquals(List.of(new ObjectInfo("generations/0001/snapshot", 6,
            store.list("").getFirst().lastModifiedMillis())), store.list(""));

        final Path file = Files.write(dir.resolve("third"), bytes("third, from a file"));
        store.put("generations/0001/snapshot", file);
        assertArrayEquals(bytes("third, from a file"), read(store, "generations/0001/snapshot"));
        assertEquals(1, store.list("").size());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void aDeleteRemovesAndAMissingObjectIsNoError(final Kind kind) throws IOException
    {
        final ArchiveStore store = store(kind);
        store.put("generations/0001/wal/0000000000000001.wal", bytes("one"));
        store.put("generations/0001/wal/0000000000000002.wal", bytes("two"));
        store.delete("generations/0001/wal/0000000000000001.wal");
        assertThrows(NoSuchFileException.class, () -> store.get("generations/0001/wal/0000000000000001.wal"));
        assertEquals(List.of("generations/0001/wal/0000000000000002.wal"), keys(store.list("")));
        assertArrayEquals(bytes("two"), read(store, "generations/0001/wal/0000000000000002.wal"));

        store.delete("generations/0001/wal/0000000000000001.wal"); // again
        store.delete("never/written");
        store.delete("generations/0001/wal/0000000000000002.wal");
        assertEquals(List.of(), store.list(""));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void keysThatCouldEscapeOrHideAreRefused(final Kind kind) throws IOException
    {
        final ArchiveStore store = store(kind);
        final List<Executable> refused = List.of(
            () -> store.put("../escape", bytes("x")),
            () -> store.put("generations/../../escape", bytes("x")),
            () -> store.put("/absolute", bytes("x")),
            () -> store.put("", bytes("x")),
            () -> store.put("back\\slash", bytes("x")),
            () -> store.put("hidden.tmp-1", bytes("x")),
            () -> store.get("../escape"),
            () -> store.delete("../escape"));
        for (final Executable call : refused)
        {
            assertThrows(IllegalArgumentException.class, call);
        }
        assertEquals(List.of(), store.list(""));
        assertFalse(Files.exists(dir.resolve("escape")));
    }

    @Test
    void aCrashedWritersTemporaryFileIsNeverListedAndIsRemoved() throws IOException
    {
        final DirectoryStore store = (DirectoryStore) store(Kind.DIRECTORY);
        store.put("generations/0001/wal/0000000000000001.wal", bytes("whole"));
        final Path leftover = store.root().resolve("generations/0001/wal/0000000000000002.wal" + DirectoryStore.TMP + "abc");
        Files.write(leftover, bytes("half of a se"));

        assertEquals(List.of("generations/0001/wal/0000000000000001.wal"), keys(store.list("")));
        assertEquals(List.of("generations/0001/wal/0000000000000001.wal"), keys(store.list("generations/0001/wal/")));
        assertThrows(IllegalArgumentException.class, () -> store.get("generations/0001/wal/0000000000000002.wal.tmp-abc"));
        assertThrows(NoSuchFileException.class, () -> store.get("generations/0001/wal/0000000000000002.wal"));

        assertEquals(1, store.removeTemporary());
        assertFalse(Files.exists(leftover));
        assertEquals(0, store.removeTemporary());
        assertArrayEquals(bytes("whole"), read(store, "generations/0001/wal/0000000000000001.wal"));
    }

    @Test
    void anS3StoreKeepsItsKeysUnderItsPrefixAndSeesNoOtherPrefix() throws IOException
    {
        final int n = ++stores;
        final ArchiveStore node1 = store(Kind.S3, "shared-" + n + "/node1");
        final ArchiveStore node10 = store(Kind.S3, "shared-" + n + "/node10");
        final ArchiveStore bucketRoot = S3Store.open(URI.create(server.uri(BUCKET, "")), server.credentials());
        opened.add(bucketRoot);
        node1.put("generations/0001/snapshot", bytes("one"));
        node10.put("generations/0001/snapshot", bytes("ten"));

        assertEquals(List.of("generations/0001/snapshot"), keys(node1.list("")));
        assertArrayEquals(bytes("one"), read(node1, "generations/0001/snapshot"));
        assertEquals(List.of("shared-" + n + "/node1/generations/0001/snapshot",
            "shared-" + n + "/node10/generations/0001/snapshot"), keys(bucketRoot.list("shared-" + n + "/")));
        assertArrayEquals(bytes("ten"), read(bucketRoot, "shared-" + n + "/node10/generations/0001/snapshot"));
        assertEquals("", ((S3Store) bucketRoot).prefix());
        assertEquals(BUCKET, ((S3Store) node1).bucket());
        assertEquals("shared-" + n + "/node1", ((S3Store) node1).prefix());
    }

    @Test
    void anS3StoreNeedsItsBucketAndGoodCredentials()
    {
        final IOException noBucket = assertThrows(IOException.class,
            () -> S3Store.open(URI.create(server.uri("no-such-bucket", "p")), server.credentials()));
        assertTrue(noBucket.getMessage().contains("'no-such-bucket' does not exist"), noBucket.getMessage());

        final IOException badSecret = assertThrows(IOException.class, () -> S3Store.open(URI.create(
            server.uri(BUCKET, "p")), () -> software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                server.accessKey(), "not-the-secret")));
        assertTrue(badSecret.getMessage().contains("check the credentials"), badSecret.getMessage());
    }

    @Test
    void anS3UriNamesBucketPrefixEndpointAndRegionAndTheEnvironmentGivesTheEndpoint()
    {
        final S3Store.Location full = S3Store.location(
            URI.create("s3://archive/ferry/node1/?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=eu-west-3"), name -> null);
        assertEquals("archive", full.bucket());
        assertEquals("ferry/node1", full.prefix());
        assertEquals(URI.create("http://127.0.0.1:9000"), full.endpoint());
        assertEquals("eu-west-3", full.region().id());

        final Map<String, String> env = Map.of("AWS_ENDPOINT_URL", "http://minio:9000");
        final S3Store.Location fromEnv = S3Store.location(URI.create("s3://archive?region=us-east-1"), env::get);
        assertEquals("", fromEnv.prefix());
        assertEquals(URI.create("http://minio:9000"), fromEnv.endpoint());
        assertEquals(URI.create("https://s3.example"), S3Store.location(URI.create("s3://archive?region=us-east-1"),
            Map.of("AWS_ENDPOINT_URL", "http://minio:9000", "AWS_ENDPOINT_URL_S3", "https://s3.example")::get).endpoint());
        assertEquals(URI.create("http://given:1"), S3Store.location(
            URI.create("s3://archive?endpoint=http://given:1&region=us-east-1"), env::get).endpoint());
        assertNull(S3Store.location(URI.create("s3://archive/p?region=us-east-1"), name -> null).endpoint(), "AWS itself");

        for (final String bad : List.of("s3:///prefix", "s3://127.0.0.1:9000/bucket", "s3://b?endpoint=ftp://x",
            "s3://b?endpoint=localhost:9000", "s3://b?endpoint=", "s3://b?secure=true", "file:///tmp/x"))
        {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> S3Store.location(URI.create(bad), name -> null), bad);
            assertTrue(e.getMessage().contains("s3://BUCKET") || e.getMessage().contains("http://HOST:PORT"), e::getMessage);
        }
        final IllegalArgumentException badEnv = assertThrows(IllegalArgumentException.class,
            () -> S3Store.location(URI.create("s3://b"), Map.of("AWS_ENDPOINT_URL", "minio:9000")::get));
        assertTrue(badEnv.getMessage().contains("AWS_ENDPOINT_URL"), badEnv.getMessage());
    }

    @Test
    void archivesOpensADirectoryForFileUrisAndPaths() throws IOException
    {
        final String absolute = dir.resolve("absolute").toUri().toString();
        assertTrue(absolute.startsWith("file:///"), absolute);
        final DirectoryStore byUri = assertInstanceOf(DirectoryStore.class, track(Archives.open(absolute)));
        assertEquals(dir.resolve("absolute"), byUri.root());
        assertEquals(absolute, byUri.uri());

        final DirectoryStore byPath = assertInstanceOf(DirectoryStore.class,
            track(Archives.open(dir.resolve("plain").toString())));
        assertEquals(dir.resolve("plain"), byPath.root());

        final String relative = "target/archive-contract-" + ProcessHandle.current().pid();
        try
        {
            final DirectoryStore byRelative = assertInstanceOf(DirectoryStore.class, track(Archives.open("file:" + relative)));
            assertEquals(Path.of(relative).toAbsolutePath(), byRelative.root());
            assertTrue(Files.isDirectory(Path.of(relative)));
        }
        finally
        {
            Files.deleteIfExists(Path.of(relative));
        }
    }

    @Test
    void archivesOpensAnS3StoreWithTheDefaultCredentials() throws IOException
    {
        final String accessKey = System.getProperty("aws.accessKeyId");
        final String secretKey = System.getProperty("aws.secretAccessKey");
        System.setProperty("aws.accessKeyId", server.accessKey());
        System.setProperty("aws.secretAccessKey", server.secretKey());
        try
        {
            final S3Store store = assertInstanceOf(S3Store.class, track(Archives.open(server.uri(BUCKET, "by-archives"))));
            store.put("k", bytes("v"));
            assertArrayEquals(bytes("v"), read(store, "k"));

            final FerryException missing = assertThrows(FerryException.class,
                () -> Archives.open(server.uri("no-such-bucket", "")));
            assertEquals(ErrorCode.STORAGE, missing.code());
            assertTrue(missing.getMessage().contains("'no-such-bucket' does not exist"), missing.getMessage());
        }
        finally
        {
            restore("aws.accessKeyId", accessKey);
            restore("aws.secretAccessKey", secretKey);
        }
    }

    @Test
    void archivesRefusesOtherUrisAsConfiguration()
    {
        for (final String bad : List.of("ftp://x", "http://bucket.example/x", "", "file://otherhost/archive", "s3://",
            "s3:///prefix", "s3://b?endpoint=ftp://x"))
        {
            final FerryException e = assertThrows(FerryException.class, () -> Archives.open(bad), bad);
            assertEquals(ErrorCode.CONFIGURATION, e.code(), e::getMessage);
            assertTrue(e.getMessage().contains("s3://BUCKET") || e.getMessage().contains("http://HOST:PORT"), e::getMessage);
        }
        final FerryException ftp = assertThrows(FerryException.class, () -> Archives.open("ftp://x"));
        assertTrue(ftp.getMessage().contains("file:///") && ftp.getMessage().contains("'ftp://x'"), ftp.getMessage());
    }

    @Test
    void archivesReportsADirectoryItCannotCreateAsStorage() throws IOException
    {
        final Path file = Files.write(dir.resolve("a-file"), bytes("not a directory"));
        final FerryException e = assertThrows(FerryException.class, () -> Archives.open(file.resolve("archive").toString()));
        assertEquals(ErrorCode.STORAGE, e.code(), e::getMessage);
    }

    private ArchiveStore track(final ArchiveStore store)
    {
        opened.add(store);
        return store;
    }

    private static void restore(final String property, final String value)
    {
        if (value == null)
        {
            System.clearProperty(property);
        }
        else
        {
            System.setProperty(property, value);
        }
    }
}
