package io.dynalog.api.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.ErrorType;
import io.dynalog.topology.model.AttributeValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AttributeValuesTest {

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text.replace('\'', '"'));
        } catch (IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static AttributeValue read(String text) {
        return AttributeValues.fromJson(json(text));
    }

    private static ApiException failure(String text) {
        return catchThrowableOfType(ApiException.class, () -> read(text));
    }

    private static String written(AttributeValue value) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = Json.mapper().getFactory().createGenerator(out)) {
            AttributeValues.write(g, value);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Nested
    class ReadsEveryType {
        @Test
        void scalars() {
            assertThat(read("{'S':'hello'}")).isEqualTo(AttributeValue.s("hello"));
            assertThat(read("{'S':''}")).isEqualTo(AttributeValue.s(""));
            assertThat(read("{'N':'1.50'}")).isEqualTo(AttributeValue.n("1.5"));
            assertThat(read("{'N':'-1e2'}")).isEqualTo(AttributeValue.n("-100"));
            assertThat(read("{'B':'AAEC/w=='}")).isEqualTo(AttributeValue.b(new byte[] {0, 1, 2, (byte) 255}));
            assertThat(read("{'B':''}")).isEqualTo(AttributeValue.b(new byte[0]));
            assertThat(read("{'BOOL':true}")).isEqualTo(AttributeValue.Bool.TRUE);
            assertThat(read("{'BOOL':false}")).isEqualTo(AttributeValue.Bool.FALSE);
            assertThat(read("{'NULL':true}")).isEqualTo(AttributeValue.Null.INSTANCE);
        }

        @Test
        void documents() {
            AttributeValue value = read("{'M':{'z':{'S':'a'},'a':{'L':[{'N':'1'},{'NULL':true},{'M':{}}]}}}");
            assertThat(value).isInstanceOf(AttributeValue.M.class);
            Map<String, AttributeValue> map = ((AttributeValue.M) value).value();
            assertThat(map.keySet()).containsExactly("z", "a");
            assertThat(map.get("a")).isEqualTo(new AttributeValue.L(List.of(
                    AttributeValue.n(1), AttributeValue.Null.INSTANCE, new AttributeValue.M(Map.of()))));
            assertThat(read("{'L':[]}")).isEqualTo(new AttributeValue.L(List.of()));
        }

        @Test
        void sets() {
            assertThat(read("{'SS':['b','a','']}")).isEqualTo(new AttributeValue.SS(new LinkedHashSet<>(List.of("b", "a", ""))));
            assertThat(((AttributeValue.SS) read("{'SS':['b','a']}")).value()).containsExactly("b", "a");
            assertThat(read("{'NS':['1.0','2','-3E1']}")).isEqualTo(new AttributeValue.NS(
                    Set.of(new BigDecimal("1"), new BigDecimal("2"), new BigDecimal("-30"))));
            assertThat(read("{'BS':['AA==','AQ==']}")).isEqualTo(new AttributeValue.BS(
                    Set.of(AttributeValue.b(new byte[] {0}), AttributeValue.b(new byte[] {1}))));
        }

        @Test
        void membersThatAreNotDataTypesOrAreNullAreIgnored() {
            assertThat(read("{'S':'x','comment':5}")).isEqualTo(AttributeValue.s("x"));
            assertThat(read("{'S':null,'N':'5'}")).isEqualTo(AttributeValue.n(5));
        }

        @Test
        void numbersAtTheLimitsAreAccepted() {
            assertThat(read("{'N':'9.9999999999999999999999999999999999999E+125'}")).isInstanceOf(AttributeValue.N.class);
            assertThat(read("{'N':'-1E-130'}")).isInstanceOf(AttributeValue.N.class);
            assertThat(read("{'N':'12345678901234567890123456789012345678'}")).isInstanceOf(AttributeValue.N.class);
            assertThat(read("{'N':'0.000'}")).isEqualTo(AttributeValue.n(0));
        }

        @Test
        void itemsKeepTheClientsOrder() {
            Map<String, AttributeValue> item = AttributeValues.itemFromJson(json("{'b':{'S':'1'},'a':{'N':'2'},'c':{'BOOL':true}}"), "Item");
            assertThat(item.keySet()).containsExactly("b", "a", "c");
        }

        @Test
        void anAbsentItemIsNull() {
            assertThat(AttributeValues.itemFromJson(null, "Item")).isNull();
            assertThat(AttributeValues.itemFromJson(json("null"), "Item")).isNull();
            assertThat(AttributeValues.itemFromJson(json("{}").get("Item"), "Item")).isNull();
            assertThat(AttributeValues.itemFromJson(json("{}"), "Item")).isEmpty();
        }
    }

    @Nested
    class RejectsWithDynamoDbMessages {
        private void validation(String input, String message) {
            ApiException e = failure(input);
            assertThat(e).as(input).isNotNull();
            assertThat(e.type()).as(input).isEqualTo(ErrorType.ValidationException);
            assertThat(e.getMessage()).as(input).isEqualTo(message);
        }

        @Test
        void notExactlyOneDataType() {
            validation("{}", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
            validation("{'X':'1'}", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
            validation("{'S':null}", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
            validation("{'S':'a','N':'1'}",
                    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
        }

        @Test
        void numbersThatDoNotParse() {
            for (String bad : List.of("", "abc", "1.2.3", " 1", "1 ", "NaN", "Infinity", "0x10", "1e", "--1", ".")) {
                validation("{'N':'" + bad + "'}", "A value provided cannot be converted into a number");
                validation("{'NS':['1','" + bad + "']}", "A value provided cannot be converted into a number");
            }
        }

        @Test
        void absurdlyLongNumberTextIsRefusedBeforeParsing() {
            validation("{'N':'" + "1".repeat(100_000) + "'}", "A value provided cannot be converted into a number");
        }

        @Test
        void numbersOutsideDynamoDbsLimits() {
            validation("{'N':'123456789012345678901234567890123456789'}",
                    "Attempting to store more than 38 significant digits in a Number");
            validation("{'N':'1E+126'}",
                    "Number overflow. Attempting to store a number with magnitude larger than supported range");
            validation("{'N':'1E-131'}",
                    "Number underflow. Attempting to store a number with magnitude smaller than supported range");
            validation("{'NS':['1E+126']}",
                    "Number overflow. Attempting to store a number with magnitude larger than supported range");
        }

        @Test
        void duplicateSetMembersAreListedAsGiven() {
            validation("{'SS':['a','a']}",
                    "One or more parameter values were invalid: Input collection [a, a] contains duplicates.");
            validation("{'NS':['1','1.0','2']}",
                    "One or more parameter values were invalid: Input collection [1, 1.0, 2] contains duplicates.");
            validation("{'BS':['Yg==','Yg==']}",
                    "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS contains duplicates.");
        }

        @Test
        void emptySets() {
            validation("{'SS':[]}", "One or more parameter values were invalid: An string set  may not be empty");
            validation("{'NS':[]}", "One or more parameter values were invalid: An number set  may not be empty");
            validation("{'BS':[]}", "One or more parameter values were invalid: Binary sets should not be empty");
        }

        @Test
        void badBase64() {
            validation("{'B':'not base64!'}", "Invalid Base64 value");
            validation("{'B':'A'}", "Invalid Base64 value");
            validation("{'BS':['AA==','%%']}", "Invalid Base64 value");
        }

        @Test
        void nullMustBeTrue() {
            validation("{'NULL':false}",
                    "One or more parameter values were invalid: Null attribute value types must have the value of true");
        }

        @Test
        void nestingIsBoundedAt32Levels() {
            assertThat(read(nested(32))).isInstanceOf(AttributeValue.L.class);
            validation(nested(33),
                    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit");
            // Far deeper than any stack would take if the reader did not stop early.
            validation(nested(400),
                    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit");
        }

        private String nested(int containers) {
            StringBuilder json = new StringBuilder();
            for (int i = 0; i < containers; i++) json.append(i % 2 == 0 ? "{'L':[" : "{'M':{'k':");
            json.append("{'S':'x'}");
            for (int i = containers - 1; i >= 0; i--) json.append(i % 2 == 0 ? "]}" : "}}");
            return json.toString();
        }
    }

    @Nested
    class RejectsWrongJsonShapesAsSerializationErrors {
        private void serialization(String input, String message) {
            ApiException e = failure(input);
            assertThat(e).as(input).isNotNull();
            assertThat(e.type()).as(input).isEqualTo(ErrorType.SerializationException);
            assertThat(e.getMessage()).as(input).isEqualTo(message);
        }

        @Test
        void scalarsOfTheWrongJsonType() {
            serialization("{'S':5}", "NUMBER_VALUE cannot be converted to String (at 'AttributeValue.S')");
            serialization("{'S':{}}", "Start of structure or map found where not expected. (at 'AttributeValue.S')");
            serialization("{'N':1}", "NUMBER_VALUE cannot be converted to String (at 'AttributeValue.N')");
            serialization("{'B':true}", "TRUE_VALUE cannot be converted to Blob (at 'AttributeValue.B')");
            serialization("{'BOOL':'true'}", "STRING_VALUE cannot be converted to Boolean (at 'AttributeValue.BOOL')");
            serialization("{'NULL':1}", "NUMBER_VALUE cannot be converted to Boolean (at 'AttributeValue.NULL')");
        }

        @Test
        void containersOfTheWrongJsonType() {
            serialization("{'M':[]}", "Start of list found where not expected (at 'AttributeValue.M')");
            serialization("{'L':{}}", "Start of structure or map found where not expected. (at 'AttributeValue.L')");
            serialization("{'SS':'a'}", "STRING_VALUE cannot be converted to List (at 'AttributeValue.SS')");
            serialization("{'SS':['a',1]}", "NUMBER_VALUE cannot be converted to String (at 'AttributeValue.SS[1]')");
            serialization("{'NS':[null]}", "NULL_VALUE cannot be converted to String (at 'AttributeValue.NS[0]')");
        }

        @Test
        void aValueThatIsNotAnObject() {
            serialization("'x'", "STRING_VALUE cannot be converted to AttributeValue (at 'AttributeValue')");
            serialization("[]", "Start of list found where not expected (at 'AttributeValue')");
        }

        @Test
        void theLocationNamesTheParameterAndThePath() {
            ApiException e = catchThrowableOfType(ApiException.class, () -> AttributeValues.itemFromJson(
                    json("{'a':{'M':{'b':{'L':[{'S':'ok'},{'S':7}]}}}}"), "Item"));
            assertThat(e.type()).isEqualTo(ErrorType.SerializationException);
            assertThat(e.getMessage()).isEqualTo("NUMBER_VALUE cannot be converted to String (at 'Item.a.M.b.L[1].S')");

            ApiException notAMap = catchThrowableOfType(ApiException.class,
                    () -> AttributeValues.itemFromJson(json("[1]"), "Key"));
            assertThat(notAMap.getMessage()).isEqualTo("Start of list found where not expected (at 'Key')");
        }
    }

    @Nested
    class ExpressionAttributeValues {
        @Test
        void readsValues() {
            assertThat(AttributeValues.expressionAttributeValuesFromJson(json("{':a':{'S':'x'},':b':{'N':'2'}}")))
                    .containsExactly(Map.entry(":a", AttributeValue.s("x")), Map.entry(":b", AttributeValue.n(2)));
            assertThat(AttributeValues.expressionAttributeValuesFromJson(null)).isNull();
        }

        @Test
        void invalidValuesAreReportedAsDynamoDbDoesForThisParameter() {
            assertThatThrownBy(() -> AttributeValues.expressionAttributeValuesFromJson(json("{':ok':{'S':'x'},':b':{'SS':[]}}")))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.type()).isEqualTo(ErrorType.ValidationException);
                        assertThat(e.getMessage()).isEqualTo("ExpressionAttributeValues contains invalid value: "
                                + "One or more parameter values were invalid: An string set  may not be empty for key :b");
                    });
            assertThatThrownBy(() -> AttributeValues.expressionAttributeValuesFromJson(json("{':b':{}}")))
                    .hasMessage("ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, "
                            + "must contain exactly one of the supported datatypes for key :b");
            assertThatThrownBy(() -> AttributeValues.expressionAttributeValuesFromJson(json("{':b':{'S':1}}")))
                    .isInstanceOfSatisfying(ApiException.class,
                            e -> assertThat(e.type()).isEqualTo(ErrorType.SerializationException))
                    .hasMessage("NUMBER_VALUE cannot be converted to String (at 'ExpressionAttributeValues.:b.S')");
        }
    }

    @Nested
    class Writes {
        @Test
        void everyTypeAsDynamoDbPrintsIt() throws IOException {
            assertThat(written(AttributeValue.s("a\"b"))).isEqualTo("{\"S\":\"a\\\"b\"}");
            assertThat(written(AttributeValue.n("1.50"))).isEqualTo("{\"N\":\"1.5\"}");
            assertThat(written(AttributeValue.n("1e2"))).isEqualTo("{\"N\":\"100\"}");
            assertThat(written(AttributeValue.b(new byte[] {0, 1, 2, (byte) 255}))).isEqualTo("{\"B\":\"AAEC/w==\"}");
            assertThat(written(AttributeValue.Bool.TRUE)).isEqualTo("{\"BOOL\":true}");
            assertThat(written(AttributeValue.Null.INSTANCE)).isEqualTo("{\"NULL\":true}");
            assertThat(written(new AttributeValue.SS(new LinkedHashSet<>(List.of("x", "y"))))).isEqualTo("{\"SS\":[\"x\",\"y\"]}");
            assertThat(written(new AttributeValue.NS(new LinkedHashSet<>(List.of(new BigDecimal("1.0"), new BigDecimal("2E+1"))))))
                    .isEqualTo("{\"NS\":[\"1\",\"20\"]}");
            assertThat(written(new AttributeValue.BS(new LinkedHashSet<>(List.of(AttributeValue.b(new byte[] {98}))))))
                    .isEqualTo("{\"BS\":[\"Yg==\"]}");
            Map<String, AttributeValue> map = new LinkedHashMap<>();
            map.put("k", new AttributeValue.L(List.of(AttributeValue.n(-1), AttributeValue.Bool.FALSE)));
            assertThat(written(new AttributeValue.M(map))).isEqualTo("{\"M\":{\"k\":{\"L\":[{\"N\":\"-1\"},{\"BOOL\":false}]}}}");
        }

        @Test
        void streamedNodesAreWrittenInPlaceInAResponseTree() {
            Map<String, AttributeValue> item = new LinkedHashMap<>();
            item.put("pk", AttributeValue.s("a"));
            item.put("bin", AttributeValue.b(new byte[] {1}));
            ObjectNode response = Json.object();
            response.set("Item", AttributeValues.itemNode(item));
            response.set("Items", AttributeValues.itemsNode(List.of(item, Map.of("n", AttributeValue.n(3)))));
            response.set("Value", AttributeValues.valueNode(AttributeValue.n("2.50")));
            response.put("Count", 2);
            assertThat(new String(Json.encode(response), StandardCharsets.UTF_8)).isEqualTo(
                    "{\"Item\":{\"pk\":{\"S\":\"a\"},\"bin\":{\"B\":\"AQ==\"}},"
                            + "\"Items\":[{\"pk\":{\"S\":\"a\"},\"bin\":{\"B\":\"AQ==\"}},{\"n\":{\"N\":\"3\"}}],"
                            + "\"Value\":{\"N\":\"2.5\"},\"Count\":2}");
        }

        @Test
        void plainTreesHoldBinaryAsBase64Text() {
            ObjectNode tree = AttributeValues.toJson(Map.of("b", AttributeValue.b(new byte[] {1})));
            assertThat(tree).isEqualTo(json("{'b':{'B':'AQ=='}}"));
            assertThat(AttributeValues.toJson(AttributeValue.n("0.10"))).isEqualTo(json("{'N':'0.1'}"));
        }
    }

    @Nested
    class RoundTrips {
        @Test
        void readingWhatWasWrittenGivesTheSameValue() {
            Random random = new Random(20240611L);
            for (int i = 0; i < 500; i++) {
                Map<String, AttributeValue> item = new LinkedHashMap<>();
                int attributes = 1 + random.nextInt(6);
                for (int a = 0; a < attributes; a++) item.put("a" + a, randomValue(random, 0));
                ObjectNode json = AttributeValues.toJson(item);
                Map<String, AttributeValue> back = AttributeValues.itemFromJson(json, "Item");
                assertThat(back).as("seed 20240611 case %d: %s", i, json).isEqualTo(item);
                assertThat(AttributeValues.toJson(back)).isEqualTo(json);
            }
        }

        private AttributeValue randomValue(Random random, int depth) {
            int kind = random.nextInt(depth < 4 ? 10 : 8);
            switch (kind) {
                case 0: return AttributeValue.s(randomString(random));
                case 1: return new AttributeValue.N(randomNumber(random));
                case 2: return AttributeValue.b(randomBytes(random));
                case 3: return AttributeValue.Bool.of(random.nextBoolean());
                case 4: return AttributeValue.Null.INSTANCE;
                case 5: {
                    Set<String> set = new LinkedHashSet<>();
                    int n = 1 + random.nextInt(4);
                    while (set.size() < n) set.add(randomString(random));
                    return new AttributeValue.SS(set);
                }
                case 6: {
                    Set<BigDecimal> set = new LinkedHashSet<>();
                    int n = 1 + random.nextInt(4);
                    while (set.size() < n) set.add(io.dynalog.topology.model.Numbers.canonical(randomNumber(random)));
                    return new AttributeValue.NS(set);
                }
                case 7: {
                    Set<AttributeValue.B> set = new LinkedHashSet<>();
                    int n = 1 + random.nextInt(4);
                    while (set.size() < n) set.add(AttributeValue.b(randomBytes(random)));
                    return new AttributeValue.BS(set);
                }
                case 8: {
                    Map<String, AttributeValue> map = new LinkedHashMap<>();
                    int n = random.nextInt(4);
                    for (int i = 0; i < n; i++) map.put(randomString(random), randomValue(random, depth + 1));
                    return new AttributeValue.M(map);
                }
                default: {
                    List<AttributeValue> list = new ArrayList<>();
                    int n = random.nextInt(4);
                    for (int i = 0; i < n; i++) list.add(randomValue(random, depth + 1));
                    return new AttributeValue.L(list);
                }
            }
        }

        private String randomString(Random random) {
            int length = random.nextInt(8);
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < length; i++) {
                int c = random.nextInt(4) == 0 ? 0x80 + random.nextInt(0x2000) : 0x20 + random.nextInt(0x5f);
                s.appendCodePoint(c);
            }
            if (random.nextInt(20) == 0) s.appendCodePoint(0x1F600); // outside the BMP
            return s.toString();
        }

        private BigDecimal randomNumber(Random random) {
            int digits = 1 + random.nextInt(38);
            StringBuilder unscaled = new StringBuilder(random.nextBoolean() ? "-" : "");
            unscaled.append(1 + random.nextInt(9));
            for (int i = 1; i < digits; i++) unscaled.append(random.nextInt(10));
            // Keeps the magnitude within DynamoDB's range: 1E-130 up to below 1E+126.
            int exponent = -130 + random.nextInt(257 - digits);
            return new BigDecimal(new java.math.BigInteger(unscaled.toString()), -exponent);
        }

        private byte[] randomBytes(Random random) {
            byte[] bytes = new byte[random.nextInt(12)];
            random.nextBytes(bytes);
            return bytes;
        }
    }
}
