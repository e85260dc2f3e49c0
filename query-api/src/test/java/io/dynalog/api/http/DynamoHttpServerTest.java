package io.dynalog.api.http;

import static io.dynalog.api.http.TestServer.crc32;
import static io.dynalog.api.http.TestServer.json;
import static io.dynalog.api.http.TestServer.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynalog.api.ApiException;
import io.dynalog.api.json.Json;
import io.vertx.core.Context;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DynamoHttpServerTest {

    private final AtomicBoolean echoRanOnEventLoop = new AtomicBoolean();
    private final ExecutorService later = Executors.newSingleThreadExecutor();
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
        server = new TestServer(Map.of(
                "Echo", request -> {
                    echoRanOnEventLoop.compareAndSet(false, Context.isOnEventLoopThread());
                    return CompletableFuture.completedFuture(request);
                },
                "EchoLater", request -> CompletableFuture.supplyAsync(() -> request, later),
                "NotFound", request -> CompletableFuture.failedFuture(
                        ApiException.resourceNotFound("Requested resource not found: Table: t not found")),
                "ThrowsApiException", request -> {
                    throw ApiException.validation("thrown, not completed");
                },
                "ThrowsRuntimeException", request -> {
                    throw new IllegalStateException("bug");
                },
                "FailsWithRuntimeExceptionLater", request -> CompletableFuture.supplyAsync(() -> {
                    throw new IllegalStateException("bug, later");
                }, later),
                "ReturnsNoFuture", request -> null,
                "CompletesWithNull", request -> CompletableFuture.completedFuture(null),
                "ConditionFails", request -> CompletableFuture.failedFuture(ApiException.conditionalCheckFailed(
                        "The conditional request failed", Json.object().set("pk", Json.object().put("S", "a"))))));
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        later.shutdownNow();
    }

    private static void assertHeadersMatchBody(HttpResponse<byte[]> response) {
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-amz-json-1.0");
        assertThat(response.headers().firstValue("x-amz-crc32")).hasValue(crc32(response.body()));
        assertThat(response.headers().firstValue("x-amzn-RequestId")).hasValueSatisfying(
                id -> assertThat(id).matches("[0-9A-Z]{52}"));
    }

    private static void assertError(HttpResponse<byte[]> response, int status, String type, String message) throws Exception {
        assertThat(response.statusCode()).as(text(response)).isEqualTo(status);
        assertHeadersMatchBody(response);
        JsonNode body = json(response);
        assertThat(body.get("__type").textValue()).endsWith("#" + type);
        if (message != null) assertThat(body.get("message").textValue()).isEqualTo(message);
    }

    @Nested
    class Operations {
        @Test
        void answersWithTheOperationsResponse() throws Exception {
            String request = "{\"TableName\":\"t\",\"Item\":{\"pk\":{\"S\":\"a\"},\"n\":{\"N\":\"1.5\"}}}";
            HttpResponse<byte[]> response = server.call("Echo", request);
            assertThat(response.statusCode()).isEqualTo(200);
            assertHeadersMatchBody(response);
            assertThat(text(response)).isEqualTo(request);
        }

        @Test
        void operationsRunOffTheEventLoop() throws Exception {
            server.call("Echo", "{}");
            assertThat(echoRanOnEventLoop).isFalse();
        }

        @Test
        void answersWhenTheFutureCompletesLater() throws Exception {
            HttpResponse<byte[]> response = server.call("EchoLater", "{\"a\":[1,2,3]}");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(text(response)).isEqualTo("{\"a\":[1,2,3]}");
        }

        @Test
        void requestIdsDiffer() throws Exception {
            String first = server.call("Echo", "{}").headers().firstValue("x-amzn-RequestId").orElseThrow();
            String second = server.call("Echo", "{}").headers().firstValue("x-amzn-RequestId").orElseThrow();
            assertThat(first).isNotEqualTo(second);
        }

        @Test
        void anEmptyBodyIsAnEmptyRequest() throws Exception {
            HttpResponse<byte[]> response = server.call("Echo", "");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(text(response)).isEqualTo("{}");
        }

        @Test
        void manyConcurrentRequestsAreAllAnswered() throws Exception {
            List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String body = "{\"i\":" + i + "}";
                HttpRequest request = server.post("DynamoDB_20120810." + (i % 2 == 0 ? "Echo" : "EchoLater"))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                responses.add(server.client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()));
            }
            for (int i = 0; i < responses.size(); i++) {
                HttpResponse<byte[]> response = responses.get(i).get(30, TimeUnit.SECONDS);
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(text(response)).isEqualTo("{\"i\":" + i + "}");
            }
        }
    }

    @Nested
    class Errors {
        @Test
        void malformedJsonIsASerializationException() throws Exception {
            HttpResponse<byte[]> response = server.call("Echo", "{\"TableName\": ");
            assertError(response, 400, "SerializationException", null);
            assertThat(json(response).get("message").textValue()).startsWith("Malformed JSON: ");
        }

        @Test
        void aBodyThatIsNotAnObjectIsASerializationException() throws Exception {
            assertError(server.call("Echo", "[1,2]"), 400, "SerializationException",
                    "The request body must be a JSON object, found Start of list");
        }

        @Test
        void anUnknownOperationIsUnknownOperationException() throws Exception {
            assertError(server.call("NoSuchOperation", "{}"), 400, "UnknownOperationException",
                    "An unknown operation was requested.");
        }

        @Test
        void aMissingOrForeignTargetIsUnknownOperationException() throws Exception {
            assertError(server.send(server.post(null).POST(HttpRequest.BodyPublishers.ofString("{}")).build()),
                    400, "UnknownOperationException", "An unknown operation was requested.");
            assertError(server.send(server.post("DynamoDBStreams_20120810.Echo").POST(HttpRequest.BodyPublishers.ofString("{}")).build()),
                    400, "UnknownOperationException", "An unknown operation was requested.");
            assertError(server.send(server.post("DynamoDB_20120810.").POST(HttpRequest.BodyPublishers.ofString("{}")).build()),
                    400, "UnknownOperationException", "An unknown operation was requested.");
        }

        @Test
        void apiExceptionsCarryTheirTypeStatusAndMessage() throws Exception {
            HttpResponse<byte[]> response = server.call("NotFound", "{}");
            assertError(response, 400, "ResourceNotFoundException", "Requested resource not found: Table: t not found");
            assertThat(json(response).get("__type").textValue())
                    .isEqualTo("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException");
            assertError(server.call("ThrowsApiException", "{}"), 400, "ValidationException", "thrown, not completed");
        }

        @Test
        void extraFieldsAreWrittenBesideTheMessage() throws Exception {
            HttpResponse<byte[]> response = server.call("ConditionFails", "{}");
            assertError(response, 400, "ConditionalCheckFailedException", "The conditional request failed");
            assertThat(json(response).get("Item")).isEqualTo(Json.mapper().readTree("{\"pk\":{\"S\":\"a\"}}"));
        }

        @Test
        void anyOtherFailureIsAnInternalServerError() throws Exception {
            for (String operation : List.of("ThrowsRuntimeException", "FailsWithRuntimeExceptionLater",
                    "ReturnsNoFuture", "CompletesWithNull")) {
                assertError(server.call(operation, "{}"), 500, "InternalServerError", "Internal server error");
            }
            assertThat(server.call("Echo", "{}").statusCode()).isEqualTo(200);
        }

        @Test
        void contentTypes() throws Exception {
            HttpRequest.Builder json = HttpRequest.newBuilder(server.uri("/"))
                    .header("X-Amz-Target", "DynamoDB_20120810.Echo")
                    .POST(HttpRequest.BodyPublishers.ofString("{}"));
            assertThat(server.send(json.copy().header("Content-Type", "application/json").build()).statusCode()).isEqualTo(200);
            assertThat(server.send(json.copy().header("Content-Type", "application/x-amz-json-1.0; charset=utf-8").build())
                    .statusCode()).isEqualTo(200);
            assertThat(server.send(json.copy().build()).statusCode()).isEqualTo(200);
            assertError(server.send(json.copy().header("Content-Type", "text/plain").build()), 400, "SerializationException",
                    "Unsupported Content-Type 'text/plain': DynamoDB requests are application/x-amz-json-1.0");
        }
    }

    @Nested
    class OtherRequests {
        @Test
        void getSlashIsAHealthCheck() throws Exception {
            HttpResponse<byte[]> response = server.send(HttpRequest.newBuilder(server.uri("/")).GET().build());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(text(response)).isEqualTo("healthy: dynalog");
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain"));
        }

        @Test
        void otherPathsAndMethodsAreRefused() throws Exception {
            assertThat(server.send(HttpRequest.newBuilder(server.uri("/tables")).GET().build()).statusCode()).isEqualTo(404);
            HttpResponse<byte[]> put = server.send(HttpRequest.newBuilder(server.uri("/"))
                    .PUT(HttpRequest.BodyPublishers.ofString("{}")).build());
            assertThat(put.statusCode()).isEqualTo(405);
            assertThat(put.headers().firstValue("Allow")).hasValue("GET, HEAD, POST");
            assertThat(server.send(HttpRequest.newBuilder(server.uri("/")).DELETE().build()).statusCode()).isEqualTo(405);
        }

        @Test
        void anyPathServesTheApi() throws Exception {
            HttpResponse<byte[]> response = server.send(HttpRequest.newBuilder(server.uri("/some/path?x=1"))
                    .header("X-Amz-Target", "DynamoDB_20120810.Echo")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(text(response)).isEqualTo("{\"a\":1}");
        }

        @Test
        void expectContinueIsHonoured() throws Exception {
            HttpResponse<byte[]> response = server.send(server.post("DynamoDB_20120810.Echo")
                    .expectContinue(true).POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(text(response)).isEqualTo("{\"a\":1}");
        }

        @Test
        void garbageOnTheWireDoesNotStopTheServer() throws Exception {
            try (Socket socket = new Socket("127.0.0.1", server.port)) {
                socket.setSoTimeout(5000);
                OutputStream out = socket.getOutputStream();
                out.write("\u0000\u0001GARBAGE / NOT-HTTP\r\n\r\n{{{{".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[1024];
                while (in.read(buffer) >= 0) {
                    // drain until the server answers and/or closes
                }
            } catch (java.net.SocketTimeoutException | java.net.SocketException acceptable) {
                // the server may close without answering
            }
            assertThat(server.call("Echo", "{}").statusCode()).isEqualTo(200);
        }

        @Test
        void aClientThatGoesAwayMidRequestDoesNotStopTheServer() throws Exception {
            try (Socket socket = new Socket("127.0.0.1", server.port)) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.EchoLater\r\n"
                        + "Content-Length: 100\r\n\r\n{\"a\":").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            assertThat(server.call("Echo", "{}").statusCode()).isEqualTo(200);
        }
    }

    @Nested
    class Limits {
        @Test
        void aBodyOverTheLimitIsRefusedAndTheServerCarriesOn() throws Exception {
            try (TestServer small = new TestServer(DynamoHttpServer.Settings.defaults(0).withMaxRequestBytes(1024),
                    Map.of("Echo", CompletableFuture::completedFuture))) {
                String big = "{\"a\":\"" + "x".repeat(4096) + "\"}";
                // Content-Length announces it: refused before the body is read.
                assertError(small.call("Echo", big), 400, "ValidationException",
                        "Request size of at least " + big.length() + " bytes exceeds the limit of 1024 bytes");
                // Chunked: refused once the body passes the limit.
                HttpResponse<byte[]> chunked = small.send(small.post("DynamoDB_20120810.Echo")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)))).build());
                assertError(chunked, 400, "ValidationException", null);
                assertThat(json(chunked).get("message").textValue()).endsWith("exceeds the limit of 1024 bytes");

                String fits = "{\"a\":\"" + "x".repeat(1000) + "\"}";
                HttpResponse<byte[]> response = small.call("Echo", fits);
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(text(response)).isEqualTo(fits);
            }
        }

        @Test
        void theDefaultLimitTakesDynamoDbsLargestRequest() throws Exception {
            String sixteenMegabytes = "{\"a\":\"" + "x".repeat(16 * 1024 * 1024) + "\"}";
            HttpResponse<byte[]> response = server.send(server.post("DynamoDB_20120810.Echo")
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(sixteenMegabytes)).build());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body().length).isEqualTo(sixteenMegabytes.length());
            assertHeadersMatchBody(response);
        }
    }

    @Nested
    class Configuration {
        @Test
        void operationsRunOnAGivenExecutor() throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(2, r -> new Thread(r, "api-worker"));
            try (TestServer custom = new TestServer(DynamoHttpServer.Settings.defaults(0).withExecutor(pool), Map.of(
                    "Where", request -> CompletableFuture.completedFuture(
                            Json.object().put("thread", Thread.currentThread().getName()))))) {
                HttpResponse<byte[]> response = custom.call("Where", "{}");
                assertThat(json(response).get("thread").textValue()).isEqualTo("api-worker");
            } finally {
                pool.shutdownNow();
            }
        }

        @Test
        void anAuthenticatorMayRefuseRequests() throws Exception {
            RequestAuthenticator requireAuthorization = (method, uri, headers, body) -> {
                if (headers.get("Authorization") == null) {
                    throw ApiException.missingAuthenticationToken("Request is missing Authentication Token");
                }
            };
            try (TestServer guarded = new TestServer(
                    DynamoHttpServer.Settings.defaults(0).withAuthenticator(requireAuthorization),
                    Map.of("Echo", CompletableFuture::completedFuture))) {
                assertError(guarded.call("Echo", "{}"), 400, "MissingAuthenticationTokenException",
                        "Request is missing Authentication Token");
                HttpResponse<byte[]> signed = guarded.send(guarded.post("DynamoDB_20120810.Echo")
                        .header("Authorization", "AWS4-HMAC-SHA256 Credential=x").POST(HttpRequest.BodyPublishers.ofString("{}")).build());
                assertThat(signed.statusCode()).isEqualTo(200);
            }
        }

        @Test
        void lifeCycle() throws Exception {
            TestServer once = new TestServer(Map.of());
            assertThat(once.server.port()).isEqualTo(once.port);
            assertThatThrownBy(once.server::start).isInstanceOf(IllegalStateException.class);
            once.server.close().get(10, TimeUnit.SECONDS);
            once.server.close().get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> once.send(HttpRequest.newBuilder(once.uri("/")).GET().build()))
                    .isInstanceOf(java.io.IOException.class);
            once.close();
        }
    }
}
