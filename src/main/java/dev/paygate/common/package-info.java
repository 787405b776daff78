@NullMarked
package dev.paygate.common;

import org.jspecify.annotations.NullMarked;
