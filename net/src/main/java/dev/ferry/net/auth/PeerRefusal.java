package dev.ferry.net.auth;

import dev.ferry.error.ErrorCode;
import dev.ferry.error.FerryException;

/**
 * An {@code ERROR} the peer sent, as the exception that ends the link, with whether it is proven: signed by a primary
 * that authenticated this client in this session (or received where no secret is used, so no proof is possible or
 * expected). Only a proven refusal may stop a replica for good or make it discard entries; an unproven one, which
 * anybody on the path could have sent, is a reason to back off and retry.
 */
public final class PeerRefusal extends FerryException
{
    private static final long serialVersionUID = 1L;

    private final boolean proven;

    /**
     * @param code    the code the peer sent.
     * @param message what it said, and who it is.
     * @param proven  whether the refusal is proven.
     */
    public PeerRefusal(final ErrorCode code, final String message, final boolean proven)
    {
        super(code, message + (proven ? "" : " (unauthenticated)"));
        this.proven = proven;
    }

    /**
     * @return whether the peer proved it sent this (or no secret is in use).
     */
    public boolean proven()
    {
        return proven;
    }
}
