package dev.paygate.common;

import org.springframework.stereotype.Component;

/** Makes the {@link FieldErrors} of one request, with the screens every free-text field passes. */
@Component
public class FieldErrorsFactory {

    public FieldErrors create() {
        return new FieldErrors(CardNumbers::complaint);
    }
}
