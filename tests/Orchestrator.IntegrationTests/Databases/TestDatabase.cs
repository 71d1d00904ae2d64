using Microsoft.Data.Sqlite;
using Npgsql;

namespace Orchestrator.IntegrationTests.Databases;

/// <summary>
/// A database of its own for one test class: a SQLite file in a temporary folder, or a fresh database on the
/// PostgreSQL server named by <c>ORCHESTRATOR_TEST_POSTGRES</c> (the test command starts one), dropped afterwards.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "ORCHESTRATOR_TEST_POSTGRES";

    readonly Func<ValueTask> _drop;

    TestDatabase(DatabaseProvider provider, string connectionString, Func<ValueTask> drop)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _drop = drop;
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }

    public static string? PostgresServer => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } server ? server : null;

    public static Task<TestDatabase> CreateAsync(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Postgres => CreatePostgresAsync(),
        DatabaseProvider.Sqlite => Task.FromResult(CreateSqlite()),
        _ => throw new NotSupportedException($"No {provider} server runs in these tests."),
    };

    static TestDatabase CreateSqlite()
    {
        var folder = Directory.CreateTempSubdirectory("orchestrator-tests-").FullName;
        return new TestDatabase(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(folder, "orchestrator.db")}", () =>
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
            return ValueTask.CompletedTask;
        });
    }

    static async Task<TestDatabase> CreatePostgresAsync()
    {
        var server = PostgresServer ?? throw new InvalidOperationException($"{PostgresVariable} is not set.");
        var name = $"orchestrator_test_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        return new TestDatabase(DatabaseProvider.Postgres, connectionString, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
            // FORCE ends the test's own sessions, but not an autovacuum worker busy in the database (a test that wrote
            // thousands of rows): the test role may not signal it, and the drop fails until the worker is done.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await drop.ExecuteNonQueryAsync();
                    return;
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 30)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1));
                }
            }
        });
    }

    public ValueTask DisposeAsync() => _drop();
}
