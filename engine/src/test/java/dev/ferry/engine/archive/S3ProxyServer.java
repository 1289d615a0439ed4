package dev.ferry.engine.archive;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.Constants;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Properties;

/**
 * An S3 server in this process (S3Proxy on its {@code filesystem} back end, in a temporary directory), listening on
 * 127.0.0.1 on a free port and checking AWS signatures (v2 or v4) against a fixed key pair. {@link #close} stops it
 * and removes its directory.
 */
final class S3ProxyServer implements AutoCloseable
{
    private static final String ACCESS_KEY = "ferry-test-access";
    private static final String SECRET_KEY = "ferry-test-secret";
    private static final long START_MILLIS = 10_000;

    private final Path directory;
    private final BlobStore blobs;
    private final S3Proxy proxy;
    private final URI endpoint;

    /**
     * Start a server with these buckets.
     *
     * @param buckets the buckets it has.
     * @throws Exception if it cannot start within 10 s.
     */
    S3ProxyServer(final String... buckets) throws Exception
    {
        directory = Files.createTempDirectory("ferry-s3proxy");
        BlobStore createdBlobs = null;
        S3Proxy createdProxy = null;
        try
        {
            final Properties properties = new Properties();
            properties.setProperty("jclouds.filesystem.basedir", directory.toString());
            properties.setProperty(Constants.PROPERTY_IDENTITY, ACCESS_KEY);
            properties.setProperty(Constants.PROPERTY_CREDENTIAL, SECRET_KEY);
            createdBlobs = BlobStores.create("filesystem", properties);
            for (final String bucket : buckets)
            {
                createdBlobs.createContainer(bucket);
            }
            createdProxy = S3Proxy.builder()
                .blobStore(createdBlobs)
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:0")) // port 0: the system picks a free one
                .stopTimeout(0)
                .build();
            createdProxy.start();
            final long deadline = System.currentTimeMillis() + START_MILLIS;
            while (!"STARTED".equals(createdProxy.getState()))
            {
                if (System.currentTimeMillis() > deadline)
                {
                    throw new IllegalStateException("S3Proxy not started after " + START_MILLIS + " ms: "
                        + createdProxy.getState());
                }
                Thread.sleep(10);
            }
            endpoint = URI.create("http://127.0.0.1:" + createdProxy.getPort());
        }
        catch (final Exception e)
        {
            stop(createdProxy, createdBlobs, directory);
            throw e;
        }
        blobs = createdBlobs;
        proxy = createdProxy;
    }

    /**
     * @return where it listens: {@code http://127.0.0.1:PORT}.
     */
    URI endpoint()
    {
        return endpoint;
    }

    /**
     * @param bucket a bucket.
     * @param prefix a key prefix ("" for none).
     * @return the archive URI of that bucket and prefix on this server.
     */
    String uri(final String bucket, final String prefix)
    {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix) + "?endpoint=" + endpoint + "&region=us-east-1";
    }

    /**
     * @return the access key id it accepts.
     */
    String accessKey()
    {
        return ACCESS_KEY;
    }

    /**
     * @return the secret access key it accepts.
     */
    String secretKey()
    {
        return SECRET_KEY;
    }

    /**
     * @return its credentials, for {@link S3Store#open(URI, AwsCredentialsProvider)}.
     */
    AwsCredentialsProvider credentials()
    {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    }

    @Override
    public void close() throws IOException
    {
        stop(proxy, blobs, directory);
    }

    private static void stop(final S3Proxy proxy, final BlobStore blobs, final Path directory) throws IOException
    {
        try
        {
            if (proxy != null)
            {
                proxy.stop();
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping S3Proxy", e);
        }
        catch (final Exception e)
        {
            throw new IOException("cannot stop S3Proxy", e);
        }
        finally
        {
            if (blobs != null)
            {
                blobs.close();
            }
            removeAll(directory);
        }
    }

    private static void removeAll(final Path directory) throws IOException
    {
        if (!Files.exists(directory))
        {
            return;
        }
        Files.walkFileTree(directory, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attributes) throws IOException
            {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(final Path dir, final IOException e) throws IOException
            {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
