package dev.ferry.engine.archive;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.utils.SdkAutoCloseable;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * An archive in an S3-compatible object store: {@code s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION]}. A key is
 * stored as {@code PREFIX/key}. Each object is one PutObject, which S3 makes visible only once the upload is whole:
 * a writer that dies mid-upload leaves nothing behind. The bucket must exist; Ferry never creates one.
 * <p>
 * The endpoint is the URI's {@code endpoint} parameter, else the environment's {@code AWS_ENDPOINT_URL_S3} or
 * {@code AWS_ENDPOINT_URL}, else AWS itself; with an endpoint, buckets are addressed by path
 * ({@code http://host:port/bucket/key}), as MinIO, S3Proxy, Ceph and the like expect, and checksums are sent and
 * checked only where the S3 API requires them (some of those servers refuse the CRC32 checksums and aws-chunked uploads
 * AWS SDKs send by default since 2.30; Ferry's WAL batches carry CRC32C checksums of their own). The
 * region is the {@code region} parameter, else {@code AWS_REGION} or {@code aws.region} or the profile's, else
 * {@code us-east-1}. Credentials come from the AWS SDK's default chain: {@code aws.accessKeyId} and
 * {@code aws.secretAccessKey} system properties, {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}
 * environment variables, the {@code ~/.aws} profile, then the container's or instance's role.
 */
public final class S3Store implements ArchiveStore
{
    /** The region when none is configured. */
    static final String DEFAULT_REGION = "us-east-1";

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The longest silence on a connection: an upload or a download that stalls longer fails (and is retried). */
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern BUCKET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final String FORM = "s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION]";

    /**
     * Where a store's objects are, as its URI and the environment name it.
     *
     * @param bucket   the bucket.
     * @param prefix   the prefix of its keys, without a trailing {@code /} ("" for none).
     * @param endpoint the S3-compatible server, or {@code null} for AWS.
     * @param region   the region.
     */
    record Location(String bucket, String prefix, URI endpoint, Region region)
    {
    }

    private final String uri;
    private final Location location;
    /** {@code PREFIX/}, or "" without a prefix: what every object key starts with. */
    private final String root;
    private final S3Client s3;
    /** The credentials provider this store made (the default chain), closed with it; {@code null} if given. */
    private final SdkAutoCloseable ownedCredentials;

    private S3Store(final String uri, final Location location, final S3Client s3, final SdkAutoCloseable ownedCredentials)
    {
        this.uri = uri;
        this.location = location;
        this.root = location.prefix().isEmpty() ? "" : location.prefix() + "/";
        this.s3 = s3;
        this.ownedCredentials = ownedCredentials;
    }

    /**
     * Open a store, with the AWS SDK's default credentials.
     *
     * @param uri {@code s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION]}.
     * @return the store, its bucket found.
     * @throws IllegalArgumentException if the URI is not of that form, or its endpoint is not an http(s) URL.
     * @throws IOException              if the bucket does not exist, cannot be reached, or these credentials may not
     *                                  use it.
     */
    public static S3Store open(final URI uri) throws IOException
    {
        final DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        try
        {
            return open(uri, credentials, credentials);
        }
        catch (final IOException | RuntimeException e)
        {
            credentials.close();
            throw e;
        }
    }

    /**
     * Open a store with the given credentials (tests).
     *
     * @param uri         as {@link #open(URI)}.
     * @param credentials the credentials.
     * @return the store.
     * @throws IOException as {@link #open(URI)}.
     */
    static S3Store open(final URI uri, final AwsCredentialsProvider credentials) throws IOException
    {
        return open(uri, credentials, null);
    }

    private static S3Store open(final URI uri, final AwsCredentialsProvider credentials,
        final SdkAutoCloseable ownedCredentials) throws IOException
    {
        final Location location = location(uri, System::getenv);
        final S3ClientBuilder builder = S3Client.builder()
            .region(location.region())
            .credentialsProvider(credentials)
            .httpClientBuilder(UrlConnectionHttpClient.builder()
                .connectionTimeout(CONNECT_TIMEOUT)
                .socketTimeout(SOCKET_TIMEOUT));
        if (location.endpoint() != null)
        {
            builder.endpointOverride(location.endpoint())
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        final S3Client s3 = builder.build();
        final S3Store store = new S3Store(uri.toString(), location, s3, ownedCredentials);
        try
        {
            store.checkBucket();
            return store;
        }
        catch (final IOException | RuntimeException e)
        {
            s3.close();
            throw e;
        }
    }

    /**
     * @param uri a store's URI.
     * @param env the environment ({@code AWS_ENDPOINT_URL_S3}, {@code AWS_ENDPOINT_URL}).
     * @return where its objects are.
     * @throws IllegalArgumentException if the URI is not {@code s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION]}.
     */
    static Location location(final URI uri, final UnaryOperator<String> env)
    {
        if (!"s3".equalsIgnoreCase(uri.getScheme()))
        {
            throw new IllegalArgumentException("not an S3 archive URI: '" + uri + "'; write " + FORM);
        }
        final String bucket = uri.isOpaque() ? null : uri.getRawAuthority();
        if (bucket == null || bucket.isEmpty())
        {
            throw new IllegalArgumentException("no bucket in the archive URI '" + uri + "'; write " + FORM);
        }
        if (!BUCKET.matcher(bucket).matches())
        {
            throw new IllegalArgumentException("'" + bucket + "' in the archive URI '" + uri + "' is not a bucket name"
                + " (letters, digits, '.', '-', '_'); write " + FORM
                + ", the server's address going in the endpoint parameter, e.g. s3://archive/node1?endpoint=http://minio:9000");
        }
        String prefix = uri.getPath() == null ? "" : uri.getPath();
        while (prefix.startsWith("/"))
        {
            prefix = prefix.substring(1);
        }
        while (prefix.endsWith("/"))
        {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        String endpoint = null;
        String region = null;
        if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty())
        {
            for (final String parameter : uri.getRawQuery().split("&"))
            {
                final int equals = parameter.indexOf('=');
                final String name = equals < 0 ? parameter : parameter.substring(0, equals);
                final String value = equals < 0 ? "" : URLDecoder.decode(parameter.substring(equals + 1), StandardCharsets.UTF_8);
                if (value.isBlank())
                {
                    throw new IllegalArgumentException("the parameter '" + name + "' of the archive URI '" + uri
                        + "' has no value; write " + FORM);
                }
                switch (name)
                {
                    case "endpoint" -> endpoint = value;
                    case "region" -> region = value;
                    default -> throw new IllegalArgumentException("unknown parameter '" + name + "' in the archive URI '"
                        + uri + "': the accepted ones are endpoint and region, as in " + FORM);
                }
            }
        }
        String endpointSource = "the endpoint parameter of '" + uri + "'";
        for (final String variable : new String[] {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"})
        {
            final String value = env.apply(variable);
            if (endpoint == null && value != null && !value.isBlank())
            {
                endpoint = value.strip();
                endpointSource = "the environment variable " + variable;
            }
        }
        return new Location(bucket, prefix, endpoint == null ? null : endpoint(endpoint, endpointSource),
            region == null ? defaultRegion() : Region.of(region));
    }

    private static URI endpoint(final String endpoint, final String source)
    {
        final String advice = "the endpoint '" + endpoint + "' (from " + source
            + ") is not an S3 server's URL: write http://HOST:PORT or https://HOST[:PORT], e.g. http://127.0.0.1:9000";
        final URI parsed;
        try
        {
            parsed = new URI(endpoint);
        }
        catch (final java.net.URISyntaxException e)
        {
            throw new IllegalArgumentException(advice, e);
        }
        final String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        if ((!scheme.equals("http") && !scheme.equals("https")) || parsed.getHost() == null
            || parsed.getRawQuery() != null || parsed.getRawFragment() != null)
        {
            throw new IllegalArgumentException(advice);
        }
        return parsed;
    }

    /** {@code AWS_REGION}, {@code aws.region} or the profile's region, else {@value #DEFAULT_REGION}. */
    private static Region defaultRegion()
    {
        try
        {
            return new AwsRegionProviderChain(new SystemSettingsRegionProvider(), new AwsProfileRegionProvider()).getRegion();
        }
        catch (final SdkException e)
        {
            return Region.of(DEFAULT_REGION);
        }
    }

    private void checkBucket() throws IOException
    {
        try
        {
            s3.headBucket(b -> b.bucket(location.bucket()));
        }
        catch (final NoSuchBucketException e)
        {
            throw noBucket(e);
        }
        catch (final SdkException e)
        {
            if (e instanceof AwsServiceException service && service.statusCode() == 404)
            {
                throw noBucket(e);
            }
            throw new IOException("cannot use the bucket '" + location.bucket() + "' at " + server() + ": "
                + e.getMessage() + "; " + advice(e), e);
        }
    }

    private IOException noBucket(final SdkException e)
    {
        return new IOException("the bucket '" + location.bucket() + "' does not exist at " + server()
            + ": create it first (Ferry never creates a bucket), or correct the archive URI '" + uri + "'", e);
    }

    private String server()
    {
        return location.endpoint() != null ? location.endpoint().toString() : "AWS S3 (region " + location.region() + ")";
    }

    private static String advice(final SdkException e)
    {
        if (e instanceof AwsServiceException service)
        {
            final int status = service.statusCode();
            if (status == 403 || status == 401)
            {
                return "check the credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile) and that they"
                    + " may read and write the bucket";
            }
            if (status == 301 || (status == 400 && "AuthorizationHeaderMalformed".equals(errorCode(service))))
            {
                return "the bucket is in another region: set it with the archive URI's region parameter or AWS_REGION";
            }
            if (status == 404)
            {
                return "the bucket is gone: check the archive URI";
            }
        }
        return "check that the endpoint is reachable and that credentials are set (AWS_ACCESS_KEY_ID and"
            + " AWS_SECRET_ACCESS_KEY, or a profile), then retry";
    }

    private static String errorCode(final AwsServiceException e)
    {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    private IOException failure(final String action, final String key, final SdkException e)
    {
        return new IOException("cannot " + action + " s3://" + location.bucket() + "/" + root + key + " at " + server()
            + ": " + e.getMessage() + "; " + advice(e), e);
    }

    @Override
    public String uri()
    {
        return uri;
    }

    /**
     * @return the bucket.
     */
    public String bucket()
    {
        return location.bucket();
    }

    /**
     * @return the prefix of the objects' keys in the bucket, without a trailing {@code /} ("" for none).
     */
    public String prefix()
    {
        return location.prefix();
    }

    @Override
    public void put(final String key, final Path file) throws IOException
    {
        final String object = root + Keys.check(key);
        Files.size(file); // a missing file is a NoSuchFileException here, not the SDK's unchecked one
        try
        {
            s3.putObject(b -> b.bucket(location.bucket()).key(object), RequestBody.fromFile(file));
        }
        catch (final UncheckedIOException e)
        {
            throw e.getCause();
        }
        catch (final SdkException e)
        {
            throw failure("write " + file + " to", key, e);
        }
    }

    @Override
    public void put(final String key, final byte[] bytes) throws IOException
    {
        final String object = root + Keys.check(key);
        try
        {
            s3.putObject(b -> b.bucket(location.bucket()).key(object), RequestBody.fromBytes(bytes));
        }
        catch (final SdkException e)
        {
            throw failure("write", key, e);
        }
    }

    @Override
    public InputStream get(final String key) throws IOException
    {
        final String object = root + Keys.check(key);
        try
        {
            return s3.getObject(b -> b.bucket(location.bucket()).key(object));
        }
        catch (final NoSuchKeyException e)
        {
            throw missing(object, e);
        }
        catch (final SdkException e)
        {
            if (e instanceof AwsServiceException service && service.statusCode() == 404
                && !(e instanceof NoSuchBucketException) && !"NoSuchBucket".equals(errorCode(service)))
            {
                throw missing(object, e);
            }
            throw failure("read", key, e);
        }
    }

    private NoSuchFileException missing(final String object, final SdkException e)
    {
        final NoSuchFileException missing = new NoSuchFileException("s3://" + location.bucket() + "/" + object);
        missing.initCause(e);
        return missing;
    }

    @Override
    public List<ObjectInfo> list(final String prefix) throws IOException
    {
        final List<ObjectInfo> objects = new ArrayList<>();
        try
        {
            final ListObjectsV2Request request = ListObjectsV2Request.builder()
                .bucket(location.bucket())
                .prefix(root + prefix)
                .build();
            for (final S3Object object : s3.listObjectsV2Paginator(request).contents())
            {
                // "dir/" markers some tools create are not objects an archive wrote
                if (object.key().startsWith(root) && !object.key().endsWith("/"))
                {
                    objects.add(new ObjectInfo(object.key().substring(root.length()), object.size(),
                        object.lastModified().toEpochMilli()));
                }
            }
        }
        catch (final SdkException e)
        {
            throw failure("list", prefix + "*", e);
        }
        objects.sort(Comparator.comparing(ObjectInfo::key)); // S3 orders by UTF-8 bytes, a directory by UTF-16 units
        return objects;
    }

    @Override
    public void delete(final String key) throws IOException
    {
        final String object = root + Keys.check(key);
        try
        {
            s3.deleteObject(b -> b.bucket(location.bucket()).key(object));
        }
        catch (final NoSuchKeyException e)
        {
            // already gone: S3 itself answers 204, some compatible servers 404
        }
        catch (final SdkException e)
        {
            throw failure("delete", key, e);
        }
    }

    @Override
    public void close()
    {
        s3.close();
        if (ownedCredentials != null)
        {
            ownedCredentials.close();
        }
    }
}
