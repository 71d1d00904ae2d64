using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Orchestrator.Tests.Sagas.Persistence;

/// <summary>
/// <c>orchestrator.db.transactions</c>: one per committed write, whatever way EF Core wrote it; none for reads.
/// <c>orchestrator.db.commands</c>: each query a read, each command of inserts, updates or deletes a write, schema changes neither.
/// </summary>
public sealed class DatabaseCounterTests : IDisposable
{
    readonly string _file = Path.Combine(Path.GetTempPath(), $"orchestrator-counter-{Guid.NewGuid():N}.db");
    readonly CountedMeasurements _transactions = new(DatabaseMetrics.TransactionsName);

    [Fact]
    public async Task Each_committed_write_counts_once_and_reads_and_rollbacks_not_at_all()
    {
        await using var db = ProviderOptions.CreateContext(DatabaseProvider.Sqlite, $"Data Source={_file}");
        await db.Database.EnsureCreatedAsync();
        _transactions.CountThisFlow();

        db.ResearchTasks.Add(NewTask());
        await db.SaveChangesAsync();
        Assert.Equal(1, Counted());

        var withPlan = NewTask();
        withPlan.Purchases.Add(new ResearchTaskPurchase { ItemId = 1, Title = "a", Company = "c", IdempotencyKey = "k1" });
        withPlan.Purchases.Add(new ResearchTaskPurchase { ItemId = 2, Title = "b", Company = "c", IdempotencyKey = "k2" });
        db.ResearchTasks.Add(withPlan);
        await db.SaveChangesAsync();
        Assert.Equal(2, Counted());

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            withPlan.Spent = 1;
            await db.SaveChangesAsync();
            withPlan.Spent = 2;
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        Assert.Equal(3, Counted());

        await db.ResearchTasks.Where(t => t.CorrelationId == withPlan.CorrelationId).ExecuteUpdateAsync(t => t.SetProperty(x => x.Spent, 3L));
        Assert.Equal(4, Counted());

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            withPlan.Spent = 4;
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        _ = await db.ResearchTasks.AsNoTracking().CountAsync();
        Assert.Equal(4, Counted());
    }

    [Fact]
    public async Task Each_command_counts_once_as_a_read_or_a_write()
    {
        await using var db = ProviderOptions.CreateContext(DatabaseProvider.Sqlite, $"Data Source={_file}");
        await db.Database.EnsureCreatedAsync();
        using var reads = new CountedMeasurements(DatabaseMetrics.CommandsName, "read");
        using var writes = new CountedMeasurements(DatabaseMetrics.CommandsName, "write");
        reads.CountThisFlow();
        writes.CountThisFlow();

        var task = NewTask();
        task.Purchases.Add(new ResearchTaskPurchase { ItemId = 1, Title = "a", Company = "c", IdempotencyKey = "k1" });
        db.ResearchTasks.Add(task);
        await db.SaveChangesAsync();
        // Two rows, one command: SQLite's writes go in batches (SqliteBatchedWrites).
        Assert.Equal((0, 1), (reads.Count, writes.Count));

        _ = await db.UntrackedTasks.CountAsync();
        _ = await db.ResearchTasks.AsNoTracking().FirstAsync(t => t.CorrelationId == task.CorrelationId);
        await db.ResearchTasks.Where(t => t.CorrelationId == task.CorrelationId).ExecuteUpdateAsync(t => t.SetProperty(x => x.Spent, 3L));
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE scratch (n INTEGER)");

        Assert.Equal((2, 2), (reads.Count, writes.Count));
    }

    [Fact]
    public async Task A_save_of_many_rows_goes_in_commands_of_a_few_statements()
    {
        await using var db = ProviderOptions.CreateContext(DatabaseProvider.Sqlite, $"Data Source={_file}");
        await db.Database.EnsureCreatedAsync();
        using var writes = new CountedMeasurements(DatabaseMetrics.CommandsName, "write");
        writes.CountThisFlow();

        // 9 tasks: 9 statements, in commands of at most SqliteBatchedWrites.MaxStatements (binding grows with its square).
        db.ResearchTasks.AddRange(Enumerable.Range(0, 9).Select(_ => NewTask()));
        await db.SaveChangesAsync();

        Assert.Equal(3, writes.Count);
    }

    long Counted() => _transactions.Count;

    static ResearchTaskState NewTask() => new()
    {
        CorrelationId = Guid.NewGuid(),
        CurrentState = "Submitted",
        Theme = "Solar",
        OwnerId = "owner",
        Budget = 10,
        CreatedAt = DateTime.UtcNow,
        UpdatedAt = DateTime.UtcNow,
    };

    public void Dispose()
    {
        _transactions.Dispose();
        SqliteConnection.ClearAllPools();
        File.Delete(_file);
    }
}
