package io.dynalog.node;

import io.dynalog.ingest.AmnesiaGuard;
import io.dynalog.ingest.WalTopics;
import io.dynalog.ingest.acceptor.RocksAcceptorStores;
import io.dynalog.replica.CompactedTopicView;
import io.dynalog.topology.placement.StoreIdentity;
import io.dynalog.topology.wal.WalRecords;
import io.dynalog.topology.wire.StoreIdentityCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's check, at start and before it takes part in any replica group, that its acceptor store
 * is the one the cluster knows for it (see {@link AmnesiaGuard}): it reads the identity recorded
 * for it in the acceptor-stores topic, decides which groups it must refuse, keeps that decision in
 * its store, and records its store's identity.
 */
final class StoreIdentities {
    private static final Logger log = LoggerFactory.getLogger(StoreIdentities.class);
    private static final long WAIT_S = 60;

    private StoreIdentities() {}

    static AmnesiaGuard check(NodeConfig config, WalTopics topics, RocksAcceptorStores acceptors, KafkaProducer<byte[], byte[]> producer) {
        String topic = WalRecords.acceptorStoresTopic(config.topicPrefix());
        topics.ensureMetaTopic(topic);
        StoreIdentity mine = new StoreIdentity(config.nodeId(), acceptors.storeId(), acceptors.createdAtMs());
        String key = Integer.toString(config.nodeId());
        try (CompactedTopicView<StoreIdentity> recorded = new CompactedTopicView<>(
                KafkaClients.assignedConsumer(config, "acceptor-stores"), topic, StoreIdentityCodec::decode, "acceptor-stores")) {
            recorded.start().get(WAIT_S, TimeUnit.SECONDS);
            StoreIdentity known = recorded.get(key);
            long alreadyRefused = acceptors.refusesGroupsCreatedBeforeMs();
            long refuse = AmnesiaGuard.refusesGroupsCreatedBefore(mine, known, alreadyRefused);
            if (refuse != AmnesiaGuard.NEVER && alreadyRefused == AmnesiaGuard.NEVER) {
                acceptors.refuseGroupsCreatedBefore(refuse);
                log.error("node {}: its acceptor store {} (created at {}) is not the one the cluster knows for it ({}, created at {}): "
                        + "the votes it cast are gone. It will not vote in any replica group created before {}; add it to those "
                        + "groups again as a new member", config.nodeId(), mine.storeId(), mine.createdAtMs(), known.storeId(),
                        known.createdAtMs(), refuse);
            } else if (refuse != AmnesiaGuard.NEVER) {
                log.warn("node {}: refuses, as decided when it found its acceptor state lost, every replica group created before {}",
                        config.nodeId(), refuse);
            }
            if (!mine.sameStore(known)) {
                producer.send(new ProducerRecord<>(topic, 0, key.getBytes(StandardCharsets.UTF_8), StoreIdentityCodec.encode(mine)))
                        .get(WAIT_S, TimeUnit.SECONDS);
            }
            return new AmnesiaGuard(refuse);
        } catch (Exception e) {
            throw new IllegalStateException("node " + config.nodeId() + " could not check its acceptor store against " + topic, e);
        }
    }
}
