package dev.ferry.net.tls;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and PKCS#8 private keys, with an error naming the file for each way one can be wrong.
 */
final class PemFiles
{
    /** The largest PEM file read: a long chain or CA bundle fits many times over. */
    static final int MAX_FILE_BYTES = 1024 * 1024;

    private static final Pattern CERTIFICATE =
        Pattern.compile("-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]*?)-----END CERTIFICATE-----");
    private static final Pattern PRIVATE_KEY =
        Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]*?)-----END PRIVATE KEY-----");
    private static final String CONVERT = "convert it to unencrypted PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in ";
    private static final byte[] PROBE =
        "ferry: does this key match its certificate?".getBytes(StandardCharsets.US_ASCII);

    private PemFiles()
    {
    }

    /**
     * @param file a PEM file of one or more certificates.
     * @param what what the file is, for errors (e.g. {@code TLS certificate file (--tls-cert)}).
     * @return its certificates in file order, each valid now.
     * @throws FerryException CONFIGURATION if the file is missing, unreadable, holds no PEM certificate, a malformed
     *                        one, or one that has expired or is not yet valid.
     */
    static List<X509Certificate> certificates(final Path file, final String what)
    {
        final String text = read(file, what);
        final Matcher matcher = CERTIFICATE.matcher(text);
        final List<X509Certificate> certificates = new ArrayList<>();
        final CertificateFactory factory;
        try
        {
            factory = CertificateFactory.getInstance("X.509");
        }
        catch (final GeneralSecurityException ex)
        {
            throw new FerryException(ErrorCode.INTERNAL, "this JDK has no X.509 certificate factory: " + ex, ex);
        }
        while (matcher.find())
        {
            final int number = certificates.size() + 1;
            try
            {
                final byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
                certificates.add((X509Certificate)factory.generateCertificate(new ByteArrayInputStream(der)));
            }
            catch (final GeneralSecurityException | IllegalArgumentException ex)
            {
                throw new FerryException(ErrorCode.CONFIGURATION,
                    what + " " + file + ": certificate " + number + " is not a valid X.509 certificate: "
                        + ex.getMessage(), ex);
            }
        }
        if (certificates.isEmpty())
        {
            throw new FerryException(ErrorCode.CONFIGURATION,
                what + " " + file + " is not a PEM certificate file (no -----BEGIN CERTIFICATE----- block)");
        }
        for (final X509Certificate certificate : certificates)
        {
            checkValidity(file, what, certificate);
        }
        return certificates;
    }

    private static void checkValidity(final Path file, final String what, final X509Certificate certificate)
    {
        try
        {
            certificate.checkValidity(new Date());
        }
        catch (final CertificateExpiredException ex)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, what + " " + file + ": the certificate for "
                + certificate.getSubjectX500Principal().getName() + " expired on "
                + certificate.getNotAfter().toInstant(), ex);
        }
        catch (final CertificateNotYetValidException ex)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, what + " " + file + ": the certificate for "
                + certificate.getSubjectX500Principal().getName() + " is not valid until "
                + certificate.getNotBefore().toInstant(), ex);
        }
    }

    /**
     * @param file        a PEM file holding one unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}).
     * @param what        what the file is, for errors.
     * @param certificate the certificate the key must belong to.
     * @param certWhat    what the certificate's file is, for errors.
     * @return the key.
     * @throws FerryException CONFIGURATION if the file is missing, unreadable, not a PEM PKCS#8 key (a PKCS#1, SEC1 or
     *                        encrypted key is named as such, with the command that converts it), or not the key of
     *                        {@code certificate}.
     */
    static PrivateKey privateKey(
        final Path file, final String what, final X509Certificate certificate, final String certWhat)
    {
        final String text = read(file, what);
        final Matcher matcher = PRIVATE_KEY.matcher(text);
        if (!matcher.find())
        {
            if (text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----"))
            {
                throw new FerryException(ErrorCode.CONFIGURATION, what + " " + file + " is a PKCS#1/SEC1 key; "
                    + CONVERT + file + " -out key.pk8.pem");
            }
            if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
            {
                throw new FerryException(ErrorCode.CONFIGURATION, what + " " + file + " is encrypted (protect the "
                    + "file by its permissions instead); " + CONVERT + file + " -out key.pk8.pem");
            }
            throw new FerryException(ErrorCode.CONFIGURATION,
                what + " " + file + " is not a PEM private key file (no -----BEGIN PRIVATE KEY----- block)");
        }
        final PublicKey publicKey = certificate.getPublicKey();
        final String algorithm = publicKey.getAlgorithm();
        final PrivateKey key;
        byte[] der = null;
        try
        {
            der = Base64.getMimeDecoder().decode(matcher.group(1));
            key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        }
        catch (final GeneralSecurityException | IllegalArgumentException ex)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, what + " " + file + " is not a PKCS#8 " + algorithm
                + " private key, the kind the certificate in " + certWhat + " holds: " + ex.getMessage(), ex);
        }
        finally
        {
            if (der != null)
            {
                Arrays.fill(der, (byte)0);
            }
        }
        if (!matches(key, publicKey))
        {
            throw new FerryException(ErrorCode.CONFIGURATION, what + " " + file + " is not the private key of the "
                + "certificate in " + certWhat + " (" + certificate.getSubjectX500Principal().getName() + ")");
        }
        return key;
    }

    /** Does {@code key} sign what {@code publicKey} verifies? */
    private static boolean matches(final PrivateKey key, final PublicKey publicKey)
    {
        final String algorithm = switch (publicKey.getAlgorithm())
        {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> publicKey.getAlgorithm();
            default -> throw new FerryException(ErrorCode.CONFIGURATION,
                "unsupported TLS key algorithm " + publicKey.getAlgorithm() + ": use an RSA or EC key");
        };
        try
        {
            final Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(PROBE);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(PROBE);
            return verifier.verify(signature);
        }
        catch (final GeneralSecurityException ex)
        {
            return false; // e.g. an EC key on another curve than the certificate's
        }
    }

    private static String read(final Path file, final String what)
    {
        if (file == null)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, what + " is not set");
        }
        try
        {
            if (Files.isDirectory(file))
            {
                throw new FerryException(ErrorCode.CONFIGURATION, what + " " + file + " is a directory, not a file");
            }
            if (Files.size(file) > MAX_FILE_BYTES)
            {
                throw new FerryException(ErrorCode.CONFIGURATION,
                    what + " " + file + " is larger than " + MAX_FILE_BYTES + " bytes: not a PEM file");
            }
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        }
        catch (final NoSuchFileException ex)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, what + " " + file + " does not exist", ex);
        }
        catch (final AccessDeniedException ex)
        {
            throw new FerryException(
                ErrorCode.CONFIGURATION, what + " " + file + " cannot be read: permission denied", ex);
        }
        catch (final IOException ex)
        {
            throw new FerryException(ErrorCode.CONFIGURATION, what + " " + file + " cannot be read: " + ex, ex);
        }
    }
}
