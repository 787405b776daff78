@NullMarked
package dev.paygate.account;

import org.jspecify.annotations.NullMarked;
