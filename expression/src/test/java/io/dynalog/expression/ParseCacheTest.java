package io.dynalog.expression;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ParseCacheTest {

    @Test
    void evictsTheLeastRecentlyUsed() {
        ParseCache<String> cache = new ParseCache<>(2);
        cache.put("a", "A");
        cache.put("b", "B");
        assertThat(cache.get("a")).isEqualTo("A"); // a is now more recent than b
        cache.put("c", "C");
        assertThat(cache.get("b")).isNull();
        assertThat(cache.get("a")).isEqualTo("A");
        assertThat(cache.get("c")).isEqualTo("C");
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void theParserCacheIsBounded() {
        for (int i = 0; i < ConditionParser.CACHE_ENTRIES + 50; i++) {
            ConditionParser.syntaxTree(ExpressionKind.CONDITION, "bounded_" + i + " = :v");
        }
        assertThat(ConditionParser.cachedTrees()).isEqualTo(ConditionParser.CACHE_ENTRIES).isEqualTo(1024);
    }

    @Test
    void concurrentUseKeepsTheBound() throws Exception {
        ParseCache<Integer> cache = new ParseCache<>(64);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        String key = "k" + ((i * 31 + seed) % 200);
                        Integer v = cache.get(key);
                        if (v == null) cache.put(key, i);
                    }
                }));
            }
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdownNow();
        }
        assertThat(cache.size()).isLessThanOrEqualTo(64);
    }
}
