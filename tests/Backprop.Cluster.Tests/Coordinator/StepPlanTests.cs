using Backprop.Cluster.Coordinator;
using Backprop.Core.Training;

namespace Backprop.Cluster.Tests.Coordinator;

public sealed class StepPlanTests
{
    private const int MaxLeaves = 40;
    private const int MaxWorkers = 5;

    private static readonly Comparer<LeafRange> ByFirst = Comparer<LeafRange>.Create((x, y) => x.First.CompareTo(y.First));

    [Fact]
    public void Create_AnyLeafAndWorkerCount_BlocksTileEveryLeafOnceAsTreeNodes()
    {
        var random = new Random(11);
        for (var leaves = 1; leaves <= MaxLeaves; leaves++)
        {
            for (var workerCount = 1; workerCount <= MaxWorkers; workerCount++)
            {
                var workers = RandomWorkers(random, workerCount);

                var plan = StepPlan.Create(step: 3, leaves, workers);

                Assert.Equal(leaves, plan.LeafCount);
                AssertTiles(plan);
                Assert.Empty(plan.Done);
                Assert.False(plan.IsComplete);
            }
        }
    }

    [Fact]
    public void Create_AnyLeafAndWorkerCount_EachWorkerGetsOneContiguousRangeInFewestAlignedBlocks()
    {
        var random = new Random(12);
        for (var leaves = 1; leaves <= MaxLeaves; leaves++)
        {
            for (var workerCount = 1; workerCount <= MaxWorkers; workerCount++)
            {
                var workers = RandomWorkers(random, workerCount);

                var plan = StepPlan.Create(0, leaves, workers);

                foreach (var worker in workers)
                {
                    var blocks = plan.OutstandingOf(worker.Worker);
                    if (blocks.Count == 0)
                    {
                        continue;
                    }

                    var range = (blocks[0].First, blocks[^1].End);
                    Assert.Equal(GradientTree.AlignedBlocks(range.First, range.End, leaves), blocks);
                }
            }
        }
    }

    [Theory]
    [InlineData(3.0, 1.0, 12, 4)]
    [InlineData(1.0, 3.0, 4, 12)]
    [InlineData(1.0, 1.0, 8, 8)]
    [InlineData(7.0, 1.0, 14, 2)]
    public void Create_TwoWorkersOn16Leaves_RangesProportionalToThroughput(double a, double b, int leavesOfA, int leavesOfB)
    {
        var plan = StepPlan.Create(0, 16, [new("a", a), new("b", b)]);

        Assert.Equal(leavesOfA, LeavesOf(plan, "a"));
        Assert.Equal(leavesOfB, LeavesOf(plan, "b"));
    }

    [Fact]
    public void Create_AnyThroughputs_EachShareWithinTwoLeavesOfItsExactShare()
    {
        var random = new Random(13);
        for (var leaves = 1; leaves <= MaxLeaves; leaves++)
        {
            for (var workerCount = 1; workerCount <= MaxWorkers; workerCount++)
            {
                var workers = RandomWorkers(random, workerCount);
                var total = workers.Sum(w => w.Throughput);

                var plan = StepPlan.Create(0, leaves, workers);

                foreach (var worker in workers)
                {
                    var exact = leaves * worker.Throughput / total;
                    // Each cut is rounded, or moved at most one leaf to a better-aligned place.
                    Assert.InRange(LeavesOf(plan, worker.Worker), exact - 2.0, exact + 2.0);
                }
            }
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    [InlineData(-5.0)]
    [InlineData(double.PositiveInfinity)]
    public void Create_UnmeasuredOrNonsenseThroughput_CountsAsOne(double throughput)
    {
        var plan = StepPlan.Create(0, 16, [new("a", throughput), new("b", 1.0), new("c", 2.0)]);

        Assert.Equal(4, LeavesOf(plan, "a"));
        Assert.Equal(4, LeavesOf(plan, "b"));
        Assert.Equal(8, LeavesOf(plan, "c"));
    }

    [Fact]
    public void Create_WorkerTooSlowForAnyLeaf_GetsNoBlocks()
    {
        var plan = StepPlan.Create(0, 4, [new("fast", 1000.0), new("slow", 1.0)]);

        Assert.Empty(plan.OutstandingOf("slow"));
        Assert.DoesNotContain("slow", plan.Owners.Values);
        Assert.DoesNotContain("slow", plan.BusyWorkers);
        AssertTiles(plan);
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(1.3, 1.0)]
    [InlineData(1.0, 1.4)]
    public void Create_TwoWorkersOfSimilarSpeed_CutAtTheTreeMiddleSoEachSendsOneBlock(double a, double b)
    {
        var plan = StepPlan.Create(0, 8, [new("a", a), new("b", b)]);

        Assert.Equal([new LeafRange(0, 4)], plan.OutstandingOf("a"));
        Assert.Equal([new LeafRange(4, 8)], plan.OutstandingOf("b"));
    }

    [Fact]
    public void Create_TwoWorkersOfVeryDifferentSpeed_CutFollowsThroughput()
    {
        var plan = StepPlan.Create(0, 8, [new("a", 5), new("b", 3)]);

        Assert.Equal(5, LeavesOf(plan, "a"));
        Assert.Equal(3, LeavesOf(plan, "b"));
    }

    [Fact]
    public void Create_MoreWorkersThanLeaves_ExtraWorkersGetNoBlocks()
    {
        var plan = StepPlan.Create(0, 2, [new("a", 1), new("b", 1), new("c", 1), new("d", 1), new("e", 1)]);

        Assert.Equal(2, plan.BusyWorkers.Count());
        AssertTiles(plan);
    }

    [Fact]
    public void Create_WorkersInAnyOrder_SamePlan()
    {
        var random = new Random(14);
        for (var leaves = 1; leaves <= MaxLeaves; leaves++)
        {
            var workers = RandomWorkers(random, 1 + (leaves % MaxWorkers));
            var shuffled = workers.OrderBy(_ => random.Next()).ToList();
            var reversed = workers.AsEnumerable().Reverse().ToList();

            var plan = StepPlan.Create(0, leaves, workers);

            Assert.Equal(Sorted(plan.Owners), Sorted(StepPlan.Create(0, leaves, shuffled).Owners));
            Assert.Equal(Sorted(plan.Owners), Sorted(StepPlan.Create(0, leaves, reversed).Owners));
        }
    }

    [Fact]
    public void Create_NoWorkers_Throws()
    {
        Assert.Throws<ArgumentException>(() => StepPlan.Create(0, 4, []));
    }

    [Fact]
    public void Create_NoLeaves_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StepPlan.Create(0, 0, [new("a", 1)]));
    }

    [Fact]
    public void Complete_BlockOfThePlan_AcceptedOnceThenDuplicateRejected()
    {
        var plan = StepPlan.Create(0, 8, [new("a", 1), new("b", 1)]);
        var block = plan.OutstandingOf("a")[0];

        var (afterFirst, firstAccepted) = plan.Complete(block);
        var (afterDuplicate, duplicateAccepted) = afterFirst.Complete(block);

        Assert.True(firstAccepted);
        Assert.Contains(block, afterFirst.Done);
        Assert.DoesNotContain(block, afterFirst.OutstandingOf("a"));
        Assert.False(duplicateAccepted);
        Assert.Same(afterFirst, afterDuplicate);
        Assert.Empty(plan.Done);
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(1, 2)]
    [InlineData(0, 16)]
    [InlineData(8, 9)]
    [InlineData(0, 8)]
    public void Complete_BlockNotInThePlan_Rejected(int first, int end)
    {
        var plan = StepPlan.Create(0, 8, [new("a", 1), new("b", 1)]);

        var (after, accepted) = plan.Complete(new LeafRange(first, end));

        Assert.False(accepted);
        Assert.Same(plan, after);
    }

    [Fact]
    public void IsComplete_TrueExactlyWhenTheLastBlockArrives()
    {
        var plan = StepPlan.Create(0, 13, [new("a", 1), new("b", 2), new("c", 3)]);
        var blocks = plan.Owners.Keys.OrderBy(b => b.First).ToList();

        for (var i = 0; i < blocks.Count; i++)
        {
            Assert.False(plan.IsComplete);
            plan = plan.Complete(blocks[i]).Plan;
        }

        Assert.True(plan.IsComplete);
        Assert.Empty(plan.BusyWorkers);
    }

    [Fact]
    public void Reassign_LostWorker_MovesOnlyItsOutstandingBlocks()
    {
        var plan = StepPlan.Create(0, 16, [new("a", 1), new("b", 2)]);
        var lostBlocks = plan.OutstandingOf("a");
        Assert.True(lostBlocks.Count >= 2, "the scenario needs a lost worker with several blocks");
        var doneBlock = lostBlocks[0];
        plan = plan.Complete(doneBlock).Plan;
        var ofB = plan.OutstandingOf("b");

        var (after, moved) = plan.Reassign("a", [new("b", 1)]);

        Assert.Equal("a", after.Owners[doneBlock]);
        Assert.Contains(doneBlock, after.Done);
        Assert.Empty(after.OutstandingOf("a"));
        Assert.Equal(["b"], moved.Keys);
        Assert.Equal(lostBlocks.Skip(1), moved["b"]);
        Assert.Equal(lostBlocks.Skip(1).Concat(ofB).OrderBy(b => b.First), after.OutstandingOf("b"));
        Assert.Equal(plan.Owners.Keys.Order(ByFirst), after.Owners.Keys.Order(ByFirst));
    }

    [Fact]
    public void Reassign_WorkerWithNothingOutstanding_ChangesNothing()
    {
        var plan = CompleteAllOf(StepPlan.Create(0, 8, [new("a", 1), new("b", 1)]), "a");

        var (after, moved) = plan.Reassign("a", []);

        Assert.Same(plan, after);
        Assert.Empty(moved);
    }

    [Fact]
    public void Reassign_NoLiveWorkerLeft_ThrowsNamingTheLostWorker()
    {
        var plan = StepPlan.Create(0, 8, [new("a", 1), new("b", 1)]);

        var error = Assert.Throws<InvalidOperationException>(() => plan.Reassign("a", [new("a", 1)]));

        Assert.Contains("a", error.Message);
    }

    [Fact]
    public void Reassign_ToWorkersWithDifferentLoads_LeastOutstandingWorkGetsTheBlock()
    {
        // 12 leaves over a (lost), b and c at equal speed, one block each; c has finished, b still owes 4 leaves.
        var plan = StepPlan.Create(0, 12, [new("a", 1), new("b", 1), new("c", 1)]);
        Assert.Equal([new LeafRange(0, 4)], plan.OutstandingOf("a"));
        plan = plan.Complete(plan.OutstandingOf("c")[0]).Plan;

        var (after, moved) = plan.Reassign("a", [new("b", 1), new("c", 1)]);

        Assert.Equal(["c"], moved.Keys);
        Assert.Equal("c", after.Owners[new LeafRange(0, 4)]);
    }

    [Fact]
    public void Reassign_DoneBlocksDoNotCountAsLoad()
    {
        // b finished its 8 leaves; c still owes 4: b is the idle one even though it was given more.
        var plan = StepPlan.Create(0, 16, [new("a", 1), new("b", 2), new("c", 1)]);
        Assert.Equal(8, LeavesOf(plan, "b"));
        plan = CompleteAllOf(plan, "b");

        var (after, _) = plan.Reassign("a", [new("b", 1), new("c", 1)]);

        Assert.All(plan.OutstandingOf("a"), block => Assert.Equal("b", after.Owners[block]));
    }

    [Fact]
    public void Reassign_IdleWorkersOfDifferentSpeed_FasterTakesTheBlock()
    {
        var plan = StepPlan.Create(0, 4, [new("a", 1), new("b", 1), new("c", 1)]);
        var lost = plan.OutstandingOf("a");
        plan = CompleteAllOf(CompleteAllOf(plan, "b"), "c");

        var (after, _) = plan.Reassign("a", [new("b", 1), new("c", 5)]);

        Assert.All(lost, block => Assert.Equal("c", after.Owners[block]));
    }

    [Fact]
    public void Reassign_ManyBlocks_SpreadsThemSoEveryoneFinishesAtAboutTheSameTime()
    {
        // The lost worker's range [0, 31) is the blocks of 16, 8, 4, 2 and 1 leaves; z has finished its leaf.
        var plan = StepPlan.Create(0, 32, [new("a", 31), new("z", 1)]);
        Assert.Equal(GradientTree.AlignedBlocks(0, 31, 32), plan.OutstandingOf("a"));
        plan = CompleteAllOf(plan, "z");

        var (after, moved) = plan.Reassign("a", [new("fast", 3), new("medium", 2), new("z", 1)]);

        // Each block in leaf order to the earliest finish: 16 → fast (16/3), 8 → medium (8/2), 4 → z (4),
        // 2 → medium (10/2), 1 → z (5); a split that ignored speed or load would differ.
        Assert.Equal(16, OutstandingLeavesOf(after, "fast"));
        Assert.Equal(10, OutstandingLeavesOf(after, "medium"));
        Assert.Equal(5, OutstandingLeavesOf(after, "z"));
        Assert.Equal(31, moved.Values.Sum(blocks => blocks.Sum(b => b.Count)));
    }

    [Fact]
    public void Reassign_AnySequenceOfLosses_BlocksStillTileAndOnlyLostWorkersBlocksMove()
    {
        var random = new Random(15);
        for (var leaves = 1; leaves <= MaxLeaves; leaves++)
        {
            for (var workerCount = 2; workerCount <= MaxWorkers; workerCount++)
            {
                var live = RandomWorkers(random, workerCount);
                var plan = StepPlan.Create(0, leaves, live);
                while (live.Count > 1)
                {
                    plan = CompleteSome(plan, random);
                    var lost = live[random.Next(live.Count)].Worker;
                    live = [.. live.Where(w => w.Worker != lost)];

                    var (after, moved) = plan.Reassign(lost, live);

                    AssertTiles(after);
                    Assert.True(plan.Done.SetEquals(after.Done));
                    Assert.Empty(after.OutstandingOf(lost));
                    Assert.DoesNotContain(lost, moved.Keys);
                    Assert.Equal(plan.OutstandingOf(lost), moved.Values.SelectMany(b => b).Order(ByFirst));
                    foreach (var (block, owner) in after.Owners)
                    {
                        var wasLostAndOutstanding = plan.Owners[block] == lost && !plan.Done.Contains(block);
                        Assert.Equal(wasLostAndOutstanding ? moved.Single(m => m.Value.Contains(block)).Key : plan.Owners[block], owner);
                    }

                    plan = after;
                }

                Assert.Equal(plan.Owners.Count - plan.Done.Count, plan.OutstandingOf(live[0].Worker).Count);
            }
        }
    }

    private static List<WorkerShare> RandomWorkers(Random random, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new WorkerShare($"worker-{i}", 1 + (random.NextDouble() * 9)))];

    private static int LeavesOf(StepPlan plan, string worker) =>
        plan.Owners.Where(o => o.Value == worker).Sum(o => o.Key.Count);

    private static int OutstandingLeavesOf(StepPlan plan, string worker) => plan.OutstandingOf(worker).Sum(b => b.Count);

    private static StepPlan CompleteAllOf(StepPlan plan, string worker)
    {
        foreach (var block in plan.OutstandingOf(worker))
        {
            plan = plan.Complete(block).Plan;
        }

        return plan;
    }

    private static List<KeyValuePair<LeafRange, string>> Sorted(IEnumerable<KeyValuePair<LeafRange, string>> owners) =>
        [.. owners.OrderBy(o => o.Key.First)];

    private static StepPlan CompleteSome(StepPlan plan, Random random)
    {
        foreach (var block in plan.Owners.Keys.Where(b => !plan.Done.Contains(b)).OrderBy(b => b.First).ToList())
        {
            if (random.Next(3) == 0)
            {
                plan = plan.Complete(block).Plan;
            }
        }

        return plan;
    }

    /// <summary>The plan's blocks are tree nodes covering [0, LeafCount) exactly once (checked by the tree's own definition).</summary>
    private static void AssertTiles(StepPlan plan)
    {
        var next = 0;
        foreach (var block in plan.Owners.Keys.Order(ByFirst))
        {
            Assert.Equal(next, block.First);
            Assert.Equal([block], GradientTree.AlignedBlocks(block.First, block.End, plan.LeafCount));
            next = block.End;
        }

        Assert.Equal(plan.LeafCount, next);
        var ones = plan.Owners.Keys.ToDictionary(b => b, b => b.Count);
        Assert.Equal(plan.LeafCount, GradientTree.Combine(plan.LeafCount, ones, (x, y) => x + y));
    }
}
