/** KYC levels and limits, AML alerts and reviews: the controls payment regulation asks of operators. */
@NullMarked
package dev.paygate.compliance;

import org.jspecify.annotations.NullMarked;
