using System.Runtime.CompilerServices;

namespace Orchestrator.Workflow.Admission;

/// <summary>
/// Starts recorded tasks by sending them <see cref="TaskAccepted"/> while fewer than
/// <see cref="AdmissionOptions.MaxConcurrentTasks"/> tasks are in a working state, taking owners in turn: an owner's
/// oldest waiting task comes after one of every other owner with fewer tasks working, so one owner's thousands of
/// queued tasks never keep another owner's one from the next free slot (<see cref="InTurnAsync"/>). Both figures are
/// read from the database, so the bound holds over all hosts: two hosts that admit at the same instant may each fill
/// the same free slots, and the workflows then run over the bound by at most one round's batch per extra host, until
/// enough of them end (they mostly pick the same tasks, whose second <see cref="TaskAccepted"/> the saga ignores).
/// The ids sent are remembered until they leave <c>Submitted</c>, so that they are not sent again and count as
/// working meanwhile; one still <c>Submitted</c> after <see cref="AdmissionOptions.AdmissionResendAfter"/> is sent
/// again (its message was lost). Tasks past the workflow timeout are left to the sweep, which fails them.
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

    readonly Dictionary<Guid, DateTime> _sent = [];
    readonly SemaphoreSlim _oneRound = new(1, 1);

    /// <summary>The states in which a task holds a slot: every state of the machine but Submitted, AwaitingApproval and the final ones.</summary>
    public IReadOnlyList<string> WorkingStates { get; } = [.. machine.States
        .Select(state => state.Name)
        .Where(name => name != machine.Initial.Name && name != machine.Final.Name && name != TaskStates.Submitted && !ResearchTaskState.IsFinal(name))
        // A plan waiting for a person holds no slot: it may wait a day.
        .Where(name => name != machine.AwaitingApproval.Name)];

    /// <summary>One round: starts as many waiting tasks, owners in turn, as there are free slots; returns how many.</summary>
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
        var tasks = db.UntrackedTasks;
        // Which of the ids sent are still waiting is read before the working ones are counted, so a task that starts
        // in between is counted twice (a slot left free for a round), never missed (one too many).
        var sent = _sent.Keys.ToList();
        var sentWaiting = sent.Count == 0
            ? []
            : (await tasks.Where(t => sent.Contains(t.CorrelationId) && t.CurrentState == TaskStates.Submitted).Select(t => t.CorrelationId).ToListAsync(cancellationToken)).ToHashSet();
        foreach (var (taskId, sentAt) in _sent.ToList())
            if (!sentWaiting.Contains(taskId) || now - sentAt >= options.Value.AdmissionResendAfter)
                _sent.Remove(taskId);

        // A task that only waits to settle a payment before it stops (cancelled or past its deadline) holds no slot.
        var working = await tasks.CountAsync(t => WorkingStates.Contains(t.CurrentState) && t.StopRequested == null, cancellationToken);
        var free = limit - working;
        if (free <= 0)
            return 0;

        var next = await InTurnAsync(db, notExpired, limit, cancellationToken);
        var admitted = next.Where(t => !_sent.ContainsKey(t.TaskId)).Take(Math.Max(0, free - _sent.Count)).ToList();
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

    /// <summary>
    /// The first <paramref name="count"/> waiting tasks in the order they take the free slots, round robin over their
    /// owners: a task's turn is its place among its owner's waiting tasks (oldest first) plus the owner's tasks
    /// already working; lower turns go first, then older tasks. So every owner with something waiting gets one slot
    /// before any owner gets a second one, whatever they queued, and the order holds from one round to the next (a
    /// turn counts what an owner runs, not what it was sent in an earlier round). The ranking is one query over the
    /// waiting tasks (a window per owner) on every provider.
    /// </summary>
    async Task<List<Waiting>> InTurnAsync(OrchestratorDbContext db, DateTime notExpired, int count, CancellationToken cancellationToken)
    {
        // Parameters only: the states are the machine's names, the date the workflow timeout's.
        var working = string.Join(", ", WorkingStates.Select((_, i) => "{" + (i + 2) + "}"));
        var sql = FormattableStringFactory.Create(
            $$"""
            SELECT w.task_id, w.trace_id, w.created_at,
                   ROW_NUMBER() OVER (PARTITION BY w.owner_id ORDER BY w.created_at, w.task_id) + COALESCE(r.working, 0) AS turn
            FROM research_tasks w
            LEFT JOIN (SELECT owner_id, COUNT(*) AS working FROM research_tasks WHERE current_state IN ({{working}}) GROUP BY owner_id) r
                ON r.owner_id = w.owner_id
            WHERE w.current_state = {0} AND w.created_at >= {1}
            """,
            [TaskStates.Submitted, notExpired, .. WorkingStates]);
        return await db.Database.SqlQuery<InTurn>(sql)
            .OrderBy(t => t.Turn).ThenBy(t => t.CreatedAt).ThenBy(t => t.TaskId)
            .Take(count)
            .Select(t => new Waiting(t.TaskId, t.TraceId))
            .ToListAsync(cancellationToken);
    }

    public void Dispose() => _oneRound.Dispose();

    sealed record Waiting(Guid TaskId, string? TraceId);

    /// <summary>A row of <see cref="InTurnAsync"/>'s query (snake_case columns, as every table's).</summary>
    sealed record InTurn(Guid TaskId, string? TraceId, DateTime CreatedAt, long Turn);

    [LoggerMessage(LogLevel.Debug, "Started {Count} waiting tasks ({Working} of {Limit} slots taken)")]
    partial void LogAdmitted(int count, int working, int limit);
}
