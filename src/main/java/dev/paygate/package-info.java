@NullMarked
package dev.paygate;

import org.jspecify.annotations.NullMarked;
