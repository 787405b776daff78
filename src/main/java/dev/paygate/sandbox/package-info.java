/** The built-in sandbox bank: speaks the bank protocol, keeps its own ledger, misbehaves on request. */
@NullMarked
package dev.paygate.sandbox;

import org.jspecify.annotations.NullMarked;
