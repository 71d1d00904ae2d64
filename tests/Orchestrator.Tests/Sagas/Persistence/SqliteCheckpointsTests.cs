using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Orchestrator.Tests.Sagas.Persistence;

/// <summary>The write-ahead log copied into the database file in the background, before a commit has to.</summary>
public sealed class SqliteCheckpointsTests : IDisposable
{
    // Far below the 1,000 pages at which SQLite checkpoints inside a commit.
    const int Rows = 50;
    const int RowBytes = 4000;

    readonly string _file = Path.Combine(Path.GetTempPath(), $"orchestrator-checkpoints-{Guid.NewGuid():N}.db");
    SqliteConnection? _writer;

    string ConnectionString => $"Data Source={_file};Pooling=False";

    [Fact]
    public async Task What_was_committed_reaches_the_database_file_without_a_commit_checkpointing()
    {
        await WriteAsync();
        var checkpoints = new SqliteCheckpoints(ConnectionString, new DatabaseSchema(migrateOnStart: false), NullLogger<SqliteCheckpoints>.Instance);
        await checkpoints.StartAsync(CancellationToken.None);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (new FileInfo(_file).Length < Rows * RowBytes && DateTime.UtcNow < deadline)
                await Task.Delay(50);

            Assert.True(new FileInfo(_file).Length >= Rows * RowBytes, $"the database file has {new FileInfo(_file).Length} bytes");
        }
        finally
        {
            await checkpoints.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Without_them_what_was_committed_stays_in_the_log()
    {
        await WriteAsync();
        await Task.Delay(SqliteCheckpoints.Interval * 10);

        Assert.True(new FileInfo(_file).Length < Rows * RowBytes, $"the database file has {new FileInfo(_file).Length} bytes");
    }

    /// <summary>Rows committed one by one in WAL mode, on a connection kept open (its close would checkpoint).</summary>
    async Task WriteAsync()
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        _writer = connection;
        await using var setup = connection.CreateCommand();
        setup.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE blobs (b BLOB NOT NULL);";
        await setup.ExecuteNonQueryAsync();
        for (var i = 0; i < Rows; i++)
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO blobs VALUES (zeroblob($n))";
            insert.Parameters.AddWithValue("$n", RowBytes);
            await insert.ExecuteNonQueryAsync();
        }
    }

    public void Dispose()
    {
        _writer?.Dispose();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(_file + suffix);
    }
}
