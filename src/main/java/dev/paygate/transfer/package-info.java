@NullMarked
package dev.paygate.transfer;

import org.jspecify.annotations.NullMarked;
