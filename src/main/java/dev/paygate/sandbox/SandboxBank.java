package dev.paygate.sandbox;

import java.util.UUID;

/** The sandbox bank every embedded gateway registers, under a fixed id the README can use. */
public final class SandboxBank {

    public static final UUID ID = UUID.fromString("5a4db0c5-0000-4000-8000-000000000001");
    public static final String NAME = "Paygate Sandbox Bank";

    private SandboxBank() {
    }
}
