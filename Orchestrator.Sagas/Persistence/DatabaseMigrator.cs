using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Sagas.Persistence;

/// <summary>
/// Applies pending migrations before the bus starts taking messages. A database that is down (or a SQLite file
/// locked by another process) does not stop the host: the first attempt is made during start, as before, and when
/// it fails the migration is tried again in the background, with backoff, until it succeeds; meanwhile the host
/// answers <c>/health</c> but is not ready, and the bus waits (<see cref="DatabaseSchema"/>).
/// </summary>
public sealed partial class DatabaseMigrator(IServiceScopeFactory scopes, DatabaseSchema schema, ILogger<DatabaseMigrator> logger)
    : IHostedService, IDisposable
{
    static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(15);

    readonly CancellationTokenSource _stopping = new();
    Task? _retrying;
    bool _disposed;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await TryMigrateAsync(attempt: 1, cancellationToken))
            return;
        _retrying = RetryAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host may be stopped after its services were disposed (a test host's factory does so).
        if (_disposed)
            return;
        await _stopping.CancelAsync();
        if (_retrying is not null)
            await _retrying.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public void Dispose()
    {
        _disposed = true;
        _stopping.Dispose();
    }

    async Task RetryAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 2; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (await TryMigrateAsync(attempt, stoppingToken))
                return;
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }

    async Task<bool> TryMigrateAsync(int attempt, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
            await MigrateAsync(db, cancellationToken);
            schema.MarkReady();
            LogMigrated(logger, db.Database.ProviderName);
            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogMigrationFailed(logger, e, attempt);
            return false;
        }
    }

    public static async Task MigrateAsync(OrchestratorDbContext db, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await db.Database.MigrateAsync(cancellationToken);
            if (db.Database.IsSqlite())
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        });
    }

    [LoggerMessage(LogLevel.Information, "Database schema is up to date ({Provider})")]
    static partial void LogMigrated(ILogger logger, string? provider);

    [LoggerMessage(LogLevel.Warning, "Migrating the database failed (attempt {Attempt}); trying again in the background")]
    static partial void LogMigrationFailed(ILogger logger, Exception exception, int attempt);
}

/// <summary>
/// Whether the schema this host works on is in place: at once when the host does not migrate on start, else once
/// <see cref="DatabaseMigrator"/> has applied the migrations. The bus starts, and the host is ready, only then.
/// </summary>
public sealed class DatabaseSchema
{
    readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DatabaseSchema(bool migrateOnStart)
    {
        if (!migrateOnStart)
            MarkReady();
    }

    public Task Ready => _ready.Task;

    public bool IsReady => _ready.Task.IsCompleted;

    public void MarkReady() => _ready.TrySetResult();
}
