package dev.paygate.security;

import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** True in the embedded default: no external issuer is configured, so the gateway issues its own tokens. */
class DevTokensCondition implements Condition {

    static final String ISSUER_URI = "spring.security.oauth2.resourceserver.jwt.issuer-uri";
    static final String JWK_SET_URI = "spring.security.oauth2.resourceserver.jwt.jwk-set-uri";

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        var environment = context.getEnvironment();
        return isBlank(environment.getProperty(ISSUER_URI)) && isBlank(environment.getProperty(JWK_SET_URI));
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
