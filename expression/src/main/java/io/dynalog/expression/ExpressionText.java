package io.dynalog.expression;

import java.util.Objects;

/**
 * The checks DynamoDB makes on an expression's text before parsing it, for every kind: it must not
 * be empty, and it must fit in 4 KB of UTF-8.
 */
final class ExpressionText {

    /** DynamoDB's limit on the length of any expression, in UTF-8 bytes. */
    static final int MAX_SIZE_BYTES = 4096;

    private ExpressionText() {}

    static void check(ExpressionKind kind, String text) {
        Objects.requireNonNull(text, "text");
        if (isBlank(text)) {
            throw kind.invalid("The expression can not be empty;");
        }
        int size = utf8Length(text);
        if (size > MAX_SIZE_BYTES) {
            throw kind.invalid("Expression size has exceeded the maximum allowed size; expression size: " + size);
        }
    }

    private static boolean isBlank(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (!Lexer.isWhitespace(text.charAt(i))) return false;
        }
        return true;
    }

    /** The UTF-8 length of {@code text}; an unpaired surrogate counts as the 3 bytes of its replacement. */
    static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
