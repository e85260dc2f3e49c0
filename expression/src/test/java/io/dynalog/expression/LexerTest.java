package io.dynalog.expression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.expression.Token.Type;
import java.util.List;
import org.junit.jupiter.api.Test;

class LexerTest {

    private static List<Type> types(String text) {
        return Lexer.tokenize(text, ExpressionKind.CONDITION).stream().map(Token::type).toList();
    }

    private static List<String> texts(String text) {
        return Lexer.tokenize(text, ExpressionKind.CONDITION).stream().map(Token::text).toList();
    }

    @Test
    void namesPlaceholdersAndComparators() {
        assertThat(types("a = :v AND #b <> :w"))
                .containsExactly(Type.NAME, Type.EQ, Type.VALUE_PLACEHOLDER, Type.AND, Type.NAME_PLACEHOLDER, Type.NE,
                        Type.VALUE_PLACEHOLDER, Type.EOF);
        assertThat(texts("a1_b=:v_1")).containsExactly("a1_b", "=", ":v_1", "<EOF>");
    }

    @Test
    void everyComparator() {
        assertThat(types("= <> < <= > >=")).containsExactly(Type.EQ, Type.NE, Type.LT, Type.LE, Type.GT, Type.GE, Type.EOF);
        assertThat(types("a<=b>=c<d>e")).containsExactly(Type.NAME, Type.LE, Type.NAME, Type.GE, Type.NAME, Type.LT, Type.NAME,
                Type.GT, Type.NAME, Type.EOF);
    }

    @Test
    void keywordsIgnoreCase() {
        assertThat(types("and Or NOT between In")).containsExactly(Type.AND, Type.OR, Type.NOT, Type.BETWEEN, Type.IN, Type.EOF);
        // Longer words that start with a keyword are names.
        assertThat(types("android order inner")).containsExactly(Type.NAME, Type.NAME, Type.NAME, Type.EOF);
    }

    @Test
    void aNameFollowedByAParenthesisIsAFunction() {
        assertThat(types("begins_with(a, :p)"))
                .containsExactly(Type.FUNCTION, Type.LPAREN, Type.NAME, Type.COMMA, Type.VALUE_PLACEHOLDER, Type.RPAREN, Type.EOF);
        assertThat(types("size \t\n (a)")).startsWith(Type.FUNCTION, Type.LPAREN);
        // Keywords stay keywords before a parenthesis.
        assertThat(types("NOT (a) IN (b)")).startsWith(Type.NOT, Type.LPAREN, Type.NAME, Type.RPAREN, Type.IN, Type.LPAREN);
    }

    @Test
    void pathsAndIndexes() {
        assertThat(types("a.b[12].#c"))
                .containsExactly(Type.NAME, Type.DOT, Type.NAME, Type.LBRACKET, Type.NUMBER, Type.RBRACKET, Type.DOT,
                        Type.NAME_PLACEHOLDER, Type.EOF);
        assertThat(texts("a[007]")).containsExactly("a", "[", "007", "]", "<EOF>");
    }

    @Test
    void symbolsNoGrammarAcceptsAreTokensOfTheirOwn() {
        assertThat(texts("_version")).containsExactly("_", "version", "<EOF>");
        assertThat(types("# : ! _ + -")).containsExactly(Type.OTHER, Type.OTHER, Type.OTHER, Type.OTHER, Type.PLUS, Type.MINUS, Type.EOF);
        assertThat(types("1abc")).containsExactly(Type.NUMBER, Type.NAME, Type.EOF);
    }

    @Test
    void tokensKnowWhereTheyStand() {
        List<Token> tokens = Lexer.tokenize("  ab <= :v ", ExpressionKind.CONDITION);
        assertThat(tokens).containsExactly(
                new Token(Type.NAME, "ab", 2, 4),
                new Token(Type.LE, "<=", 5, 7),
                new Token(Type.VALUE_PLACEHOLDER, ":v", 8, 10),
                new Token(Type.EOF, "<EOF>", 11, 11));
    }

    @Test
    void anyOtherCharacterIsInvalid() {
        assertThatThrownBy(() -> Lexer.tokenize("a % :v", ExpressionKind.KEY_CONDITION))
                .isInstanceOf(ExpressionException.class)
                .hasMessage("Invalid KeyConditionExpression: Invalid character encountered; character: \"%\", near: \"a %\"");
        assertThatThrownBy(() -> Lexer.tokenize("@a", ExpressionKind.FILTER))
                .hasMessage("Invalid FilterExpression: Invalid character encountered; character: \"@\", near: \"@\"");
        assertThatThrownBy(() -> Lexer.tokenize("a = :v AND café = :w", ExpressionKind.CONDITION))
                .hasMessage("Invalid ConditionExpression: Invalid character encountered; character: \"é\", near: \"café\"");
        assertThatThrownBy(() -> Lexer.tokenize("a = \uD83D\uDE00", ExpressionKind.CONDITION))
                .hasMessage("Invalid ConditionExpression: Invalid character encountered; character: \"\uD83D\uDE00\", near: \"= \uD83D\uDE00\"");
        assertThatThrownBy(() -> Lexer.tokenize("a\f= :v", ExpressionKind.CONDITION))
                .hasMessageContaining("Invalid character encountered");
    }

    @Test
    void emptyInputIsJustTheEnd() {
        assertThat(types("")).containsExactly(Type.EOF);
        assertThat(types(" \t\r\n")).containsExactly(Type.EOF);
    }
}
