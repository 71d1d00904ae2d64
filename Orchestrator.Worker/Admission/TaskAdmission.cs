using Orchestrator.Worker.Hosting;

namespace Orchestrator.Worker.Admission;

/// <summary>
/// Starts recorded tasks, oldest first (by creation, then id), by sending them <see cref="TaskAccepted"/> while
/// fewer than <see cref="AdmissionOptions.MaxConcurrentTasks"/> tasks are in a working state. Both figures are read
/// from the database, so the bound holds over all hosts: two hosts that admit at the same instant may each fill the
/// same free slots, and the workflows then run over the bound by at most one round's batch per extra host, until
/// enough of them end (they mostly pick the same oldest tasks, whose second <see cref="TaskAccepted"/> the saga
/// ignores). The ids sent are remembered until they leave <c>Submitted</c>, so that they are not sent again and
/// count as working meanwhile; one still <c>Submitted</c> after <see cref="AdmissionOptions.AdmissionResendAfter"/>
/// is sent again (its message was lost). Tasks past the workflow timeout are left to the sweep, which fails them.
/// </summary>
public sealed partial class TaskAdmission(
    IServiceScopeFactory scopes,
    IBus bus,
    ResearchTaskStateMachine machine,
    IOptions<AdmissionOptions> options,
    IOptions<WorkflowOptions> workflow,
    TimeProvider clock,
    ILogger<TaskAdmission> logger) : IDisposable
{
    static readonly string Submitted = nameof(ResearchTaskStateMachine.Submitted);

    readonly Dictionary<Guid, DateTime> _sent = [];
    readonly SemaphoreSlim _oneRound = new(1, 1);

    /// <summary>The states in which a task holds a slot: every state of the machine but Submitted and the final ones.</summary>
    public IReadOnlyList<string> WorkingStates { get; } = [.. machine.States
        .Select(state => state.Name)
        .Where(name => name != machine.Initial.Name && name != machine.Final.Name && name != Submitted && !ResearchTaskState.IsFinal(name))];

    /// <summary>One round: starts as many of the oldest waiting tasks as there are free slots; returns how many.</summary>
    public async Task<int> AdmitAsync(CancellationToken cancellationToken)
    {
        await _oneRound.WaitAsync(cancellationToken);
        try
        {
            return await AdmitOnceAsync(cancellationToken);
        }
        finally
        {
            _oneRound.Release();
        }
    }

    async Task<int> AdmitOnceAsync(CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxConcurrentTasks;
        var now = clock.GetUtcNow().UtcDateTime;
        var notExpired = now - TimeSpan.FromSeconds(workflow.Value.WorkflowTimeout);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        var tasks = db.ResearchTasks.AsNoTracking().IgnoreAutoIncludes();
        // The ids sent and still waiting are among the oldest (they were the oldest when sent): reading as many
        // as could hold a slot tells which of them left Submitted. Read before the working ones are counted, so a
        // task that starts in between is counted twice (a slot left free for a round), never missed (one too many).
        var oldest = await tasks
            .Where(t => t.CurrentState == Submitted && t.CreatedAt >= notExpired)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.CorrelationId)
            .Select(t => new Waiting(t.CorrelationId, t.TraceId))
            .Take(limit)
            .ToListAsync(cancellationToken);
        // A task that only waits to settle a payment before it stops (cancelled or past its deadline) holds no slot.
        var working = await tasks.CountAsync(t => WorkingStates.Contains(t.CurrentState) && t.StopRequested == null, cancellationToken);
        var free = limit - working;
        if (free <= 0)
            return 0;

        var waiting = oldest.Select(t => t.TaskId).ToHashSet();
        foreach (var (taskId, sentAt) in _sent.ToList())
            if (!waiting.Contains(taskId) || now - sentAt >= options.Value.AdmissionResendAfter)
                _sent.Remove(taskId);

        var admitted = oldest.Where(t => !_sent.ContainsKey(t.TaskId)).Take(Math.Max(0, free - _sent.Count)).ToList();
        foreach (var task in admitted)
        {
            using (TaskTrace.Continue(task.TraceId))
                await bus.Publish(new TaskAccepted(task.TaskId), cancellationToken);
            _sent[task.TaskId] = now;
        }

        if (admitted.Count > 0)
            LogAdmitted(admitted.Count, working + _sent.Count, limit);
        return admitted.Count;
    }

    public void Dispose() => _oneRound.Dispose();

    sealed record Waiting(Guid TaskId, string? TraceId);

    [LoggerMessage(LogLevel.Debug, "Started {Count} waiting tasks ({Working} of {Limit} slots taken)")]
    partial void LogAdmitted(int count, int working, int limit);
}
