package dev.paygate.compliance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.Resource;

/**
 * One loaded sanctions list in the OFAC layout: {@code sdn.csv} (one listed party per line) and
 * optionally {@code alt.csv} (its other names). Both files have no header, quote text fields with
 * double quotes and write an empty field as {@code -0-}.
 */
record SanctionsList(String source, Instant loadedAt, List<Party> parties, int names) {

    /** A listed party and every name it is known by, each normalised once at load. */
    record Party(String entryId, String name, @Nullable String type, @Nullable String program,
                 List<ListedName> names) {
    }

    record ListedName(String name, SanctionsNames.Normalised normalised) {
    }

    static SanctionsList load(Resource list, @Nullable Resource alternateNames) throws IOException {
        Map<String, Party> parties = new LinkedHashMap<>();
        Map<String, List<ListedName>> namesOf = new HashMap<>();
        int lineNumber = 0;
        for (String line : lines(list)) {
            lineNumber++;
            if (isBlank(line)) {
                continue;
            }
            List<String> fields = fields(line, list, lineNumber);
            if (fields.size() < 4) {
                throw invalid(list, lineNumber, "expected at least 4 fields (ent_num, SDN_Name, SDN_Type, Program)");
            }
            String id = required(fields.get(0), list, lineNumber, "ent_num");
            String name = required(fields.get(1), list, lineNumber, "SDN_Name");
            List<ListedName> names = new ArrayList<>();
            names.add(listed(name));
            namesOf.put(id, names);
            parties.put(id, new Party(id, name, value(fields.get(2)), value(fields.get(3)), names));
        }
        if (parties.isEmpty()) {
            throw new IOException(list.getDescription() + " lists no one; refusing to screen against an empty list");
        }
        if (alternateNames != null) {
            lineNumber = 0;
            for (String line : lines(alternateNames)) {
                lineNumber++;
                if (isBlank(line)) {
                    continue;
                }
                List<String> fields = fields(line, alternateNames, lineNumber);
                if (fields.size() < 4) {
                    throw invalid(alternateNames, lineNumber, "expected at least 4 fields (ent_num, alt_num, alt_type, alt_name)");
                }
                List<ListedName> names = namesOf.get(required(fields.get(0), alternateNames, lineNumber, "ent_num"));
                String alternate = value(fields.get(3));
                // An alternate name of a party the main list does not have is skipped, as OFAC's own
                // files may be fetched a few minutes apart.
                if (names != null && alternate != null) {
                    names.add(listed(alternate));
                }
            }
        }
        List<Party> loaded = parties.values().stream()
                .map(party -> new Party(party.entryId(), party.name(), party.type(), party.program(),
                        List.copyOf(party.names())))
                .toList();
        int names = loaded.stream().mapToInt(party -> party.names().size()).sum();
        String source = list.getDescription() + (alternateNames == null ? "" : " + " + alternateNames.getDescription());
        return new SanctionsList(source, Instant.now(), loaded, names);
    }

    private static ListedName listed(String name) {
        return new ListedName(name, SanctionsNames.normalise(name));
    }

    private static List<String> lines(Resource resource) throws IOException {
        try (var reader = new BufferedReader(new InputStreamReader(resource.getInputStream(), StandardCharsets.UTF_8))) {
            return reader.lines().toList();
        }
    }

    /** OFAC's files end with a DOS end-of-file character on a line of its own. */
    private static boolean isBlank(String line) {
        return line.chars().allMatch(c -> Character.isWhitespace(c) || c == 0x1A);
    }

    /** The fields of one CSV line (RFC 4180 quoting; a doubled quote inside quotes is a quote). */
    static List<String> fields(String line, Resource resource, int lineNumber) throws IOException {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                if (wasQuoted || !field.toString().isBlank()) {
                    throw invalid(resource, lineNumber, "a quote inside an unquoted field at column " + (i + 1));
                }
                field.setLength(0);
                quoted = true;
                wasQuoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
            } else if (!wasQuoted) {
                field.append(c);
            }
        }
        if (quoted) {
            throw invalid(resource, lineNumber, "a quoted field is not closed");
        }
        fields.add(field.toString());
        return fields;
    }

    private static @Nullable String value(String field) {
        String trimmed = field.trim();
        return trimmed.isEmpty() || trimmed.equals("-0-") ? null : trimmed;
    }

    private static String required(String field, Resource resource, int lineNumber, String column) throws IOException {
        String value = value(field);
        if (value == null) {
            throw invalid(resource, lineNumber, column + " is empty");
        }
        return value;
    }

    private static IOException invalid(Resource resource, int lineNumber, String problem) {
        return new IOException(resource.getDescription() + " line " + lineNumber + ": " + problem);
    }
}
