using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;

namespace Orchestrator.Api.Tasks;

/// <summary>
/// Records new tasks, those submitted together in one transaction: a request adds its task to the queue, and one
/// request at a time writes everything queued, up to <see cref="MostPerTransaction"/> tasks a transaction, while the
/// others wait for its commit. On SQLite every write waits for the one writer, so a burst of submissions takes one
/// turn instead of one each; on PostgreSQL it is one commit (one flush) for them all. No answer is given before the
/// task's commit, so nothing answered is ever lost. When a transaction fails (an idempotency key that raced in
/// twice), each of its tasks is written again alone, and only the one that fails alone reports the failure.
/// </summary>
public sealed class TaskRecorder(IServiceScopeFactory scopes) : IDisposable
{
    public const int MostPerTransaction = 64;

    readonly ConcurrentQueue<Pending> _queue = new();
    readonly SemaphoreSlim _writer = new(1, 1);

    /// <summary>Returns once the task is committed; throws what its write threw (a <see cref="DbUpdateException"/>).</summary>
    public async Task RecordAsync(ResearchTaskState task)
    {
        var pending = new Pending(task);
        _queue.Enqueue(pending);
        // Not cancellable: once queued, the task is written, whether or not its request still waits for the answer.
        await _writer.WaitAsync(CancellationToken.None);
        try
        {
            while (!pending.Done.Task.IsCompleted && TakeBatch() is { Count: > 0 } batch)
                await WriteAsync(batch);
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

    async Task WriteAsync(List<Pending> batch)
    {
        try
        {
            await SaveAsync(batch);
            batch.ForEach(p => p.Done.TrySetResult());
        }
        catch (Exception) when (batch.Count > 1)
        {
            foreach (var pending in batch)
                await WriteAsync([pending]);
        }
        catch (Exception e)
        {
            batch.ForEach(p => p.Done.TrySetException(e));
        }
    }

    async Task SaveAsync(List<Pending> batch)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        db.ResearchTasks.AddRange(batch.Select(p => p.Task));
        await db.SaveChangesAsync(CancellationToken.None);
    }

    public void Dispose() => _writer.Dispose();

    sealed record Pending(ResearchTaskState Task)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
