/** The hand-written OpenAPI document of the API, and the routes that serve it. */
@NullMarked
package dev.paygate.openapi;

import org.jspecify.annotations.NullMarked;
