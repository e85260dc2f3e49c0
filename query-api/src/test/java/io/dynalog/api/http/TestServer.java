package io.dynalog.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynalog.api.json.Json;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32;

/** A running {@link DynamoHttpServer} on loopback with its own Vert.x, and an HTTP client for it. */
final class TestServer implements AutoCloseable {

    final Vertx vertx;
    final DynamoHttpServer server;
    final int port;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    TestServer(Map<String, Operation> operations) throws Exception {
        this(DynamoHttpServer.Settings.defaults(0), operations);
    }

    TestServer(DynamoHttpServer.Settings settings, Map<String, Operation> operations) throws Exception {
        vertx = Vertx.vertx();
        server = new DynamoHttpServer(vertx, settings.withHost("127.0.0.1"), operations);
        port = server.start().get(10, TimeUnit.SECONDS);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpRequest.Builder post(String target) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri("/"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-amz-json-1.0");
        if (target != null) builder.header("X-Amz-Target", target);
        return builder;
    }

    HttpResponse<byte[]> call(String operation, String body) throws IOException, InterruptedException {
        return send(post("DynamoDB_20120810." + operation).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    static JsonNode json(HttpResponse<byte[]> response) throws IOException {
        return Json.mapper().readTree(response.body());
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    static String crc32(byte[] body) {
        CRC32 crc = new CRC32();
        crc.update(body);
        return Long.toString(crc.getValue());
    }

    @Override
    public void close() throws ExecutionException, TimeoutException {
        try {
            server.close().get(10, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while closing", e);
        }
    }
}
