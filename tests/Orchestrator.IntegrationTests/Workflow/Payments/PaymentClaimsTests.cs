using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Contracts;
using Orchestrator.Sagas.ResearchTasks;
using Orchestrator.Tests.Sagas.Persistence;
using Orchestrator.Workflow.Payments;
using Orchestrator.Workflow.Recovery;

namespace Orchestrator.IntegrationTests.Workflow.Payments;

/// <summary>
/// The claim a payer takes on a purchase before paying it, on each real database: of many payers racing for one
/// purchase exactly one gets it, it is free again once given back, and a claim left by a crashed payer expires
/// (<c>Recovery:PaymentLease</c>); a step's lease is held by one delivery at a time.
/// </summary>
public sealed class PaymentClaimsTests
{
    static readonly Guid TaskId = Guid.NewGuid();
    const int ItemId = 7;
    static readonly ItemPayment Payment = new(ItemId, 10, $"{TaskId}-{ItemId}");

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Of_twenty_payers_racing_for_one_purchase_exactly_one_claims_it(DatabaseProvider provider)
    {
        await using var database = await CreateWithOnePurchaseAsync(provider);

        var claims = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => ClaimAsync(database, new FakeClock(DateTimeOffset.UtcNow))));

        Assert.Single(claims, claim => claim is not null);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_claim_given_back_or_expired_can_be_taken_again(DatabaseProvider provider)
    {
        await using var database = await CreateWithOnePurchaseAsync(provider);
        var clock = new FakeClock(DateTimeOffset.UtcNow);

        var first = await ClaimAsync(database, clock);
        Assert.NotNull(first);
        Assert.Null(await ClaimAsync(database, clock));

        await using (var db = ProviderOptions.CreateContext(provider, database.ConnectionString))
            await Claims(db, clock).ReleaseAsync(TaskId, [ItemId], CancellationToken.None);
        var second = await ClaimAsync(database, clock);
        Assert.NotNull(second);

        // The payer holding it crashed: nobody gives it back, and it is free once it can no longer be paying.
        clock.Now = second.Value.AddSeconds(1);
        Assert.NotNull(await ClaimAsync(database, clock));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_second_delivery_of_a_step_still_being_paid_gets_no_lease_until_the_first_ends(DatabaseProvider provider)
    {
        await using var database = await CreateWithOnePurchaseAsync(provider);
        var clock = new FakeClock(DateTimeOffset.UtcNow);
        await using var firstDb = ProviderOptions.CreateContext(provider, database.ConnectionString);
        await using var secondDb = ProviderOptions.CreateContext(provider, database.ConnectionString);

        var first = await Claims(firstDb, clock).TryHoldStepAsync(TaskId, CancellationToken.None);
        Assert.NotNull(first);
        Assert.Null(await Claims(secondDb, clock).TryHoldStepAsync(TaskId, CancellationToken.None));

        await first.DisposeAsync();
        await using var next = await Claims(secondDb, clock).TryHoldStepAsync(TaskId, CancellationToken.None);
        Assert.NotNull(next);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_step_keeps_the_claims_it_took_until_it_ends_and_then_gives_them_back(DatabaseProvider provider)
    {
        await using var database = await CreateWithOnePurchaseAsync(provider);
        var clock = new FakeClock(DateTimeOffset.UtcNow);
        await using var db = ProviderOptions.CreateContext(provider, database.ConnectionString);

        var step = await Claims(db, clock).TryHoldStepAsync(TaskId, CancellationToken.None);
        Assert.NotNull(step);
        Assert.NotNull(await step.TryClaimAsync(Payment, 0, CancellationToken.None));
        Assert.Null(await ClaimAsync(database, clock));

        await step.DisposeAsync();
        Assert.NotNull(await ClaimAsync(database, clock));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_purchase_is_not_claimed_for_a_payment_its_task_does_not_allow_now(DatabaseProvider provider)
    {
        await using var database = await CreateWithOnePurchaseAsync(provider);
        var clock = new FakeClock(DateTimeOffset.UtcNow);
        await using var db = ProviderOptions.CreateContext(provider, database.ConnectionString);
        var claims = Claims(db, clock);

        // 10 more after 41 committed this step would exceed the budget of 50.
        Assert.Null(await claims.TryClaimAsync(TaskId, Payment, committedThisStep: 41, CancellationToken.None));
        Assert.Null(await claims.TryClaimAsync(TaskId, Payment with { Amount = 0 }, 0, CancellationToken.None));

        // A cancellation recorded while the step pays: the next claim is refused, in the same statement.
        await db.ResearchTasks.Where(t => t.CorrelationId == TaskId)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.StopRequested, StopReason.Cancelled));
        Assert.Null(await claims.TryClaimAsync(TaskId, Payment, 0, CancellationToken.None));

        await db.ResearchTasks.Where(t => t.CorrelationId == TaskId)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.StopRequested, (StopReason?)null));
        Assert.NotNull(await claims.TryClaimAsync(TaskId, Payment, committedThisStep: 40, CancellationToken.None));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_claim_checks_the_permit_in_its_own_statement_without_a_read_before_it(DatabaseProvider provider)
    {
        await using var database = await CreateWithOnePurchaseAsync(provider);
        await using var db = ProviderOptions.CreateContext(provider, database.ConnectionString);
        using var reads = new CountedMeasurements(DatabaseMetrics.CommandsName, "read");
        using var writes = new CountedMeasurements(DatabaseMetrics.CommandsName, "write");
        reads.CountThisFlow();
        writes.CountThisFlow();

        Assert.NotNull(await Claims(db, new FakeClock(DateTimeOffset.UtcNow)).TryClaimAsync(TaskId, Payment, 0, CancellationToken.None));

        Assert.Equal((0, 1), (reads.Count, writes.Count));
    }

    static async Task<DateTime?> ClaimAsync(TestDatabase database, FakeClock clock)
    {
        await using var db = ProviderOptions.CreateContext(database.Provider, database.ConnectionString);
        return await Claims(db, clock).TryClaimAsync(TaskId, Payment, 0, CancellationToken.None);
    }

    static PaymentClaims Claims(OrchestratorDbContext db, TimeProvider clock) =>
        new(db, Scopes, Microsoft.Extensions.Options.Options.Create(new RecoveryOptions()), clock);

    static readonly IServiceScopeFactory Scopes = new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>();

    static async Task<TestDatabase> CreateWithOnePurchaseAsync(DatabaseProvider provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        await using var db = ProviderOptions.CreateContext(provider, database.ConnectionString);
        await DatabaseMigrator.MigrateAsync(db, CancellationToken.None);
        var task = ResearchTaskState.Accept(TaskId, "theme", 50, "voice", "owner", DateTime.UtcNow);
        task.CurrentState = TaskStates.Paying;
        task.PaymentToken = "token";
        task.Purchases.Add(new ResearchTaskPurchase
        {
            TaskId = TaskId,
            ItemId = ItemId,
            Title = "t",
            Company = "c",
            Price = 10,
            IdempotencyKey = $"{TaskId}-{ItemId}",
            Status = PurchaseStatus.Paying,
        });
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
