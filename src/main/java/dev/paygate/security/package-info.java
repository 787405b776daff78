@NullMarked
package dev.paygate.security;

import org.jspecify.annotations.NullMarked;
