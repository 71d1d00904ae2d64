using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Orchestrator.Tests.Sagas.Persistence;

/// <summary>The SQLite writer queue and connection settings, through contexts as the hosts configure them.</summary>
public sealed class SqliteTuningTests : IDisposable
{
    readonly string _file = Path.Combine(Path.GetTempPath(), $"orchestrator-tuning-{Guid.NewGuid():N}.db");

    string ConnectionString => $"Data Source={_file}";

    [Fact]
    public async Task A_writer_that_waits_for_another_holds_no_open_connection_meanwhile()
    {
        await using var first = ProviderOptions.CreateContext(DatabaseProvider.Sqlite, ConnectionString);
        await using var second = ProviderOptions.CreateContext(DatabaseProvider.Sqlite, ConnectionString);
        var holding = await first.Database.BeginTransactionAsync();

        var waiting = second.Database.BeginTransactionAsync();
        await Task.Delay(300);

        Assert.False(waiting.IsCompleted);
        Assert.Equal(ConnectionState.Closed, second.Database.GetDbConnection().State);

        await holding.CommitAsync();
        await holding.DisposeAsync();
        await using var started = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ConnectionState.Open, second.Database.GetDbConnection().State);
        Assert.Equal(1L, await ScalarAsync(second.Database.GetDbConnection(), "PRAGMA synchronous", started.GetDbTransaction()));
    }

    [Fact]
    public async Task A_write_outside_a_transaction_waits_its_turn_instead_of_failing_on_the_writers_lock()
    {
        // Microsoft.Data.Sqlite gives up on a locked file after the command timeout: 1 s here.
        var connectionString = $"{ConnectionString};Default Timeout=1";
        await using var first = ProviderOptions.CreateContext(DatabaseProvider.Sqlite, connectionString);
        await using var second = ProviderOptions.CreateContext(DatabaseProvider.Sqlite, connectionString);
        await second.Database.ExecuteSqlRawAsync("CREATE TABLE counters (n INTEGER NOT NULL); INSERT INTO counters VALUES (0);");
        var holding = await first.Database.BeginTransactionAsync();
        await first.Database.ExecuteSqlRawAsync("UPDATE counters SET n = n + 1");

        var waiting = second.Database.ExecuteSqlRawAsync("UPDATE counters SET n = n + 10");
        await Task.Delay(1500);

        Assert.False(waiting.IsCompleted);
        await holding.CommitAsync();
        await holding.DisposeAsync();
        Assert.Equal(1, await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(11L, await ScalarAsync(second.Database.GetDbConnection(), "SELECT n FROM counters", openFirst: true));
    }

    [Fact]
    public async Task A_transaction_begun_ahead_takes_the_next_turn_before_the_queued_ones()
    {
        await using var holder = ProviderOptions.CreateContext(DatabaseProvider.Sqlite, ConnectionString);
        var holding = await holder.Database.BeginTransactionAsync();
        var contexts = Enumerable.Range(0, 3).Select(_ => ProviderOptions.CreateContext(DatabaseProvider.Sqlite, ConnectionString)).ToList();
        var order = new List<string>();
        var queued = contexts.Take(2).Select((db, i) => TakeTurnAsync(db, $"queued {i}", order)).ToList();
        await Task.Delay(200);
        Task ahead;
        using (WriterTurns.Ahead())
            ahead = TakeTurnAsync(contexts[2], "ahead", order);
        await Task.Delay(200);

        await holding.CommitAsync();
        await holding.DisposeAsync();
        await Task.WhenAll(queued.Append(ahead)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["ahead", "queued 0", "queued 1"], order);
        foreach (var db in contexts)
            await db.DisposeAsync();
    }

    static async Task TakeTurnAsync(OrchestratorDbContext db, string name, List<string> order)
    {
        await using var transaction = await db.Database.BeginTransactionAsync();
        lock (order)
            order.Add(name);
        await transaction.CommitAsync();
    }

    [Fact]
    public async Task Synchronous_normal_is_set_once_per_physical_connection_not_on_every_open()
    {
        await using var db = ProviderOptions.CreateContext(DatabaseProvider.Sqlite, ConnectionString);
        var connection = db.Database.GetDbConnection();

        await db.Database.OpenConnectionAsync();
        Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA synchronous"));
        // Changed behind the tuning's back: a logical open of the same pooled handle must not set it again.
        await ScalarAsync(connection, "PRAGMA synchronous=FULL");
        await db.Database.CloseConnectionAsync();

        await db.Database.OpenConnectionAsync();
        Assert.Equal(2L, await ScalarAsync(connection, "PRAGMA synchronous"));
        await db.Database.CloseConnectionAsync();

        // A new physical connection gets it.
        SqliteConnection.ClearPool((SqliteConnection)connection);
        await db.Database.OpenConnectionAsync();
        Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA synchronous"));
        await db.Database.CloseConnectionAsync();
    }

    static async Task<object?> ScalarAsync(DbConnection connection, string sql, DbTransaction? transaction = null, bool openFirst = false)
    {
        if (openFirst)
            await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return await command.ExecuteScalarAsync();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_file);
    }
}
