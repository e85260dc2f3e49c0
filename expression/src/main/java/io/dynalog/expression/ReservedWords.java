package io.dynalog.expression;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * DynamoDB's reserved words, which an expression may not use as a bare attribute name in any letter
 * case (a {@code #placeholder} must stand in for them).
 *
 * <p>The list is the resource {@code reserved-words.txt} next to this class, loaded once; a missing
 * or empty resource is a packaging error and fails class initialisation.
 */
public final class ReservedWords {

    private static final String RESOURCE = "reserved-words.txt";
    private static final Set<String> WORDS = load();

    private ReservedWords() {}

    /** Whether {@code name} is a reserved word, ignoring case. */
    public static boolean isReserved(String name) {
        return WORDS.contains(name.toUpperCase(Locale.ROOT));
    }

    /** All reserved words, upper case. */
    public static Set<String> all() {
        return WORDS;
    }

    private static Set<String> load() {
        InputStream in = ReservedWords.class.getResourceAsStream(RESOURCE);
        if (in == null) throw new IllegalStateException("missing resource " + RESOURCE);
        Set<String> words = new HashSet<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                String word = line.strip();
                if (!word.isEmpty() && !word.startsWith("#")) words.add(word.toUpperCase(Locale.ROOT));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        if (words.isEmpty()) throw new IllegalStateException("empty resource " + RESOURCE);
        return Set.copyOf(words);
    }
}
