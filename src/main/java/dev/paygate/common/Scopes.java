package dev.paygate.common;

/** The OAuth2 scopes that gate operations. */
public final class Scopes {

    public static final String ACCOUNTS_READ = "accounts:read";
    public static final String ACCOUNTS_WRITE = "accounts:write";
    public static final String TRANSFERS_READ = "transfers:read";
    public static final String TRANSFERS_WRITE = "transfers:write";
    public static final String BANKS_READ = "banks:read";
    public static final String BANKS_WRITE = "banks:write";

    private Scopes() {
    }
}
