package io.dynalog.expression;

import io.dynalog.expression.Token.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Cuts an expression into {@link Token}s, the same for every expression kind.
 *
 * <p>What DynamoDB's lexer does, and so this one:
 * <ul>
 *   <li>Whitespace is space, tab, carriage return and line feed; it only separates tokens.</li>
 *   <li>A name starts with an ASCII letter and goes on with letters, digits and underscores. A name
 *       that is {@code AND OR NOT BETWEEN IN} in any case is that keyword; a name followed, spaces
 *       aside, by {@code (} is a function name. An underscore cannot start a name: {@code _x} is the
 *       token {@code _} then the name {@code x} (DynamoDB answers {@code Syntax error; token: "_"}).</li>
 *   <li>{@code #} and {@code :} followed by letters, digits or underscores are placeholders; alone
 *       they are tokens no grammar accepts.</li>
 *   <li>Digits make a number (only list indexes use them).</li>
 *   <li>Comparators, parentheses, brackets, comma, dot, plus and minus are tokens; so are {@code _}
 *       and {@code !}, which no grammar accepts. Any other character is rejected here:
 *       {@code Invalid character encountered; character: "%", near: "a %"}.</li>
 * </ul>
 * Every list returned ends with one {@link Type#EOF} token.
 */
public final class Lexer {

    private final String text;
    private final ExpressionKind kind;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;

    private Lexer(String text, ExpressionKind kind) {
        this.text = text;
        this.kind = kind;
    }

    /**
     * The tokens of {@code text}, ending with EOF.
     *
     * @throws ExpressionException for a character that is not part of the expression language
     */
    public static List<Token> tokenize(String text, ExpressionKind kind) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(kind, "kind");
        return new Lexer(text, kind).run();
    }

    /** The whitespace DynamoDB skips between tokens. */
    static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private List<Token> run() {
        while (true) {
            while (pos < text.length() && isWhitespace(text.charAt(pos))) pos++;
            if (pos == text.length()) {
                tokens.add(new Token(Type.EOF, "<EOF>", pos, pos));
                return List.copyOf(tokens);
            }
            char c = text.charAt(pos);
            if (isLetter(c)) {
                word();
            } else if (isDigit(c)) {
                number();
            } else if (c == '#') {
                placeholder(Type.NAME_PLACEHOLDER);
            } else if (c == ':') {
                placeholder(Type.VALUE_PLACEHOLDER);
            } else {
                symbol(c);
            }
        }
    }

    private void word() {
        int start = pos;
        while (pos < text.length() && isNamePart(text.charAt(pos))) pos++;
        String word = text.substring(start, pos);
        Type type = keyword(word);
        if (type == null) type = followedByParenthesis() ? Type.FUNCTION : Type.NAME;
        emit(type, start);
    }

    private static Type keyword(String word) {
        return switch (word.toUpperCase(Locale.ROOT)) {
            case "AND" -> Type.AND;
            case "OR" -> Type.OR;
            case "NOT" -> Type.NOT;
            case "BETWEEN" -> Type.BETWEEN;
            case "IN" -> Type.IN;
            default -> null;
        };
    }

    private boolean followedByParenthesis() {
        int i = pos;
        while (i < text.length() && isWhitespace(text.charAt(i))) i++;
        return i < text.length() && text.charAt(i) == '(';
    }

    private void number() {
        int start = pos;
        while (pos < text.length() && isDigit(text.charAt(pos))) pos++;
        emit(Type.NUMBER, start);
    }

    private void placeholder(Type type) {
        int start = pos++;
        while (pos < text.length() && isNamePart(text.charAt(pos))) pos++;
        emit(pos - start == 1 ? Type.OTHER : type, start);
    }

    private void symbol(char c) {
        int start = pos++;
        Type type = switch (c) {
            case '=' -> Type.EQ;
            case '<' -> accept('>') ? Type.NE : accept('=') ? Type.LE : Type.LT;
            case '>' -> accept('=') ? Type.GE : Type.GT;
            case '(' -> Type.LPAREN;
            case ')' -> Type.RPAREN;
            case '[' -> Type.LBRACKET;
            case ']' -> Type.RBRACKET;
            case ',' -> Type.COMMA;
            case '.' -> Type.DOT;
            case '+' -> Type.PLUS;
            case '-' -> Type.MINUS;
            case '_', '!' -> Type.OTHER;
            default -> throw invalidCharacter(start);
        };
        emit(type, start);
    }

    private boolean accept(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void emit(Type type, int start) {
        tokens.add(new Token(type, text.substring(start, pos), start, pos));
    }

    private ExpressionException invalidCharacter(int at) {
        int end = at + Character.charCount(text.codePointAt(at));
        int from = tokens.isEmpty() ? at : tokens.get(tokens.size() - 1).start();
        return kind.invalid("Invalid character encountered; character: \"" + text.substring(at, end)
                + "\", near: \"" + text.substring(from, end) + "\"");
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isNamePart(char c) {
        return isLetter(c) || isDigit(c) || c == '_';
    }
}
