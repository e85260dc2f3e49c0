package io.dynalog.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynalog.topology.placement.StoreIdentity;
import org.junit.jupiter.api.Test;

class AmnesiaGuardTest {
    static final StoreIdentity OLD = new StoreIdentity(2, "old-store", 1_000);
    static final StoreIdentity NEW = new StoreIdentity(2, "new-store", 500_000);

    @Test
    void aNodeWhoseStoreTheClusterKnowsOrHasNeverSeenRefusesNothing() {
        assertThat(AmnesiaGuard.refusesGroupsCreatedBefore(NEW, null, AmnesiaGuard.NEVER)).isEqualTo(AmnesiaGuard.NEVER);
        assertThat(AmnesiaGuard.refusesGroupsCreatedBefore(OLD, OLD, AmnesiaGuard.NEVER)).isEqualTo(AmnesiaGuard.NEVER);
        assertThat(AmnesiaGuard.NONE.admits(0)).isTrue();
    }

    @Test
    void aNodeWithAnotherStoreThanTheClusterKnowsRefusesTheGroupsCreatedBeforeIt() {
        long refuse = AmnesiaGuard.refusesGroupsCreatedBefore(NEW, OLD, AmnesiaGuard.NEVER);
        assertThat(refuse).isEqualTo(NEW.createdAtMs() + AmnesiaGuard.CLOCK_MARGIN_MS);
        AmnesiaGuard guard = new AmnesiaGuard(refuse);
        assertThat(guard.refusesAny()).isTrue();
        assertThat(guard.admits(OLD.createdAtMs() + 10)).as("a group it voted in before").isFalse();
        assertThat(guard.admits(NEW.createdAtMs() + 1)).as("created right after, by a clock that may be behind").isFalse();
        assertThat(guard.admits(refuse)).as("created well after: it never voted there").isTrue();
    }

    @Test
    void theDecisionOutlivesTheNewIdentityBeingRecorded() {
        long refuse = AmnesiaGuard.refusesGroupsCreatedBefore(NEW, OLD, AmnesiaGuard.NEVER);
        // Next start: the cluster now knows the new store, but the store kept its decision.
        assertThat(AmnesiaGuard.refusesGroupsCreatedBefore(NEW, NEW, refuse)).isEqualTo(refuse);
    }
}
