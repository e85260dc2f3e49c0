package io.dynalog.expression;

import io.dynalog.expression.Token.Type;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * The cursor a recursive-descent parser reads tokens through, and the one place syntax errors are
 * worded.
 *
 * <p>DynamoDB's syntax error names the offending token and shows it in context:
 * {@code Syntax error; token: "-", near: "a-b"}. The context runs from the start of the token before
 * the offending one to the end of the token after it, as written (whitespace included); at the end
 * of input the offending token is {@code <EOF>} and the context is the last token.
 *
 * <p>It also pairs parentheses up front ({@link #partner}), so that a parser can see at an opening
 * parenthesis whether the group is redundant.
 *
 * <p>DynamoDB reports a syntax error anywhere in the text before any other problem, then a reserved
 * word, then the rest. So a parser that finds a reserved word or a misused function part way
 * through records it here ({@link #reservedWord}, {@link #problem}) and goes on parsing;
 * {@link #throwRecorded} reports the first, in that order, once the whole text has parsed.
 */
final class TokenStream {

    private final String text;
    private final ExpressionKind kind;
    private final List<Token> tokens;
    private final int[] partners;
    private int index;
    private String firstReservedWord;
    private ExpressionException firstProblem;

    TokenStream(String text, ExpressionKind kind) {
        this.text = text;
        this.kind = kind;
        this.tokens = Lexer.tokenize(text, kind);
        this.partners = pairParentheses(tokens);
    }

    ExpressionKind kind() {
        return kind;
    }

    /** The position of the current token. */
    int index() {
        return index;
    }

    Token peek() {
        return tokens.get(index);
    }

    /** The type of the token at {@code position}, or EOF beyond the end. */
    Type typeAt(int position) {
        return position < tokens.size() ? tokens.get(position).type() : Type.EOF;
    }

    boolean at(Type type) {
        return peek().is(type);
    }

    /** Consumes and returns the current token; the EOF token is never consumed. */
    Token next() {
        Token t = tokens.get(index);
        if (!t.is(Type.EOF)) index++;
        return t;
    }

    /** Consumes the current token if it has the type. */
    boolean accept(Type type) {
        if (!at(type)) return false;
        next();
        return true;
    }

    /** Consumes the current token, which must have the type. */
    Token expect(Type type) {
        if (!at(type)) throw syntaxError();
        return next();
    }

    /** The position of the parenthesis that pairs with the one at {@code position}, or -1. */
    int partner(int position) {
        return partners[position];
    }

    /** Records a reserved word written as an attribute name; reported if the text parses. */
    void reservedWord(String word) {
        if (firstReservedWord == null) firstReservedWord = word;
    }

    /** Records a problem other than syntax; reported if the text parses and has no reserved word. */
    void problem(ExpressionException problem) {
        if (firstProblem == null) firstProblem = problem;
    }

    /** Throws what was recorded, a reserved word first; called once the whole text has parsed. */
    void throwRecorded() {
        if (firstReservedWord != null) {
            throw kind.invalid("Attribute name is a reserved keyword; reserved keyword: " + firstReservedWord);
        }
        if (firstProblem != null) throw firstProblem;
    }

    /** A syntax error at the current token. */
    ExpressionException syntaxError() {
        return syntaxError(index);
    }

    /** A syntax error at the token at {@code position}, in DynamoDB's words. */
    ExpressionException syntaxError(int position) {
        Token offending = tokens.get(position);
        Token before = position > 0 ? tokens.get(position - 1) : null;
        int from = before != null ? before.start() : offending.start();
        int to;
        if (offending.is(Type.EOF)) {
            to = before != null ? before.end() : offending.start();
        } else {
            Token after = tokens.get(position + 1);
            to = after.is(Type.EOF) ? offending.end() : after.end();
        }
        return kind.invalid("Syntax error; token: \"" + offending.text() + "\", near: \"" + text.substring(from, to) + "\"");
    }

    private static int[] pairParentheses(List<Token> tokens) {
        int[] partners = new int[tokens.size()];
        Arrays.fill(partners, -1);
        Deque<Integer> open = new ArrayDeque<>();
        for (int i = 0; i < tokens.size(); i++) {
            Type type = tokens.get(i).type();
            if (type == Type.LPAREN) {
                open.push(i);
            } else if (type == Type.RPAREN && !open.isEmpty()) {
                int o = open.pop();
                partners[o] = i;
                partners[i] = o;
            }
        }
        return partners;
    }
}
