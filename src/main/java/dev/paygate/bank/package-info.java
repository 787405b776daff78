/** External banks: the registry, connectors over WebClient with resilience, the dispatch of payouts and inbound transfers, reconciliation. */
@NullMarked
package dev.paygate.bank;

import org.jspecify.annotations.NullMarked;
