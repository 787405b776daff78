package dev.paygate.security;

/**
 * The firewall's rules for header names and values, as Spring Security's strict firewall states
 * them (assigned Unicode characters and no control characters; a value may hold tabs), checked
 * by a loop. The firewall applies them each time a header is read, and its regular expressions
 * were a few per cent of the CPU of every request.
 */
final class HeaderCharacters {

    private HeaderCharacters() {
    }

    static boolean isAllowedName(String name) {
        return name == null || allAssignedAndNotControl(name, false);
    }

    static boolean isAllowedValue(String value) {
        return value == null || allAssignedAndNotControl(value, true);
    }

    private static boolean allAssignedAndNotControl(String text, boolean tabAllowed) {
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            if (codePoint >= 0x20 && codePoint < 0x7F) {
                i++;
                continue;
            }
            boolean allowed = Character.isDefined(codePoint) && !Character.isISOControl(codePoint)
                    || tabAllowed && codePoint == '\t';
            if (!allowed) {
                return false;
            }
            i += Character.charCount(codePoint);
        }
        return true;
    }
}
