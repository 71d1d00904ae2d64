using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Api.Security;
using Orchestrator.Api.Spending;

namespace Orchestrator.Tests.Sagas.ResearchTasks;

/// <summary>
/// A plan above <c>Approval:Threshold</c> waits for a person before any token is asked for or anything is paid;
/// a decision is taken once, and a decision and the timeout race so that exactly one wins.
/// </summary>
public sealed class PlanAwaitingApprovalTests : IAsyncLifetime
{
    const string Theme = "Tesla Inc financial performance 2023";
    static readonly Caller Alice = new("alice", IsAdmin: false);

    readonly WorkflowHarness _harness = new(new Dictionary<string, string?>
    {
        ["Approval:Threshold"] = "5",
        ["Approval:Timeout"] = "00:00:06",
    });

    public Task InitializeAsync() => _harness.InitializeAsync();

    public Task DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task A_plan_above_the_threshold_waits_without_a_token_or_a_payment_until_approved()
    {
        var taskId = await _harness.SubmitAsync(Theme, budget: 50);

        var waiting = await _harness.WaitForAsync(taskId, m => m.AwaitingApproval);
        await Task.Delay(300);

        Assert.Equal(5, waiting.ApprovalThreshold);
        Assert.True(waiting.PlannedTotal > 5);
        Assert.Equal(0, _harness.Simulators.Behaviour.RequestsTo("/token"));
        Assert.Empty(_harness.Simulators.Ledger.Charges);
        Assert.Equal(TaskStates.AwaitingApproval, (await _harness.LoadAsync(taskId))!.CurrentState);

        Assert.True(await DecideAsync(taskId, ApprovalDecision.Approved));
        var done = await _harness.WaitForAsync(taskId, m => m.Completed);

        Assert.Equal(waiting.PlannedTotal, done.Spent);
        Assert.Equal(done.Spent, _harness.Simulators.Ledger.Charges.Sum(c => c.Amount));
        // The Payment Manager's token is worth the plan, not the budget of 50.
        Assert.Equal(waiting.PlannedTotal, Assert.Single(_harness.Simulators.Ledger.TokenBudgets).Value);
        var audit = await _harness.AuditAsync(taskId);
        var approved = Assert.Single(audit, e => e.Action == AuditActions.Approved);
        Assert.Equal("alice", approved.Actor);
        Assert.True(audit.FindIndex(e => e.Action == AuditActions.ApprovalRequested) < audit.FindIndex(e => e.Action == AuditActions.PaymentAttempted));
        Assert.False(await DecideAsync(taskId, ApprovalDecision.Approved));
        Assert.False(await DecideAsync(taskId, ApprovalDecision.Rejected));
    }

    [Fact]
    public async Task A_rejected_plan_ends_cancelled_saying_who_rejected_it_and_pays_nothing()
    {
        var taskId = await _harness.SubmitAsync(Theme, budget: 50);
        await _harness.WaitForAsync(taskId, m => m.AwaitingApproval);

        Assert.True(await DecideAsync(taskId, ApprovalDecision.Rejected));
        var task = await _harness.WaitForAsync(taskId, m => m.Cancelled);

        Assert.Contains("rejected by alice", task.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(0, task.Spent);
        Assert.Empty(_harness.Simulators.Ledger.Charges);
        Assert.Contains(await _harness.AuditAsync(taskId), e => e.Action == AuditActions.Rejected && e.Actor == "alice");
        Assert.False(await DecideAsync(taskId, ApprovalDecision.Approved));
    }

    [Fact]
    public async Task Nobody_deciding_in_time_cancels_the_task_but_an_early_reminder_does_not()
    {
        var taskId = await _harness.SubmitAsync(Theme, budget: 50);
        var waiting = await _harness.WaitForAsync(taskId, m => m.AwaitingApproval);

        await _harness.Bus.Bus.Publish(new TaskApprovalExpired(taskId));
        await _harness.WaitUntilSagaConsumedAsync<TaskApprovalExpired>(m => m.TaskId == taskId);
        Assert.Equal(TaskStates.AwaitingApproval, (await _harness.LoadAsync(taskId))!.CurrentState);

        await Task.Delay(waiting.ApprovalExpiresAt!.Value - DateTime.UtcNow + TimeSpan.FromMilliseconds(50));
        await _harness.Bus.Bus.Publish(new TaskApprovalExpired(taskId));
        var task = await _harness.WaitForAsync(taskId, m => m.Cancelled);

        Assert.Equal("approval timed out", task.ErrorMessage);
        Assert.Empty(_harness.Simulators.Ledger.Charges);
        Assert.Contains(await _harness.AuditAsync(taskId), e => e.Action == AuditActions.ApprovalTimedOut);
        Assert.False(await DecideAsync(taskId, ApprovalDecision.Approved));
    }

    [Fact]
    public async Task A_decision_recorded_before_the_expiry_wins_over_a_timeout_handled_after_it_and_a_late_one_loses()
    {
        var taskId = await _harness.SubmitAsync(Theme, budget: 50);
        var waiting = await _harness.WaitForAsync(taskId, m => m.AwaitingApproval);

        // Recorded in time, but its message is lost; the sweep's timeout comes once the expiry has passed.
        await using (var scope = _harness.CreateScope())
        {
            var approvals = new TaskApprovals(
                scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>(), new SilentPublisher(), TimeProvider.System, NullLogger<TaskApprovals>.Instance);
            Assert.True(await approvals.DecideAsync(taskId, ApprovalDecision.Approved, Alice, CancellationToken.None));
        }

        await Task.Delay(waiting.ApprovalExpiresAt!.Value - DateTime.UtcNow + TimeSpan.FromMilliseconds(50));
        Assert.False(await DecideAsync(taskId, ApprovalDecision.Rejected));
        await _harness.Bus.Bus.Publish(new TaskApprovalExpired(taskId));
        await _harness.WaitUntilSagaConsumedAsync<TaskApprovalExpired>(m => m.TaskId == taskId);
        Assert.Equal(TaskStates.AwaitingApproval, (await _harness.LoadAsync(taskId))!.CurrentState);

        // The sweep tells the saga of the decision whose message was lost.
        await _harness.Bus.Bus.Publish(new TaskApprovalDecided(taskId));
        var task = await _harness.WaitForAsync(taskId, m => m.Completed);

        var audit = await _harness.AuditAsync(taskId);
        Assert.Contains(audit, e => e.Action == AuditActions.Approved);
        Assert.DoesNotContain(audit, e => e.Action is AuditActions.ApprovalTimedOut or AuditActions.Rejected);
        Assert.True(task.Spent > 0);
    }

    async Task<bool> DecideAsync(Guid taskId, ApprovalDecision decision)
    {
        await using var scope = _harness.CreateScope();
        var approvals = new TaskApprovals(
            scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>(), _harness.Bus.Bus, TimeProvider.System, NullLogger<TaskApprovals>.Instance);
        return await approvals.DecideAsync(taskId, decision, Alice, CancellationToken.None);
    }

    /// <summary>A publisher whose messages are lost.</summary>
    sealed class SilentPublisher : IPublishEndpoint
    {
        public ConnectHandle ConnectPublishObserver(IPublishObserver observer) => throw new NotSupportedException();

        public Task Publish<T>(T message, CancellationToken cancellationToken = default)
            where T : class => Task.CompletedTask;

        public Task Publish<T>(T message, IPipe<PublishContext<T>> publishPipe, CancellationToken cancellationToken = default)
            where T : class => Task.CompletedTask;

        public Task Publish<T>(T message, IPipe<PublishContext> publishPipe, CancellationToken cancellationToken = default)
            where T : class => Task.CompletedTask;

        public Task Publish(object message, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task Publish(object message, IPipe<PublishContext> publishPipe, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task Publish(object message, Type messageType, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task Publish(object message, Type messageType, IPipe<PublishContext> publishPipe, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task Publish<T>(object values, CancellationToken cancellationToken = default)
            where T : class => Task.CompletedTask;

        public Task Publish<T>(object values, IPipe<PublishContext<T>> publishPipe, CancellationToken cancellationToken = default)
            where T : class => Task.CompletedTask;

        public Task Publish<T>(object values, IPipe<PublishContext> publishPipe, CancellationToken cancellationToken = default)
            where T : class => Task.CompletedTask;
    }
}
