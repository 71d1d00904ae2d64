using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Orchestrator.Api.Tasks;

/// <summary>
/// Records new tasks, those submitted together in one transaction: a request adds its task to the queue, and a
/// request that gets a writer's turn writes everything queued, up to <see cref="MostPerTransaction"/> tasks a
/// transaction, while the others wait for its commit. On SQLite there is one turn (the file has one writer anyway),
/// so a burst of submissions takes one of the file's writer turns instead of one each; a server database takes
/// <see cref="ServerWriters"/> at once, each transaction one commit (one flush) for all it holds. No answer is given
/// before the task's commit, so nothing answered is ever lost. When a transaction fails (an idempotency key that
/// raced in twice), each of its tasks is written again alone, and only the one that fails alone reports the failure.
/// </summary>
public sealed class TaskRecorder(IServiceScopeFactory scopes, IOptions<DatabaseOptions> database) : IDisposable
{
    public const int MostPerTransaction = 64;

    /// <summary>Transactions of new tasks at once on PostgreSQL or SQL Server.</summary>
    public const int ServerWriters = 8;

    readonly ConcurrentQueue<Pending> _queue = new();
    readonly SemaphoreSlim _writer = database.Value.Provider == DatabaseProvider.Sqlite ? new(1, 1) : new(ServerWriters, ServerWriters);

    /// <summary>Returns once the task is committed; throws what its write threw (a <see cref="DbUpdateException"/>).</summary>
    public async Task RecordAsync(ResearchTaskState task)
    {
        var pending = new Pending(task);
        _queue.Enqueue(pending);
        // Not cancellable: once queued, the task is written, whether or not its request still waits for the answer.
        await _writer.WaitAsync(CancellationToken.None);
        try
        {
            while (!pending.Done.Task.IsCompleted && await WriteNextAsync())
            {
            }
        }
        finally
        {
            _writer.Release();
        }

        await pending.Done.Task;
    }

    List<Pending> TakeBatch()
    {
        var batch = new List<Pending>();
        while (batch.Count < MostPerTransaction && _queue.TryDequeue(out var next))
            batch.Add(next);
        return batch;
    }

    /// <summary>
    /// Writes what waits, taken once the transaction began: on SQLite that is once the file's writer is ours, so
    /// what arrived meanwhile goes in the same transaction. False when nothing waited.
    /// </summary>
    async Task<bool> WriteNextAsync()
    {
        // Another writer (a server database has several) took what waited, this request's task with it.
        if (_queue.IsEmpty)
            return false;
        List<Pending> batch = [];
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
            // On SQLite the transaction begins first, to take the file's writer, ahead of the queued workflow steps:
            // requests wait for this commit, nobody waits for those (they still get every other turn). A server
            // database's connection retries (EnableRetryOnFailure), which refuses a transaction of ours: SaveChanges
            // there writes the batch in one transaction of its own, retried as a whole.
            await using var transaction = db.Database.CreateExecutionStrategy().RetriesOnFailure
                ? null
                : await BeginAheadAsync(db);
            batch = TakeBatch();
            if (batch.Count == 0)
                return false;
            db.ResearchTasks.AddRange(batch.Select(p => p.Task));
            await db.SaveChangesAsync(CancellationToken.None);
            if (transaction is not null)
                await transaction.CommitAsync(CancellationToken.None);
            batch.ForEach(p => p.Done.TrySetResult());
        }
        catch (Exception e)
        {
            if (batch.Count == 0)
            {
                // The transaction could not begin (the database is down): what waits fails with it.
                batch = TakeBatch();
                batch.ForEach(p => p.Done.TrySetException(e));
                return batch.Count > 0;
            }

            foreach (var pending in batch)
                await WriteAloneAsync(pending);
        }

        return true;
    }

    static async Task<IDbContextTransaction> BeginAheadAsync(OrchestratorDbContext db)
    {
        using (WriterTurns.Ahead())
            return await db.Database.BeginTransactionAsync(CancellationToken.None);
    }

    async Task WriteAloneAsync(Pending pending)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
            db.ResearchTasks.Add(pending.Task);
            await db.SaveChangesAsync(CancellationToken.None);
            pending.Done.TrySetResult();
        }
        catch (Exception e)
        {
            pending.Done.TrySetException(e);
        }
    }

    public void Dispose() => _writer.Dispose();

    sealed record Pending(ResearchTaskState Task)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
