using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Contracts;
using Orchestrator.Sagas.ResearchTasks;
using Orchestrator.Tests.Sagas.Persistence;
using Orchestrator.Workflow.Payments;
using Orchestrator.Workflow.Recovery;

namespace Orchestrator.IntegrationTests.Workflow.Payments;

/// <summary>
/// What a payment step writes before it pays, on each real database: its lease on the task and a claim on each
/// purchase, in one transaction, held by one delivery at a time, never while the saga no longer has a purchase being
/// paid, given back when the step fails, left for the saga when it answers, and lapsing when its payer crashed
/// (<c>Recovery:PaymentLease</c>).
/// </summary>
public sealed class PaymentClaimsTests
{
    static readonly Guid TaskId = Guid.NewGuid();
    static readonly int[] Items = [7, 8];

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Of_twenty_deliveries_racing_for_one_step_exactly_one_holds_it(DatabaseProvider provider)
    {
        await using var database = await CreateWithPurchasesAsync(provider);
        var clock = new FakeClock(DateTimeOffset.UtcNow);

        var held = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            await using var db = ProviderOptions.CreateContext(provider, database.ConnectionString);
            var step = await Claims(db, clock).TryHoldStepAsync(TaskId, Items, CancellationToken.None);
            if (step is not null)
            {
                step.HandOver();
                await step.DisposeAsync();
            }
            return step is not null;
        }));

        Assert.Single(held, h => h);
        Assert.Equal("leased; claimed: 7,8", await HeldAsync(database));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_step_writes_its_lease_and_every_claim_in_one_transaction_without_a_read(DatabaseProvider provider)
    {
        await using var database = await CreateWithPurchasesAsync(provider);
        await using var db = ProviderOptions.CreateContext(provider, database.ConnectionString);
        using var transactions = new CountedMeasurements(DatabaseMetrics.TransactionsName);
        using var reads = new CountedMeasurements(DatabaseMetrics.CommandsName, "read");
        transactions.CountThisFlow();
        reads.CountThisFlow();

        var step = await Claims(db, new FakeClock(DateTimeOffset.UtcNow)).TryHoldStepAsync(TaskId, Items, CancellationToken.None);

        Assert.NotNull(step);
        step.HandOver();
        await step.DisposeAsync();
        Assert.Equal((1, 0), (transactions.Count, reads.Count));
        Assert.Equal("leased; claimed: 7,8", await HeldAsync(database));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_step_that_fails_gives_its_lease_and_claims_back_and_one_that_answers_leaves_them_for_the_saga(DatabaseProvider provider)
    {
        await using var database = await CreateWithPurchasesAsync(provider);
        var clock = new FakeClock(DateTimeOffset.UtcNow);
        await using var db = ProviderOptions.CreateContext(provider, database.ConnectionString);

        var failed = await Claims(db, clock).TryHoldStepAsync(TaskId, Items, CancellationToken.None);
        Assert.NotNull(failed);
        await failed.DisposeAsync();
        Assert.Equal("free; claimed: ", await HeldAsync(database));

        await using (var answered = await Claims(db, clock).TryHoldStepAsync(TaskId, Items, CancellationToken.None))
        {
            Assert.NotNull(answered);
            answered.HandOver();
        }

        Assert.Equal("leased; claimed: 7,8", await HeldAsync(database));
        await using var secondDb = ProviderOptions.CreateContext(provider, database.ConnectionString);
        Assert.Null(await Claims(secondDb, clock).TryHoldStepAsync(TaskId, Items, CancellationToken.None));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_step_left_by_a_crashed_payer_can_be_held_again_once_its_lease_lapsed(DatabaseProvider provider)
    {
        await using var database = await CreateWithPurchasesAsync(provider);
        var clock = new FakeClock(DateTimeOffset.UtcNow);
        await using var db = ProviderOptions.CreateContext(provider, database.ConnectionString);
        var crashed = await Claims(db, clock).TryHoldStepAsync(TaskId, Items, CancellationToken.None);
        Assert.NotNull(crashed);
        crashed.HandOver();
        await crashed.DisposeAsync();

        clock.Now += new RecoveryOptions().PaymentLease - TimeSpan.FromSeconds(1);
        Assert.Null(await Claims(db, clock).TryHoldStepAsync(TaskId, Items, CancellationToken.None));

        clock.Now += TimeSpan.FromSeconds(2);
        await using var next = await Claims(db, clock).TryHoldStepAsync(TaskId, Items, CancellationToken.None);
        Assert.NotNull(next);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_purchase_claimed_by_another_payer_keeps_the_whole_step_from_being_held(DatabaseProvider provider)
    {
        await using var database = await CreateWithPurchasesAsync(provider);
        var clock = new FakeClock(DateTimeOffset.UtcNow);
        await using var db = ProviderOptions.CreateContext(provider, database.ConnectionString);
        await db.Set<ResearchTaskPurchase>().Where(p => p.TaskId == TaskId && p.ItemId == Items[1])
            .ExecuteUpdateAsync(p => p.SetProperty(x => x.PaymentClaimedUntil, clock.Now.UtcDateTime.AddSeconds(10)));

        Assert.Null(await Claims(db, clock).TryHoldStepAsync(TaskId, Items, CancellationToken.None));

        // Nothing of the refused step stays: the lease and the other claim were rolled back with it.
        Assert.Equal("free; claimed: 8", await HeldAsync(database));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_step_delivered_again_after_the_saga_recorded_its_payments_is_not_held(DatabaseProvider provider)
    {
        await using var database = await CreateWithPurchasesAsync(provider);
        await using var db = ProviderOptions.CreateContext(provider, database.ConnectionString);
        await db.Set<ResearchTaskPurchase>().Where(p => p.TaskId == TaskId && p.ItemId == Items[0])
            .ExecuteUpdateAsync(p => p.SetProperty(x => x.Status, PurchaseStatus.Paid));

        Assert.Null(await Claims(db, new FakeClock(DateTimeOffset.UtcNow)).TryHoldStepAsync(TaskId, Items, CancellationToken.None));

        Assert.Equal("free; claimed: ", await HeldAsync(database));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_step_whose_answer_could_not_be_sent_gives_its_lease_and_claims_back_for_its_next_delivery(DatabaseProvider provider)
    {
        await using var database = await CreateWithPurchasesAsync(provider);
        var clock = new FakeClock(DateTimeOffset.UtcNow);
        await using var db = ProviderOptions.CreateContext(provider, database.ConnectionString);
        // A cancellation recorded before the step: the permit refuses every payment, so no marketplace is called.
        await db.ResearchTasks.Where(t => t.CorrelationId == TaskId)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.StopRequested, StopReason.Cancelled));
        var order = new PayForItems(TaskId, [.. Items.Select(i => new ItemPayment(i, 10, $"{TaskId}-{i}"))]);

        await Assert.ThrowsAsync<TimeoutException>(() => Payments(db, clock).PayAsync(order, _ => throw new TimeoutException("the broker"), CancellationToken.None));
        Assert.Equal("free; claimed: ", await HeldAsync(database));

        ItemPaymentsMade? sent = null;
        await Payments(db, clock).PayAsync(order, answer => Task.FromResult(sent = answer), CancellationToken.None);
        Assert.All(sent!.Outcomes, o => Assert.Equal(PaymentResult.NotMade, o.Result));
        Assert.Equal("leased; claimed: 7,8", await HeldAsync(database));
    }

    /// <summary>Whether the task's lease is set, and the items whose claim is set.</summary>
    static async Task<string> HeldAsync(TestDatabase database)
    {
        await using var db = ProviderOptions.CreateContext(database.Provider, database.ConnectionString);
        var lease = await db.ResearchTasks.Where(t => t.CorrelationId == TaskId).Select(t => t.StepLeaseUntil).SingleAsync();
        var claimed = await db.Set<ResearchTaskPurchase>().Where(p => p.TaskId == TaskId && p.PaymentClaimedUntil != null)
            .OrderBy(p => p.ItemId).Select(p => p.ItemId).ToListAsync();
        return $"{(lease is null ? "free" : "leased")}; claimed: {string.Join(',', claimed)}";
    }

    static PaymentClaims Claims(OrchestratorDbContext db, TimeProvider clock) =>
        new(db, Scopes, Microsoft.Extensions.Options.Options.Create(new RecoveryOptions()), clock);

    /// <summary>The payment step on its own; with every payment refused by the permit it calls no marketplace.</summary>
    static ItemPayments Payments(OrchestratorDbContext db, TimeProvider clock) => new(new PaymentPermit(db), Claims(db, clock), null!, null!);

    static readonly IServiceScopeFactory Scopes = new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>();

    static async Task<TestDatabase> CreateWithPurchasesAsync(DatabaseProvider provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        await using var db = ProviderOptions.CreateContext(provider, database.ConnectionString);
        await DatabaseMigrator.MigrateAsync(db, CancellationToken.None);
        var task = ResearchTaskState.Accept(TaskId, "theme", 50, "voice", "owner", DateTime.UtcNow);
        task.CurrentState = TaskStates.Paying;
        task.PaymentToken = "token";
        foreach (var itemId in Items)
        {
            task.Purchases.Add(new ResearchTaskPurchase
            {
                TaskId = TaskId,
                ItemId = itemId,
                Title = "t",
                Company = "c",
                Price = 10,
                IdempotencyKey = $"{TaskId}-{itemId}",
                Status = PurchaseStatus.Paying,
            });
        }

        db.ResearchTasks.Add(task);
        await db.SaveChangesAsync();
        return database;
    }

    sealed class FakeClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
