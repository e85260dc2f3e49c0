package io.dynalog.node.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The DynamoDB JSON 1.0 protocol end to end on a running node, with a raw HTTP client. */
class ProtocolTest {
    static TestNode node;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() {
        node = TestNode.start(1);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static HttpResponse<String> post(String target, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + node.port() + "/"))
                .header("Content-Type", "application/x-amz-json-1.0")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (target != null) b.header("X-Amz-Target", target);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String type(HttpResponse<String> r) throws Exception {
        return json.readTree(r.body()).path("__type").asText();
    }

    /**
     * A client cannot pose as a node: without the cluster's node token, node-only members are
     * dropped, so internal operations are unknown and a CreateTable cannot bring its own table.
     */
    @Test
    void nodeOnlyMembersAndOperationsAreNotAClientsToUse() throws Exception {
        HttpResponse<String> served = post("DynamoDB_20120810.DynalogTableServed",
                "{\"__dynalogForwarded\": 1, \"TableName\": \"Music\", \"TableId\": \"1\"}");
        assertThat(served.statusCode()).isEqualTo(400);
        assertThat(type(served)).endsWith("UnknownOperationException");
        HttpResponse<String> imported = post("DynamoDB_20120810.DynalogImportTable", "{\"__dynalogForwarded\": 1, \"__dynalogTable\": \"AAAA\"}");
        assertThat(type(imported)).endsWith("UnknownOperationException");
        HttpResponse<String> created = post("DynamoDB_20120810.CreateTable", "{\"__dynalogForwarded\": 1, \"__dynalogTable\": \"AAAA\", "
                + "\"TableName\": \"Posed\", \"BillingMode\": \"PAY_PER_REQUEST\", "
                + "\"KeySchema\": [{\"AttributeName\": \"id\", \"KeyType\": \"HASH\"}], "
                + "\"AttributeDefinitions\": [{\"AttributeName\": \"id\", \"AttributeType\": \"S\"}]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(json.readTree(created.body()).path("TableDescription").path("TableName").asText()).isEqualTo("Posed");
    }

    @Test
    void healthCheck() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + node.port() + "/")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body().strip()).doesNotContain("\n").isNotEmpty();
    }

    @Test
    void responsesCarryCrc32() throws Exception {
        HttpResponse<String> r = post("DynamoDB_20120810.ListTables", "{}");
        assertThat(r.statusCode()).isEqualTo(200);
        CRC32 crc = new CRC32();
        crc.update(r.body().getBytes(StandardCharsets.UTF_8));
        assertThat(r.headers().firstValue("x-amz-crc32")).contains(Long.toString(crc.getValue()));
        assertThat(r.headers().firstValue("Content-Type")).contains("application/x-amz-json-1.0");
    }

    @Test
    void badRequestsGetDynamoDbErrorsAndTheNodeKeepsServing() throws Exception {
        HttpResponse<String> malformed = post("DynamoDB_20120810.PutItem", "{\"TableName\": ");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(type(malformed)).isEqualTo("com.amazonaws.dynamodb.v20120810#SerializationException");

        HttpResponse<String> unknown = post("DynamoDB_20120810.FlyToTheMoon", "{}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(type(unknown)).isEqualTo("com.amazonaws.dynamodb.v20120810#UnknownOperationException");

        HttpResponse<String> noTarget = post(null, "{}");
        assertThat(type(noTarget)).endsWith("#UnknownOperationException");

        HttpResponse<String> missing = post("DynamoDB_20120810.DescribeTable", "{}");
        assertThat(type(missing)).endsWith("#ValidationException");
        JsonNode body = json.readTree(missing.body());
        assertThat(body.path("message").asText()).contains("tableName").contains("Member must not be null");

        HttpResponse<String> wrongShape = post("DynamoDB_20120810.DescribeTable", "{\"TableName\": 5}");
        assertThat(type(wrongShape)).endsWith("#SerializationException");

        HttpResponse<String> notFound = post("DynamoDB_20120810.GetItem", "{\"TableName\": \"Nope\", \"Key\": {\"k\": {\"S\": \"a\"}}}");
        assertThat(type(notFound)).endsWith("#ResourceNotFoundException");

        HttpResponse<String> emptyValue = post("DynamoDB_20120810.PutItem", "{\"TableName\": \"Nope\", \"Item\": {\"k\": {}}}");
        assertThat(type(emptyValue)).endsWith("#ValidationException");

        assertThat(post("DynamoDB_20120810.ListTables", "{}").statusCode()).isEqualTo(200);
    }
}
