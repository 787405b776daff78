@NullMarked
package dev.paygate.ledger;

import org.jspecify.annotations.NullMarked;
