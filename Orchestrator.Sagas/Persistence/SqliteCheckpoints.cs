using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Sagas.Persistence;

/// <summary>
/// Copies SQLite's write-ahead log into the database file in the background: a passive checkpoint every
/// <see cref="Interval"/>, on a connection of its own. Otherwise SQLite does it inside the commit that takes the log
/// past 1,000 pages, while that commit still holds the writer's turn (<see cref="SqliteTuning"/>), and every writer
/// queued behind it waited: POST /tasks at 1,000/s while workflows ran had a p99 of 56-71 ms, 31 with this. A passive
/// checkpoint takes no writer's lock; SQLite's own checkpoint stays on, the bound if this one falls behind.
/// </summary>
public sealed partial class SqliteCheckpoints(string connectionString, DatabaseSchema schema, ILogger<SqliteCheckpoints> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await schema.Ready.WaitAsync(stoppingToken);
        await using var connection = new SqliteConnection(connectionString);
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (connection.State != ConnectionState.Open)
                    await connection.OpenAsync(stoppingToken);
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                await command.ExecuteNonQueryAsync(stoppingToken);
            }
            catch (SqliteException e)
            {
                // The next commit past 1,000 pages checkpoints anyway; the next tick tries again.
                LogCheckpointFailed(logger, e);
            }
        }
    }

    [LoggerMessage(LogLevel.Debug, "A background checkpoint of the SQLite log failed")]
    static partial void LogCheckpointFailed(ILogger logger, Exception exception);
}
