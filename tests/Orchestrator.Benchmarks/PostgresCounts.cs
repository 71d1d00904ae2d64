using Npgsql;

namespace Orchestrator.Benchmarks;

/// <summary>
/// PostgreSQL's own count of a phase's transactions, to cross-check <c>orchestrator.db.transactions</c>: the
/// transaction ids assigned in the cluster (PostgreSQL gives one only to a transaction that writes; the benchmark's
/// cluster serves nothing else) and <c>pg_stat_database.xact_commit</c> of the service's database (every commit,
/// reads outside a transaction included).
/// </summary>
sealed record PostgresCounts(long Xids, long XactCommit)
{
    public static async Task<PostgresCounts> ReadAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // The statistics are sent by each backend at intervals: flush this view's snapshot to read the latest.
        await using var command = new NpgsqlCommand(
            "SELECT pg_stat_clear_snapshot(); SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint, " +
            "(SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();
        return new PostgresCounts(reader.GetInt64(0), reader.GetInt64(1));
    }

    public static PostgresCounts operator -(PostgresCounts after, PostgresCounts before) =>
        new(after.Xids - before.Xids, after.XactCommit - before.XactCommit);
}
