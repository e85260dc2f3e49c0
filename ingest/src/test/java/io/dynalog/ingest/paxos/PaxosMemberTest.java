package io.dynalog.ingest.paxos;

import static io.dynalog.ingest.paxos.PaxosTestContext.ackAll;
import static io.dynalog.ingest.paxos.PaxosTestContext.bytes;
import static io.dynalog.ingest.paxos.PaxosTestContext.string;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynalog.ingest.paxos.PaxosMessage.Accept;
import io.dynalog.ingest.paxos.PaxosMessage.Accepted;
import io.dynalog.ingest.paxos.PaxosMessage.Prepare;
import io.dynalog.ingest.paxos.PaxosMessage.Promise;
import io.dynalog.ingest.paxos.PaxosMessage.Reject;
import io.dynalog.ingest.paxos.PaxosTestContext.Chosen;
import io.dynalog.topology.wal.Ballot;
import io.dynalog.topology.wal.Configuration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Short scripts against one member; see {@link PaxosTestContext}. Leader lease here: 100 * 0.99 - 2 = 97 ms. */
class PaxosMemberTest {

    private static List<SlotValue> entries(long firstSlot, String... values) {
        List<SlotValue> out = new java.util.ArrayList<>();
        for (int i = 0; i < values.length; i++) out.add(new SlotValue(firstSlot + i, bytes(values[i])));
        return out;
    }

    private static List<Long> slots(Accept accept) {
        return accept.entries().stream().map(SlotValue::slot).toList();
    }

    @Nested
    class Election {
        @Test
        void campaignsWithARoundAboveAllSeenAndPreparesFromTheFirstUnarchivedSlot() {
            PaxosTestContext ctx = PaxosTestContext.builder().withPromised(new Ballot(3, 2)).withArchived(4).build();
            ctx.advanceAndTick(ctx.config.electionTimeoutMs() - 1);
            assertThat(ctx.member.role()).isEqualTo(Role.FOLLOWER);

            Ballot b = ctx.becomeCandidate();

            assertThat(b).isEqualTo(new Ballot(4, 1));
            assertThat(ctx.roleChanges).containsExactly("FOLLOWER@3.2", "PROSPECTIVE@3.2", "CANDIDATE@4.1");
            List<PaxosTestContext.Sent> sent = ctx.drainSent().stream().filter(x -> x.message() instanceof Prepare).toList();
            assertThat(sent).extracting(PaxosTestContext.Sent::to).containsExactlyInAnyOrder(2, 3);
            assertThat(sent).extracting(PaxosTestContext.Sent::message).containsOnly(new Prepare(b, 5));
        }

        @Test
        void ownPromiseCountsOnlyOnceSynced() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Ballot b = ctx.becomeCandidate();

            ctx.deliver(2, new Promise(b, 0, List.of()));
            assertThat(ctx.member.role()).isEqualTo(Role.CANDIDATE);

            ctx.sync();
            assertThat(ctx.member.role()).isEqualTo(Role.LEADER);
            assertThat(ctx.readyBallots).containsExactly(b);
            assertThat(ctx.drainSent(3, Accept.class)).containsExactly(new Accept(b, ctx.now(), List.of(), 0, 0));
        }

        @Test
        void twoOtherPromisesWinBeforeTheOwnSync() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Ballot b = ctx.becomeCandidate();
            ctx.deliver(2, new Promise(b, 0, List.of()));
            ctx.deliver(3, new Promise(b, 0, List.of()));
            assertThat(ctx.member.role()).isEqualTo(Role.LEADER);
        }

        @Test
        void promisesForAnotherBallotDoNotCount() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Ballot b = ctx.becomeCandidate();
            ctx.sync();
            ctx.deliver(2, new Promise(new Ballot(b.round() - 1, 1), 0, List.of()));
            assertThat(ctx.member.role()).isEqualTo(Role.CANDIDATE);
        }

        @Test
        void candidateStepsDownOnARejectNamingAHigherBallot() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Ballot b = ctx.becomeCandidate();
            ctx.deliver(2, new Reject(b, new Ballot(9, 3), 3));
            assertThat(ctx.member.role()).isEqualTo(Role.FOLLOWER);
            assertThat(ctx.member.leaderHint()).isEqualTo(3);
            ctx.drainSent();
            assertThat(ctx.becomeCandidate()).isEqualTo(new Ballot(10, 1));
        }

        @Test
        void candidateResendsPreparesThenRetriesWithAHigherBallot() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Ballot b = ctx.becomeCandidate();
            ctx.deliver(2, new Promise(b, 0, List.of()));
            ctx.drainSent();

            ctx.advanceAndTick(ctx.config.heartbeatIntervalMs());
            assertThat(ctx.drainSent()).containsExactly(new PaxosTestContext.Sent(3, new Prepare(b, 1)));

            // Its election times out: it asks again before it bids higher.
            ctx.advanceAndTick(2 * ctx.config.electionTimeoutMs());
            assertThat(ctx.member.role()).isEqualTo(Role.PROSPECTIVE);
            assertThat(ctx.member.ballot()).isEqualTo(b);
            Ballot next = new Ballot(b.round() + 1, 1);
            assertThat(ctx.drainSent()).extracting(PaxosTestContext.Sent::message).containsOnly(new PaxosMessage.PreVote(next));
            ctx.deliver(3, new PaxosMessage.PreVoteReply(next, true, b, PaxosMember.NO_LEADER));
            assertThat(ctx.member.role()).isEqualTo(Role.CANDIDATE);
            assertThat(ctx.member.ballot()).isEqualTo(next);
        }

        @Test
        void singleMemberGroupLeadsOnceItsPromiseIsDurable() {
            PaxosTestContext ctx = PaxosTestContext.builder().withMembers(1).build();
            ctx.becomeCandidate();
            ctx.sync();
            assertThat(ctx.member.role()).isEqualTo(Role.LEADER);
            ctx.propose("a");
            ctx.flush();
            assertThat(ctx.chosen).isEmpty();
            ctx.sync();
            assertThat(ctx.chosen).containsExactly(new Chosen(1, "a"));
        }
    }

    @Nested
    class AcceptorRules {
        @Test
        void promiseIsSentOnlyOnceDurableAndReportsEntriesFromTheAskedSlot() {
            PaxosTestContext ctx = PaxosTestContext.builder().withArchived(2)
                    .withAccepted(3, new Ballot(1, 2), "a").withAccepted(4, new Ballot(1, 2), "b").build();
            ctx.advance(ctx.config.leaseDurationMs());
            Ballot b = new Ballot(5, 3);

            ctx.deliver(3, new Prepare(b, 4));
            assertThat(ctx.drainSent()).isEmpty();
            ctx.sync();

            Promise p = ctx.drainSingle(3, Promise.class);
            assertThat(p).isEqualTo(new Promise(b, 2, List.of(new AcceptedEntry(4, new Ballot(1, 2), bytes("b")))));
            assertThat(ctx.store.durablePromised()).isEqualTo(b);
        }

        /**
         * What a member loads may include writes of this group's previous member on this node
         * that are not durable yet (RocksDB reads its unsynced writes): its first reply, even one
         * that writes nothing, waits for a sync of its own.
         */
        @Test
        void aStartedMemberRepliesOnlyAfterASyncEvenWhenTheReplyWritesNothing() {
            Ballot b = new Ballot(5, 2);
            PaxosTestContext ctx = PaxosTestContext.builder().withPromised(b).build();
            ctx.advance(ctx.config.leaseDurationMs());

            ctx.deliver(2, new Prepare(b, 1));
            assertThat(ctx.drainSent()).isEmpty();
            ctx.sync();
            assertThat(ctx.drainSingle(2, Promise.class)).isEqualTo(new Promise(b, 0, List.of()));

            ctx.deliver(2, new Prepare(b, 1));
            assertThat(ctx.drainSingle(2, Promise.class)).as("durable since: answered at once").isEqualTo(new Promise(b, 0, List.of()));
        }

        @Test
        void rejectsALowerBallot() {
            PaxosTestContext ctx = PaxosTestContext.builder().withPromised(new Ballot(5, 2)).build();
            ctx.advance(ctx.config.leaseDurationMs());
            ctx.deliver(3, new Prepare(new Ballot(4, 3), 1));
            assertThat(ctx.drainSingle(3, Reject.class).promisedBallot()).isEqualTo(new Ballot(5, 2));
            ctx.deliver(3, new Accept(new Ballot(4, 3), 0, entries(1, "x"), 0, 0));
            assertThat(ctx.drainSingle(3, Reject.class).promisedBallot()).isEqualTo(new Ballot(5, 2));
            assertThat(ctx.store.unsyncedWrites()).isZero();
        }

        @Test
        void rejectsPreparesOfOtherBallotsWhileItsLeaseLives() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            ctx.advance(ctx.config.leaseDurationMs());
            Ballot leader = new Ballot(1, 2);
            ctx.deliver(2, new Accept(leader, 0, List.of(), 0, 0));
            long grantedAt = ctx.now();

            ctx.advance(ctx.config.leaseDurationMs() - 1);
            ctx.deliver(3, new Prepare(new Ballot(2, 3), 1));
            assertThat(ctx.drainSent(3, Reject.class)).containsExactly(new Reject(new Ballot(2, 3), leader, 2));

            ctx.advance(1);
            assertThat(ctx.now()).isEqualTo(grantedAt + ctx.config.leaseDurationMs());
            ctx.deliver(3, new Prepare(new Ballot(2, 3), 1));
            ctx.sync();
            assertThat(ctx.drainSingle(3, Promise.class).ballot()).isEqualTo(new Ballot(2, 3));
        }

        @Test
        void aStartingMemberActsAsIfItHadGrantedALease() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            ctx.advance(ctx.config.leaseDurationMs() - 1);
            ctx.deliver(3, new Prepare(new Ballot(1, 3), 1));
            assertThat(ctx.drainSent(3, Reject.class)).hasSize(1);
            ctx.advance(1);
            ctx.deliver(3, new Prepare(new Ballot(1, 3), 1));
            ctx.sync();
            assertThat(ctx.drainSent(3, Promise.class)).hasSize(1);
        }

        @Test
        void acceptedIsSentOnlyOnceDurableAndEchoesTheSendTime() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Ballot leader = new Ballot(1, 2);
            ctx.deliver(2, new Accept(leader, 777, entries(1, "a", "b", "c"), 0, 0));
            assertThat(ctx.drainSent()).isEmpty();
            assertThat(ctx.store.durableAccepted()).isEmpty();

            ctx.sync();
            assertThat(ctx.drainSingle(2, Accepted.class))
                    .isEqualTo(new Accepted(leader, 777, List.of(new SlotRange(1, 3)), 3));
            assertThat(ctx.store.durableAccepted()).containsOnlyKeys(1L, 2L, 3L);
            assertThat(ctx.member.leaderHint()).isEqualTo(2);
        }

        @Test
        void contiguousSlotStopsAtAGap() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Ballot leader = new Ballot(1, 2);
            ctx.deliver(2, new Accept(leader, 1, entries(3, "c"), 0, 0));
            ctx.sync();
            assertThat(ctx.drainSingle(2, Accepted.class)).isEqualTo(new Accepted(leader, 1, List.of(new SlotRange(3, 3)), 0));
            ctx.deliver(2, new Accept(leader, 2, entries(1, "a", "b"), 0, 0));
            ctx.sync();
            assertThat(ctx.drainSingle(2, Accepted.class).contiguousSlot()).isEqualTo(3);
        }
    }

    @Nested
    class Recovery {
        @Test
        void reProposesTheHighestBallotValueOfEverySlotAndFillsGapsWithNoops() {
            PaxosTestContext ctx = PaxosTestContext.builder().withPromised(new Ballot(1, 3))
                    .withAccepted(1, new Ballot(1, 1), "own").build();
            Ballot b = ctx.becomeCandidate();
            assertThat(b).isEqualTo(new Ballot(2, 1));
            ctx.drainSent();
            ctx.deliver(2, new Promise(b, 0, List.of(
                    new AcceptedEntry(1, new Ballot(1, 2), bytes("old")),
                    new AcceptedEntry(4, new Ballot(1, 3), bytes("d")))));
            ctx.deliver(3, new Promise(b, 0, List.of(new AcceptedEntry(1, new Ballot(1, 3), bytes("newer")))));

            assertThat(ctx.member.role()).isEqualTo(Role.LEADER);
            List<Accept> toTwo = ctx.drainSent(2, Accept.class);
            assertThat(toTwo).hasSize(3); // recovered 1..3, recovered 4, heartbeat
            assertThat(toTwo.get(0).entries()).containsExactly(
                    new SlotValue(1, bytes("newer")), new SlotValue(2, bytes("noop/2/2.1")), new SlotValue(3, bytes("noop/3/2.1")));
            assertThat(toTwo.get(1).entries()).containsExactly(new SlotValue(4, bytes("d")));
            assertThat(toTwo.get(2).entries()).isEmpty();
            assertThat(ctx.propose("next")).isEqualTo(5);
        }

        @Test
        void takesTheHighestArchivedSlotAndIgnoresEntriesAtOrBelowIt() {
            PaxosTestContext ctx = PaxosTestContext.builder().withAccepted(3, new Ballot(1, 1), "archived elsewhere").build();
            Ballot b = ctx.becomeCandidate();
            ctx.drainSent();
            ctx.deliver(2, new Promise(b, 5, List.of(new AcceptedEntry(6, new Ballot(1, 2), bytes("x")))));
            ctx.sync();

            assertThat(ctx.member.archivedSlot()).isEqualTo(5);
            assertThat(ctx.skippedThrough).containsExactly(5L);
            Accept first = ctx.drainSent(3, Accept.class).get(0);
            assertThat(first.archivedSlot()).isEqualTo(5);
            assertThat(first.entries()).containsExactly(new SlotValue(6, bytes("x")));
            ctx.sync();
            assertThat(ctx.store.durableArchived()).isEqualTo(5);
            assertThat(ctx.store.durableAccepted()).containsOnlyKeys(6L);
        }

        @Test
        void isReadyOnlyOnceEveryRecoveredSlotIsChosenUnderItsBallot() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Ballot b = ctx.becomeCandidate();
            ctx.sync();
            ctx.deliver(2, new Promise(b, 0, List.of(new AcceptedEntry(2, new Ballot(1, 3), bytes("b")))));
            assertThat(ctx.member.role()).isEqualTo(Role.LEADER);
            assertThat(ctx.readyBallots).isEmpty();
            Accept recovered = ctx.drainSent(2, Accept.class).get(0);
            assertThat(slots(recovered)).containsExactly(1L, 2L);

            ctx.deliver(2, ackAll(recovered, 2));
            assertThat(ctx.readyBallots).isEmpty(); // its own accepts are not durable yet
            ctx.sync();
            assertThat(ctx.readyBallots).containsExactly(b);
            assertThat(ctx.chosen).containsExactly(new Chosen(1, "noop/1/" + b), new Chosen(2, "b"));
            assertThat(ctx.member.isLeaderReady()).isTrue();
        }
    }

    @Nested
    class RecoveryOfResolvedValues {
        /**
         * Leader 1.1 proposed x at slots 1 and 2 and only its own acceptor took slot 2; leader 2.2
         * found nothing at slot 2 and proposed y, new, at slot 1 (its recovery ended below 1). x at
         * slot 2 was resolved against x at slot 1, which is gone: it cannot have been chosen, and a
         * new leader that finds it must not propose it again.
         */
        @Test
        void aValueBelowWhichALaterLeaderProposedNewOnesIsNotProposedAgain() {
            PaxosTestContext ctx = PaxosTestContext.builder().withPromised(new Ballot(2, 2))
                    .withAccepted(1, new Ballot(1, 1), "x1#1.1").withAccepted(2, new Ballot(1, 1), "x2#1.1").build();
            Ballot b = ctx.becomeCandidate();
            ctx.sync();
            ctx.deliver(2, new Promise(b, 0, List.of(new AcceptedEntry(1, new Ballot(2, 2), bytes("y1#2.2")))));
            assertThat(ctx.member.role()).isEqualTo(Role.LEADER);
            List<Accept> accepts = ctx.drainSent(2, Accept.class);
            assertThat(accepts).flatExtracting(Accept::entries).extracting(e -> string(e.value()))
                    .containsExactly("y1#2.2", "noop/2/" + b);
        }

        /** The same, when the later leader's new value is below the archived slot: the archive's highest origin says so. */
        @Test
        void theArchivedPrefixsHighestOriginCountsToo() {
            PaxosTestContext ctx = PaxosTestContext.builder().withPromised(new Ballot(2, 2))
                    .withAccepted(2, new Ballot(1, 1), "x2#1.1").build();
            Ballot b = ctx.becomeCandidate();
            ctx.sync();
            ctx.deliver(2, new Promise(b, 1, List.of(), 0, new Ballot(2, 2)));
            List<Accept> accepts = ctx.drainSent(2, Accept.class);
            assertThat(accepts).flatExtracting(Accept::entries).extracting(e -> string(e.value())).containsExactly("noop/2/" + b);
            assertThat(accepts.get(0).archivedMaxOrigin()).isEqualTo(new Ballot(2, 2));
        }

        /** A value a later leader proposed again (accepted under its ballot) is kept, whatever its origin. */
        @Test
        void aValueALaterLeaderProposedAgainIsKept() {
            PaxosTestContext ctx = PaxosTestContext.builder().withPromised(new Ballot(2, 2))
                    .withAccepted(1, new Ballot(2, 2), "y1#2.2").withAccepted(2, new Ballot(2, 2), "x2#1.1").build();
            Ballot b = ctx.becomeCandidate();
            ctx.sync();
            ctx.deliver(3, new Promise(b, 0, List.of()));
            List<Accept> accepts = ctx.drainSent(2, Accept.class);
            assertThat(accepts).flatExtracting(Accept::entries).extracting(e -> string(e.value())).containsExactly("y1#2.2", "x2#1.1");
        }

        /** The leader tells the followers the highest origin of what it archives, and they keep it. */
        @Test
        void archivingCarriesTheHighestOriginToTheFollowers() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            Ballot b = ctx.member.ballot();
            ctx.member.propose(ctx.now(), slot -> bytes("a#" + b));
            ctx.flush();
            ctx.sync();
            ctx.deliver(2, ackAll(ctx.drainSent(2, Accept.class).get(0), 1));
            ctx.member.onArchived(ctx.now(), 1);
            ctx.advanceAndTick(ctx.config.heartbeatIntervalMs());
            assertThat(ctx.drainSent(2, Accept.class)).last().extracting(Accept::archivedMaxOrigin).isEqualTo(b);
            ctx.store.crash(Integer.MAX_VALUE); // what was written reached the disk
            assertThat(ctx.store.durableState().archivedMaxOrigin()).isEqualTo(b);
        }
    }

    @Nested
    class Replication {
        @Test
        void batchesEverythingProposedSinceTheLastFlushUpToMaxBatchEntries() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            ctx.propose("a");
            ctx.propose("b");
            assertThat(ctx.drainSent()).isEmpty();
            ctx.propose("c"); // a full batch flushes itself
            assertThat(slots(ctx.drainSingle(2, Accept.class))).containsExactly(1L, 2L, 3L);
            ctx.propose("d");
            ctx.propose("e");
            ctx.flush();
            List<Accept> toThree = ctx.drainSent(3, Accept.class);
            assertThat(toThree).hasSize(1);
            assertThat(slots(toThree.get(0))).containsExactly(4L, 5L);
        }

        @Test
        void pipelinesWithoutWaitingForAcknowledgements() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            for (int i = 0; i < 4; i++) {
                ctx.propose("v" + i);
                ctx.flush();
            }
            assertThat(ctx.drainSent(2, Accept.class)).extracting(a -> a.entries().get(0).slot())
                    .containsExactly(1L, 2L, 3L, 4L);
        }

        @Test
        void choosesAtAMajorityOfDurableAcceptsOnly() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            ctx.propose("a");
            ctx.flush();
            Accept accept = ctx.drainSent(2, Accept.class).get(0);
            ctx.deliver(2, ackAll(accept, 1));
            assertThat(ctx.chosen).isEmpty();
            assertThat(ctx.member.chosenUpTo()).isZero();

            ctx.sync();
            assertThat(ctx.chosen).containsExactly(new Chosen(1, "a"));
            ctx.advanceAndTick(ctx.config.heartbeatIntervalMs());
            assertThat(ctx.drainSent(3, Accept.class)).extracting(Accept::chosenUpTo).contains(1L);
        }

        @Test
        void twoFollowersChooseBeforeTheLeadersOwnSync() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            ctx.propose("a");
            ctx.flush();
            List<PaxosTestContext.Sent> sent = ctx.drainSent();
            Accept accept = (Accept) sent.get(0).message();
            ctx.deliver(2, ackAll(accept, 1));
            ctx.deliver(3, ackAll(accept, 1));
            assertThat(ctx.chosen).containsExactly(new Chosen(1, "a"));
        }

        @Test
        void aHeartbeatIsAnEmptyAcceptEveryInterval() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            ctx.advanceAndTick(ctx.config.heartbeatIntervalMs() - 1);
            assertThat(ctx.drainSent()).isEmpty();
            ctx.advanceAndTick(1);
            assertThat(ctx.drainSingle(2, Accept.class)).isEqualTo(new Accept(ctx.member.ballot(), ctx.now(), List.of(), 0, 0));
        }

        @Test
        void aFollowerRejectsNothingItAlreadyAcceptedAndAcknowledgesItAgain() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Accept accept = new Accept(new Ballot(1, 2), 5, entries(1, "a"), 0, 0);
            ctx.deliver(2, accept);
            ctx.sync();
            ctx.drainSent();
            ctx.deliver(2, accept);
            assertThat(ctx.store.unsyncedWrites()).isZero();
            assertThat(ctx.drainSingle(2, Accepted.class).acceptedSlots()).containsExactly(new SlotRange(1, 1));
        }
    }

    /** Issue 15, item 1: configurations chosen through the log, learners, and a leader that removes itself. */
    @Nested
    class Membership {
        private final Configuration first = Configuration.initial(List.of(1, 2, 3));

        private Accept acceptTo(List<PaxosTestContext.Sent> sent, int to) {
            return sent.stream().filter(x -> x.to() == to && x.message() instanceof Accept).map(x -> (Accept) x.message())
                    .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no Accept to " + to + " among " + sent));
        }

        /** A leader of 1, 2, 3 whose configuration v1 (learner 4) is chosen at slot 1, 4 having acknowledged nothing. */
        private PaxosTestContext leaderWithLearnerFour() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            assertThat(ctx.member.proposeConfiguration(ctx.now(), first.withLearner(4))).isEqualTo(new ProposeResult.Proposed(1));
            List<PaxosTestContext.Sent> sent = ctx.drainSent();
            assertThat(slots(acceptTo(sent, 4))).as("the learner is sent the slot that names it").containsExactly(1L);
            ctx.sync();
            ctx.deliver(2, ackAll(acceptTo(sent, 2), 1));
            assertThat(ctx.member.configuration()).isEqualTo(first.withLearner(4));
            return ctx;
        }

        @Test
        void aConfigurationIsInForceFromTheSlotAfterItsOwnOnceChosen() {
            PaxosTestContext ctx = leaderWithLearnerFour();
            assertThat(ctx.chosen).extracting(Chosen::slot).containsExactly(1L);
            assertThat(ctx.configurations).containsExactly("2:" + first.withLearner(4));
        }

        @Test
        void aLearnerGetsEverySlotButItsAcknowledgementsDoNotCount() {
            PaxosTestContext ctx = leaderWithLearnerFour();
            ctx.propose("x");
            ctx.flush();
            List<PaxosTestContext.Sent> sent = ctx.drainSent();
            ctx.sync();
            ctx.deliver(4, ackAll(acceptTo(sent, 4), 2));
            assertThat(ctx.member.chosenUpTo()).isEqualTo(1);
            ctx.deliver(3, ackAll(acceptTo(sent, 3), 2));
            assertThat(ctx.member.chosenUpTo()).isEqualTo(2);
        }

        @Test
        void aVoterJoinsOnlyAsALearnerThatHoldsEveryChosenSlot() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            assertThatThrownBy(() -> ctx.member.proposeConfiguration(ctx.now(), new Configuration(5, List.of(1, 2, 3), List.of(4))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not follow");
            assertThat(ctx.member.proposeConfiguration(ctx.now(), new Configuration(1, List.of(1, 2, 3, 4), List.of())))
                    .isEqualTo(new ProposeResult.Refused("member 4 must first be a learner of " + first));
            assertThat(ctx.member.proposeConfiguration(ctx.now(), first.withLearner(4))).isEqualTo(new ProposeResult.Proposed(1));
            assertThat(ctx.member.proposeConfiguration(ctx.now(), first.withLearner(4).promote(4)))
                    .as("one change at a time").isInstanceOf(ProposeResult.Refused.class);
            List<PaxosTestContext.Sent> sent = ctx.drainSent();
            ctx.sync();
            ctx.deliver(2, ackAll(acceptTo(sent, 2), 1));

            Configuration withFour = first.withLearner(4).promote(4);
            assertThat(ctx.member.proposeConfiguration(ctx.now(), withFour))
                    .isEqualTo(new ProposeResult.Refused("learner 4 holds slots through 0, not yet every chosen one (through 1)"));
            ctx.deliver(4, ackAll(acceptTo(sent, 4), 1));
            assertThat(ctx.member.proposeConfiguration(ctx.now(), withFour)).isEqualTo(new ProposeResult.Proposed(2));
            sent = ctx.drainSent();
            ctx.sync();
            ctx.deliver(2, ackAll(acceptTo(sent, 2), 2));
            assertThat(ctx.member.configuration()).isEqualTo(withFour);

            // Slot 3 is the first the four voters govern: a majority of them is three.
            ctx.propose("x");
            ctx.flush();
            sent = ctx.drainSent();
            ctx.sync();
            ctx.deliver(2, ackAll(acceptTo(sent, 2), 3));
            assertThat(ctx.member.chosenUpTo()).isEqualTo(2);
            ctx.deliver(4, ackAll(acceptTo(sent, 4), 3));
            assertThat(ctx.member.chosenUpTo()).isEqualTo(3);
        }

        @Test
        void aFollowerLearnsAConfigurationOnceItsSlotIsKnownChosen() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Ballot leader = new Ballot(1, 2);
            String named = PaxosTestContext.configurationValue(first.withLearner(4));
            ctx.deliver(2, new Accept(leader, 5, entries(1, named), 0, 0));
            assertThat(ctx.member.configuration()).isEqualTo(first);
            ctx.deliver(2, new Accept(leader, 6, List.of(), 1, 0));
            assertThat(ctx.member.configuration()).isEqualTo(first.withLearner(4));
            assertThat(ctx.configurations).containsExactly("2:" + first.withLearner(4));
        }

        /**
         * Member 4's promise shows that slot 1 names voters 1, 4, 5: the slots after it are
         * theirs, and 1 and 4 are a majority of them, but slot 1 itself is governed by 1, 2, 3,
         * of which only 1 promised. The candidate asks 5 (a voter it just found), and leads once
         * 2 promises too.
         */
        @Test
        void aCandidateNeedsAMajorityOfEveryConfigurationItRecovers() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Ballot b = ctx.becomeCandidate();
            ctx.sync();
            ctx.drainSent();
            Configuration next = new Configuration(1, List.of(1, 4, 5), List.of());
            ctx.deliver(4, new Promise(b, 0, List.of(new AcceptedEntry(1, new Ballot(1, 2),
                    bytes(PaxosTestContext.configurationValue(next) + "#1.2")))));
            assertThat(ctx.member.role()).isEqualTo(Role.CANDIDATE);
            assertThat(ctx.drainSent()).filteredOn(x -> x.message() instanceof Prepare).extracting(PaxosTestContext.Sent::to)
                    .containsExactly(5);
            ctx.deliver(2, new Promise(b, 0, List.of()));
            assertThat(ctx.member.role()).isEqualTo(Role.LEADER);
        }

        @Test
        void anAcceptorKeepsTheConfigurationOfTheArchivedSlotAndReportsIt() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Configuration c = new Configuration(3, List.of(1, 2, 4), List.of());
            ctx.deliver(2, new Accept(new Ballot(1, 2), 5, List.of(), 0, 7, Ballot.ZERO, c));
            assertThat(ctx.member.configuration()).isEqualTo(c);
            ctx.sync();
            assertThat(ctx.store.durableState().archivedConfiguration()).isEqualTo(c);
            ctx.advance(ctx.config.leaseDurationMs() + 1);
            ctx.drainSent();
            ctx.deliver(4, new Prepare(new Ballot(9, 4), 1));
            ctx.sync();
            Promise p = ctx.drainSingle(4, Promise.class);
            assertThat(p.archivedSlot()).isEqualTo(7);
            assertThat(p.archivedConfiguration()).isEqualTo(c);
        }

        /**
         * A member that knows it no longer votes waits; but when no leader is heard for three
         * election timeouts it campaigns, to tell the voters what was chosen and hand over (the
         * voters of a configuration may never have been told they vote).
         */
        @Test
        void aMemberThatNoLongerVotesCampaignsOnlyAfterALongSilence() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Ballot leader = new Ballot(1, 2);
            ctx.deliver(2, new Accept(leader, 5, entries(1, PaxosTestContext.configurationValue(first.without(1))), 1, 0));
            assertThat(ctx.member.configuration()).isEqualTo(first.without(1));
            ctx.advanceAndTick(2 * ctx.config.electionTimeoutMs() + ctx.config.leaseDurationMs());
            assertThat(ctx.member.role()).isEqualTo(Role.FOLLOWER);
            ctx.advanceAndTick(PaxosMember.NON_VOTER_PATIENCE * ctx.config.electionTimeoutMs());
            ctx.advanceAndTick(2 * ctx.config.electionTimeoutMs());
            assertThat(ctx.member.role()).isIn(Role.PROSPECTIVE, Role.CANDIDATE);
            assertThat(ctx.drainSent()).filteredOn(x -> x.message() instanceof PaxosMessage.PreVote)
                    .extracting(PaxosTestContext.Sent::to).contains(2, 3);
        }

        /**
         * A leader that removes itself goes on leading, taking no new proposal, until a voter of
         * the new configuration acknowledged an Accept sent after it knew the change chosen; then
         * it steps down, and does not campaign.
         */
        @Test
        void aLeaderThatRemovedItselfHandsOverOnceAVoterKnows() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            Configuration next = first.without(1);
            assertThat(ctx.member.proposeConfiguration(ctx.now(), next)).isEqualTo(new ProposeResult.Proposed(1));
            List<PaxosTestContext.Sent> sent = ctx.drainSent();
            ctx.advance(1);
            ctx.sync();
            ctx.deliver(2, ackAll(acceptTo(sent, 2), 1));
            assertThat(ctx.member.configuration()).isEqualTo(next);
            assertThat(ctx.member.role()).isEqualTo(Role.LEADER);
            assertThat(ctx.member.propose(ctx.now(), slot -> bytes("x"))).isEqualTo(new ProposeResult.NotLeader(PaxosMember.NO_LEADER));
            Accept told = acceptTo(ctx.drainSent(), 3);
            assertThat(told.chosenUpTo()).isEqualTo(1);

            ctx.deliver(3, ackAll(told, 1));
            assertThat(ctx.member.role()).isEqualTo(Role.FOLLOWER);
            ctx.advanceAndTick(2 * ctx.config.electionTimeoutMs() + 1);
            assertThat(ctx.member.role()).isEqualTo(Role.FOLLOWER);
            assertThat(ctx.drainSent()).noneMatch(x -> x.message() instanceof PaxosMessage.PreVote);
            assertThat(ctx.readyBallots).hasSize(1);
        }
    }

    /** Issue 15, item 5: a leader hands over to a caught-up voter without losing a write or overlapping leases. */
    @Nested
    class HandOver {
        @Test
        void aLeaderHandsOverOnceItsSuccessorHoldsEverySlotItProposed() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            Ballot b = ctx.member.ballot();
            ctx.propose("x");
            ctx.flush();
            List<PaxosTestContext.Sent> sent = ctx.drainSent();
            assertThat(ctx.member.transferLeadership(ctx.now(), 3)).isNull();
            assertThat(ctx.member.propose(ctx.now(), slot -> bytes("y"))).as("no new proposal meanwhile")
                    .isEqualTo(new ProposeResult.NotLeader(3));
            ctx.sync();
            Accept toTwo = (Accept) sent.stream().filter(x -> x.to() == 2).findFirst().orElseThrow().message();
            Accept toThree = (Accept) sent.stream().filter(x -> x.to() == 3).findFirst().orElseThrow().message();
            ctx.deliver(2, ackAll(toTwo, 1));
            assertThat(ctx.chosen).containsExactly(new Chosen(1, "x"));
            assertThat(ctx.member.role()).as("3 does not hold slot 1 yet").isEqualTo(Role.LEADER);

            ctx.deliver(3, ackAll(toThree, 1));
            assertThat(ctx.member.role()).isEqualTo(Role.FOLLOWER);
            assertThat(ctx.member.hasLease(ctx.now())).isFalse();
            assertThat(ctx.member.leaderHint()).isEqualTo(3);
            assertThat(ctx.drainSent()).filteredOn(x -> x.message() instanceof PaxosMessage.Relinquish)
                    .extracting(PaxosTestContext.Sent::to, x -> x.message())
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(2, new PaxosMessage.Relinquish(b, 3)),
                            org.assertj.core.groups.Tuple.tuple(3, new PaxosMessage.Relinquish(b, 3)));
            // Its own acceptor's grant ended with its lease: the successor's Prepare is promised at once.
            ctx.deliver(3, new Prepare(new Ballot(b.round() + 1, 3), 1));
            ctx.sync();
            assertThat(ctx.drainSingle(3, Promise.class).ballot()).isEqualTo(new Ballot(b.round() + 1, 3));
        }

        @Test
        void aHandOverIsRefusedOrGivenUp() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            assertThat(ctx.member.transferLeadership(ctx.now(), 1)).contains("leads already");
            assertThat(ctx.member.transferLeadership(ctx.now(), 4)).contains("no voter");
            ctx.propose("x");
            ctx.flush();
            assertThat(ctx.member.transferLeadership(ctx.now(), 2)).isNull();
            assertThat(ctx.member.propose(ctx.now(), slot -> bytes("y"))).isEqualTo(new ProposeResult.NotLeader(2));
            // 2 never acknowledges slot 1: after an election timeout the hand-over is given up.
            ctx.advanceAndTick(ctx.config.electionTimeoutMs());
            assertThat(ctx.member.role()).isEqualTo(Role.LEADER);
            assertThat(ctx.propose("after")).isEqualTo(2);
        }

        @Test
        void theSuccessorCampaignsAtOnce() {
            PaxosTestContext ctx = PaxosTestContext.builder().withSelf(3).build();
            Ballot leader = new Ballot(4, 1);
            ctx.deliver(1, new Accept(leader, 5, List.of(), 0, 0));
            ctx.sync();
            ctx.drainSent();
            ctx.deliver(1, new PaxosMessage.Relinquish(leader, 3));
            assertThat(ctx.member.role()).isEqualTo(Role.CANDIDATE);
            assertThat(ctx.drainSent()).filteredOn(x -> x.message() instanceof Prepare).extracting(PaxosTestContext.Sent::to)
                    .containsExactlyInAnyOrder(1, 2);
        }

        /** Only the lease granted to the relinquished ballot ends, and only its own leader can end it. */
        @Test
        void aRelinquishEndsTheLeaseOfItsOwnBallotOnly() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Ballot current = new Ballot(5, 2);
            ctx.deliver(2, new Accept(current, 5, List.of(), 0, 0));
            ctx.sync();
            ctx.drainSent();
            ctx.deliver(3, new PaxosMessage.Relinquish(new Ballot(4, 3), 3)); // an older leader's
            ctx.deliver(3, new PaxosMessage.Relinquish(current, 3));          // not sent by current's leader
            ctx.deliver(3, new Prepare(new Ballot(6, 3), 1));
            assertThat(ctx.drainSingle(3, Reject.class).promisedBallot()).isEqualTo(current);

            ctx.deliver(2, new PaxosMessage.Relinquish(current, 3));
            ctx.deliver(3, new Prepare(new Ballot(6, 3), 1));
            ctx.sync();
            assertThat(ctx.drainSingle(3, Promise.class).ballot()).isEqualTo(new Ballot(6, 3));
        }
    }

    @Nested
    class StepDown {
        @Test
        void aLeaderStepsDownOnARejectNamingAHigherBallot() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            Ballot b = ctx.member.ballot();
            ctx.propose("a");
            ctx.deliver(2, new Reject(b, new Ballot(b.round() + 1, 3), 3));
            assertThat(ctx.member.role()).isEqualTo(Role.FOLLOWER);
            assertThat(ctx.roleChanges).endsWith("FOLLOWER@" + b);
            assertThat(ctx.member.propose(ctx.now(), s -> bytes("x"))).isEqualTo(new ProposeResult.NotLeader(3));
            assertThat(ctx.member.hasLease(ctx.now())).isFalse();
        }

        @Test
        void aLeaderStepsDownAndAcceptsFromAHigherBallot() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            Ballot higher = new Ballot(ctx.member.ballot().round() + 1, 2);
            ctx.deliver(2, new Accept(higher, 3, entries(1, "theirs"), 1, 0));
            assertThat(ctx.member.role()).isEqualTo(Role.FOLLOWER);
            assertThat(ctx.member.ballot()).isEqualTo(higher);
            assertThat(ctx.chosen).containsExactly(new Chosen(1, "theirs"));
            ctx.sync();
            assertThat(ctx.drainSingle(2, Accepted.class).ballot()).isEqualTo(higher);
        }

        @Test
        void aLeaderRejectsHigherPreparesWhileItsLeaseLivesThenPromises() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            Ballot b = ctx.member.ballot();
            Ballot higher = new Ballot(b.round() + 1, 3);
            ctx.deliver(3, new Prepare(higher, 1));
            assertThat(ctx.drainSingle(3, Reject.class)).isEqualTo(new Reject(higher, b, 1));
            assertThat(ctx.member.role()).isEqualTo(Role.LEADER);

            ctx.advance(ctx.config.leaseDurationMs());
            ctx.deliver(3, new Prepare(higher, 1));
            assertThat(ctx.member.role()).isEqualTo(Role.FOLLOWER);
        }

        @Test
        void aLeaderThatHearsFromNoMajorityStepsDown() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            for (int i = 0; i < 2 * ctx.config.electionTimeoutMs() / ctx.config.heartbeatIntervalMs(); i++) {
                ctx.advanceAndTick(ctx.config.heartbeatIntervalMs());
            }
            ctx.advanceAndTick(ctx.config.heartbeatIntervalMs());
            assertThat(ctx.member.role()).isEqualTo(Role.FOLLOWER);
        }
    }

    @Nested
    class PreVotes {
        private PaxosMessage.PreVoteReply replyTo(PaxosTestContext ctx, int asker, Ballot asked) {
            ctx.deliver(asker, new PaxosMessage.PreVote(asked));
            return ctx.drainSingle(asker, PaxosMessage.PreVoteReply.class);
        }

        @Test
        void aProspectiveChangesNothingDurableAndCampaignsOnlyWithAMajority() {
            PaxosTestContext ctx = PaxosTestContext.builder().withPromised(new Ballot(3, 2)).build();
            Ballot asked = ctx.becomeProspective();
            assertThat(asked).isEqualTo(new Ballot(4, 1));
            assertThat(ctx.member.role()).isEqualTo(Role.PROSPECTIVE);
            assertThat(ctx.member.ballot()).isEqualTo(new Ballot(3, 2));
            assertThat(ctx.store.unsyncedWrites()).isZero();
            assertThat(ctx.drainSent()).extracting(PaxosTestContext.Sent::message).containsOnly(new PaxosMessage.PreVote(asked));

            ctx.deliver(2, new PaxosMessage.PreVoteReply(asked, false, new Ballot(3, 2), 2));
            assertThat(ctx.member.role()).isEqualTo(Role.PROSPECTIVE);
            assertThat(ctx.member.leaderHint()).isEqualTo(2);
            ctx.deliver(3, new PaxosMessage.PreVoteReply(new Ballot(2, 1), true, Ballot.ZERO, PaxosMember.NO_LEADER));
            assertThat(ctx.member.role()).as("a grant of another ballot").isEqualTo(Role.PROSPECTIVE);
            ctx.deliver(3, new PaxosMessage.PreVoteReply(asked, true, new Ballot(3, 2), PaxosMember.NO_LEADER));
            assertThat(ctx.member.role()).isEqualTo(Role.CANDIDATE);
            assertThat(ctx.member.ballot()).isEqualTo(asked);
        }

        @Test
        void aProspectiveThatHearsFromALeaderFollowsIt() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            ctx.becomeProspective();
            ctx.deliver(2, new Accept(new Ballot(1, 2), ctx.now(), entries(1, "a"), 0, 0));
            assertThat(ctx.member.role()).isEqualTo(Role.FOLLOWER);
            assertThat(ctx.member.leaderHint()).isEqualTo(2);
        }

        @Test
        void aMemberThatHeardNothingGrantsWithoutPromisingOrDelayingItsOwnElection() {
            PaxosTestContext ctx = PaxosTestContext.builder().withPromised(new Ballot(3, 2)).build();
            ctx.advance(ctx.config.leaseDurationMs() + ctx.config.electionTimeoutMs());
            assertThat(replyTo(ctx, 3, new Ballot(4, 3))).isEqualTo(
                    new PaxosMessage.PreVoteReply(new Ballot(4, 3), true, new Ballot(3, 2), PaxosMember.NO_LEADER));
            assertThat(ctx.member.ballot()).isEqualTo(new Ballot(3, 2));
            assertThat(ctx.store.unsyncedWrites()).isZero();
            assertThat(replyTo(ctx, 3, new Ballot(3, 1)).granted()).as("not above its promise").isFalse();
            ctx.advanceAndTick(ctx.config.electionTimeoutMs());
            assertThat(ctx.member.role()).isEqualTo(Role.PROSPECTIVE);
        }

        @Test
        void aFollowerThatHeardFromItsLeaderWithinAnElectionTimeoutDenies() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            ctx.advance(ctx.config.leaseDurationMs() + 1);
            ctx.deliver(2, new Accept(new Ballot(1, 2), ctx.now(), List.of(), 0, 0));
            ctx.advance(ctx.config.leaseDurationMs()); // the lease it granted ran out; the election timeout did not
            PaxosMessage.PreVoteReply denied = replyTo(ctx, 3, new Ballot(2, 3));
            assertThat(denied.granted()).isFalse();
            assertThat(denied.leaderHint()).isEqualTo(2);
            ctx.advance(ctx.config.electionTimeoutMs() - ctx.config.leaseDurationMs());
            assertThat(replyTo(ctx, 3, new Ballot(2, 3)).granted()).isTrue();
        }

        @Test
        void aLeaderDenies() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            ctx.advance(3 * ctx.config.electionTimeoutMs());
            assertThat(replyTo(ctx, 2, new Ballot(ctx.member.ballot().round() + 1, 2)).granted()).isFalse();
        }

        @Test
        void aMemberCutOffFromItsGroupNeverRaisesItsBallotAndRejoinsWithoutDeposingTheLeader() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Ballot leader = new Ballot(1, 2);
            ctx.deliver(2, new Accept(leader, ctx.now(), entries(1, "a"), 0, 0));
            ctx.sync();
            ctx.drainSent();
            // Cut off: nothing arrives for many election timeouts; it asks, and asks again, in vain.
            for (int i = 0; i < 50; i++) ctx.advanceAndTick(ctx.config.heartbeatIntervalMs());
            assertThat(ctx.member.role()).isEqualTo(Role.PROSPECTIVE);
            assertThat(ctx.member.ballot()).isEqualTo(leader);
            assertThat(ctx.drainSent()).extracting(PaxosTestContext.Sent::message).allMatch(m -> m instanceof PaxosMessage.PreVote);
            // Back: the leader's next Accept is accepted, not rejected (a Reject would depose it).
            ctx.deliver(2, new Accept(leader, ctx.now(), entries(2, "b"), 1, 0));
            ctx.sync();
            assertThat(ctx.member.role()).isEqualTo(Role.FOLLOWER);
            assertThat(ctx.drainSent()).extracting(PaxosTestContext.Sent::message).singleElement().isInstanceOf(Accepted.class);
        }

        @Test
        void aGroupOfOneCampaignsAtOnce() {
            PaxosTestContext ctx = PaxosTestContext.builder().withMembers(1).build();
            ctx.advanceAndTick(2 * ctx.config.electionTimeoutMs() + 1);
            assertThat(ctx.member.role()).isEqualTo(Role.CANDIDATE);
            ctx.sync();
            assertThat(ctx.member.role()).isEqualTo(Role.LEADER);
        }
    }

    @Nested
    class Paging {
        private final PaxosConfig smallBatches = new PaxosConfig(150, 20, 100, 10_000, 64, 10);

        @Test
        void aPromiseIsSentInPagesOfAtMostMaxBatchBytesAndAtLeastOneEntry() {
            PaxosTestContext ctx = PaxosTestContext.builder().withConfig(smallBatches).withArchived(2)
                    .withAccepted(3, new Ballot(1, 2), "aaaa").withAccepted(4, new Ballot(1, 2), "bbbb")
                    .withAccepted(5, new Ballot(1, 2), "cccc").withAccepted(7, new Ballot(1, 2), "twelve-bytes")
                    .build();
            ctx.advance(ctx.config.leaseDurationMs());
            Ballot b = new Ballot(2, 3);
            ctx.deliver(3, new Prepare(b, 1));
            ctx.sync();
            Promise first = ctx.drainSingle(3, Promise.class);
            assertThat(first.accepted()).extracting(AcceptedEntry::slot).containsExactly(3L, 4L);
            assertThat(first.continueFromSlot()).isEqualTo(5);
            ctx.deliver(3, new Prepare(b, 5));
            Promise second = ctx.drainSingle(3, Promise.class);
            assertThat(second.accepted()).extracting(AcceptedEntry::slot).containsExactly(5L);
            assertThat(second.continueFromSlot()).isEqualTo(7);
            ctx.deliver(3, new Prepare(b, 7));
            Promise last = ctx.drainSingle(3, Promise.class);
            assertThat(last.accepted()).extracting(AcceptedEntry::slot).containsExactly(7L);
            assertThat(last.complete()).isTrue();
        }

        @Test
        void aPromiseCountsOnceItsLastPageArrivedAndRecoveryUsesEveryPage() {
            PaxosTestContext ctx = PaxosTestContext.builder().withConfig(smallBatches).build();
            Ballot b = ctx.becomeCandidate();
            ctx.drainSent();
            ctx.deliver(2, new Promise(b, 0, List.of(new AcceptedEntry(1, new Ballot(1, 2), bytes("one"))), 2));
            assertThat(ctx.drainSingle(2, Prepare.class)).isEqualTo(new Prepare(b, 2));
            ctx.deliver(3, new Promise(b, 0, List.of(), 0)); // 3's complete report: with 2's first page, no majority yet
            assertThat(ctx.member.role()).isEqualTo(Role.CANDIDATE);
            ctx.deliver(2, new Promise(b, 0, List.of(new AcceptedEntry(1, new Ballot(1, 2), bytes("one"))), 2)); // again
            ctx.deliver(2, new Promise(b, 0, List.of(new AcceptedEntry(2, new Ballot(1, 2), bytes("two"))), 0));
            assertThat(ctx.member.role()).isEqualTo(Role.LEADER);
            List<Accept> accepts = ctx.drainSent(2, Accept.class);
            assertThat(accepts).flatExtracting(Accept::entries).extracting(e -> string(e.value())).containsExactly("one", "two");
        }

        @Test
        void acceptsCarryAtMostMaxBatchBytesAndALargerEntryAlone() {
            PaxosTestContext ctx = PaxosTestContext.builder().withConfig(smallBatches).buildLeader();
            ctx.propose("1234");
            ctx.propose("5678");
            ctx.propose("this one is larger than ten bytes");
            ctx.propose("9");
            ctx.flush();
            assertThat(ctx.drainSent(2, Accept.class)).extracting(PaxosMemberTest::slots)
                    .containsExactly(List.of(1L, 2L), List.of(3L), List.of(4L));
        }
    }

    @Nested
    class Resign {
        @Test
        void aLeaderThatResignsFollowsAndWaitsTwoElectionTimeoutsBeforeItAsksForVotes() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            Ballot b = ctx.member.ballot();
            ctx.member.resign(ctx.now());
            assertThat(ctx.member.role()).isEqualTo(Role.FOLLOWER);
            assertThat(ctx.member.hasLease(ctx.now())).isFalse();
            assertThat(ctx.roleChanges).endsWith("FOLLOWER@" + b);
            ctx.advanceAndTick(2 * ctx.config.electionTimeoutMs() - 1);
            assertThat(ctx.member.role()).isEqualTo(Role.FOLLOWER);
            ctx.advanceAndTick(1);
            assertThat(ctx.member.role()).isEqualTo(Role.PROSPECTIVE);
        }
    }

    @Nested
    class CatchUp {
        @Test
        void resendsWhatAFollowerLeftUnacknowledgedForAWholeHeartbeatInterval() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            ctx.propose("a");
            ctx.propose("b");
            ctx.flush(); // lost on the way to 3
            Accept toTwo = ctx.drainSent(2, Accept.class).get(0);
            ctx.deliver(2, ackAll(toTwo, 2));

            ctx.advanceAndTick(ctx.config.heartbeatIntervalMs());
            assertThat(ctx.drainSingle(3, Accept.class).entries()).isEmpty(); // just sent: maybe in flight
            ctx.advanceAndTick(ctx.config.heartbeatIntervalMs());
            assertThat(slots(ctx.drainSingle(3, Accept.class))).containsExactly(1L, 2L);
        }

        @Test
        void catchUpIsBoundedPerMessageAndDrivenByAcknowledgements() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            for (int i = 0; i < 7; i++) ctx.propose("v" + i);
            ctx.flush();
            ctx.drainSent(); // none reaches 3
            ctx.advanceAndTick(ctx.config.heartbeatIntervalMs());
            ctx.drainSent();
            ctx.advanceAndTick(ctx.config.heartbeatIntervalMs());
            Accept first = ctx.drainSingle(3, Accept.class);
            assertThat(slots(first)).containsExactly(1L, 2L, 3L);

            ctx.deliver(3, ackAll(first, 3));
            Accept second = ctx.drainSingle(3, Accept.class);
            assertThat(slots(second)).containsExactly(4L, 5L, 6L);
            ctx.deliver(3, ackAll(second, 6));
            assertThat(slots(ctx.drainSingle(3, Accept.class))).containsExactly(7L);
        }
    }

    @Nested
    class Archive {
        @Test
        void theLeaderTruncatesAndTellsTheFollowers() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            ctx.propose("a");
            ctx.propose("b");
            ctx.flush();
            ctx.deliver(2, ackAll(ctx.drainSent(2, Accept.class).get(0), 2));
            ctx.sync();
            assertThat(ctx.member.chosenUpTo()).isEqualTo(2);

            ctx.member.onArchived(ctx.now(), 2);
            ctx.advanceAndTick(ctx.config.heartbeatIntervalMs());
            assertThat(ctx.drainSingle(3, Accept.class).archivedSlot()).isEqualTo(2);
            assertThat(ctx.propose("c")).isEqualTo(3);
            ctx.flush();
            ctx.sync(); // truncation needs no sync of its own: the next one covers it
            assertThat(ctx.store.durableArchived()).isEqualTo(2);
            assertThat(ctx.store.durableAccepted()).containsOnlyKeys(3L);
        }

        @Test
        void archivingASlotNotChosenHereIsRefused() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            ctx.propose("a");
            assertThatThrownBy(() -> ctx.member.onArchived(ctx.now(), 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slot 1");
        }

        @Test
        void aFollowerTruncatesThroughTheArchivedSlotTheLeaderSends() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Ballot leader = new Ballot(1, 2);
            ctx.deliver(2, new Accept(leader, 1, entries(1, "a", "b", "c"), 3, 0));
            ctx.deliver(2, new Accept(leader, 2, List.of(), 3, 2));
            ctx.sync();
            assertThat(ctx.store.durableArchived()).isEqualTo(2);
            assertThat(ctx.store.durableAccepted()).containsOnlyKeys(3L);
            assertThat(ctx.chosen).extracting(Chosen::slot).containsExactly(1L, 2L, 3L);

            ctx.advance(ctx.config.leaseDurationMs());
            ctx.deliver(3, new Prepare(new Ballot(2, 3), 1));
            ctx.sync();
            Promise p = ctx.drainSent(3, Promise.class).get(0);
            assertThat(p.archivedSlot()).isEqualTo(2);
            assertThat(p.accepted()).extracting(AcceptedEntry::slot).containsExactly(3L);
        }

        @Test
        void aFollowerDeliversWhatItHoldsBeforeTruncatingToTheArchivedSlot() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Ballot leader = new Ballot(1, 2);
            ctx.deliver(2, new Accept(leader, 1, entries(1, "a", "b"), 0, 0));
            ctx.deliver(2, new Accept(leader, 2, List.of(), 2, 2));
            assertThat(ctx.chosen).containsExactly(new Chosen(1, "a"), new Chosen(2, "b"));
            assertThat(ctx.skippedThrough).isEmpty();
        }

        @Test
        void aFollowerSkipsDeliveringArchivedSlotsItNeverLearned() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            ctx.deliver(2, new Accept(new Ballot(1, 2), 1, entries(6, "f"), 6, 5));
            assertThat(ctx.skippedThrough).containsExactly(5L);
            assertThat(ctx.chosen).containsExactly(new Chosen(6, "f"));
            assertThat(ctx.member.chosenUpTo()).isEqualTo(6);
        }
    }

    @Nested
    class Lease {
        @Test
        void runsFromTheSendTimeOfTheRoundAMajorityAcknowledged() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            assertThat(ctx.member.hasLease(ctx.now())).isFalse(); // only its own grant so far
            ctx.advanceAndTick(ctx.config.heartbeatIntervalMs());
            long sentAt = ctx.now();
            Accept heartbeat = ctx.drainSent(2, Accept.class).get(0);
            ctx.advance(7);
            ctx.deliver(2, ackAll(heartbeat, 0));

            long leaseMs = ctx.config.leaderLeaseMs();
            assertThat(leaseMs).isEqualTo(97);
            assertThat(ctx.member.leaseExpiresAtMs()).isEqualTo(sentAt + leaseMs);
            assertThat(ctx.member.hasLease(sentAt + leaseMs - 1)).isTrue();
            assertThat(ctx.member.hasLease(sentAt + leaseMs)).isFalse();
        }

        @Test
        void anOlderEchoDoesNotMoveTheLeaseBack() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            Ballot b = ctx.member.ballot();
            ctx.deliver(2, new Accepted(b, ctx.now(), List.of(), 0));
            long expiry = ctx.member.leaseExpiresAtMs();
            ctx.deliver(2, new Accepted(b, ctx.now() - 50, List.of(), 0));
            assertThat(ctx.member.leaseExpiresAtMs()).isEqualTo(expiry);
        }

        @Test
        void acknowledgementsOfAnotherBallotDoNotCount() {
            PaxosTestContext ctx = PaxosTestContext.builder().buildLeader();
            Ballot other = new Ballot(ctx.member.ballot().round() - 1, 2);
            ctx.deliver(2, new Accepted(other, ctx.now(), List.of(), 0));
            assertThat(ctx.member.hasLease(ctx.now())).isFalse();
        }

        @Test
        void aSingleMemberGroupHoldsTheLeaseFromItsOwnRounds() {
            PaxosTestContext ctx = PaxosTestContext.builder().withMembers(1).build();
            ctx.becomeCandidate();
            ctx.sync();
            assertThat(ctx.member.hasLease(ctx.now())).isTrue();
            ctx.advance(ctx.config.leaderLeaseMs());
            assertThat(ctx.member.hasLease(ctx.now())).isFalse();
            ctx.tick();
            assertThat(ctx.member.hasLease(ctx.now())).isTrue();
        }
    }

    @Nested
    class Learning {
        @Test
        void aFollowerDeliversOnlySlotsItAcceptedUnderTheLeadersBallot() {
            PaxosTestContext ctx = PaxosTestContext.builder().withPromised(new Ballot(1, 2))
                    .withAccepted(1, new Ballot(1, 2), "old").build();
            Ballot leader = new Ballot(2, 3);
            ctx.deliver(3, new Accept(leader, 1, List.of(), 1, 0));
            assertThat(ctx.chosen).isEmpty();
            ctx.deliver(3, new Accept(leader, 2, entries(1, "new"), 1, 0));
            assertThat(ctx.chosen).containsExactly(new Chosen(1, "new"));
        }

        @Test
        void deliversInSlotOrderWithoutGaps() {
            PaxosTestContext ctx = PaxosTestContext.builder().build();
            Ballot leader = new Ballot(1, 2);
            ctx.deliver(2, new Accept(leader, 1, entries(2, "b"), 2, 0));
            assertThat(ctx.chosen).isEmpty();
            ctx.deliver(2, new Accept(leader, 2, entries(1, "a"), 2, 0));
            assertThat(ctx.chosen).containsExactly(new Chosen(1, "a"), new Chosen(2, "b"));
        }
    }

    @Nested
    class Transitions {
        @Test
        void anIllegalTransitionNamesTheStateAndBallots() {
            FollowerState follower = new FollowerState(new Ballot(3, 2), 0);
            assertThatThrownBy(() -> RoleState.checkTransition(follower, Role.LEADER, new Ballot(4, 1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("illegal transition FOLLOWER (ballot 3.2) -> LEADER (ballot 4.1)");
            CandidateState candidate = new CandidateState(new Ballot(4, 1), 1, 1, 0, 0);
            assertThatThrownBy(() -> RoleState.checkTransition(candidate, Role.CANDIDATE, new Ballot(4, 1)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("CANDIDATE (ballot 4.1)");
            assertThatThrownBy(() -> RoleState.checkTransition(candidate, Role.LEADER, new Ballot(5, 1)))
                    .isInstanceOf(IllegalStateException.class);
            RoleState.checkTransition(candidate, Role.LEADER, new Ballot(4, 1));
            RoleState.checkTransition(candidate, Role.FOLLOWER, new Ballot(4, 1));
        }

        @Test
        void aListenerMayNotCallBackIntoTheMember() {
            PaxosMember[] holder = new PaxosMember[1];
            PaxosMember member = new PaxosMember(1, List.of(1), new InMemoryAcceptorStore(), (to, m) -> {},
                    new Random(1), PaxosTestContext.CONFIG, PaxosTestContext::noop, new PaxosListener() {
                        @Override
                        public void onChosen(long slot, byte[] value) {}

                        @Override
                        public void onRoleChanged(Role role, Ballot ballot) {
                            if (role == Role.CANDIDATE) holder[0].onTick(0);
                        }

                        @Override
                        public void onLeaderReady(Ballot ballot) {}
                    });
            holder[0] = member;
            member.start(0);
            assertThatThrownBy(() -> member.onTick(1000)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("re-entrantly");
        }

        @Test
        void messagesHaveStableTypeIds() {
            assertThat(PaxosMessage.Type.values()).extracting(PaxosMessage.Type::id).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
            assertThat(PaxosMessage.Type.fromId(4)).isEqualTo(PaxosMessage.Type.ACCEPT);
            assertThat(new Prepare(Ballot.ZERO, 1).type()).isEqualTo(PaxosMessage.Type.PREPARE);
            assertThatThrownBy(() -> PaxosMessage.Type.fromId(9)).isInstanceOf(IllegalArgumentException.class);
            assertThat(string(new SlotValue(1, bytes("x")).value())).isEqualTo("x");
        }
    }
}
