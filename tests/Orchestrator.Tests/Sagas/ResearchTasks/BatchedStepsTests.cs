namespace Orchestrator.Tests.Sagas.ResearchTasks;

/// <summary>One payment step pays the whole plan and one fetching step fetches it back, whatever the plan's size.</summary>
public sealed class BatchedStepsTests : IAsyncLifetime
{
    const string Theme = "Tesla Inc financial performance 2023";
    readonly WorkflowHarness _harness = new();

    public Task InitializeAsync() => _harness.InitializeAsync();

    public Task DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task A_task_costs_the_same_workflow_messages_whatever_it_buys()
    {
        var small = await _harness.SubmitAsync(Theme, budget: 8);
        var large = await _harness.SubmitAsync(Theme, budget: 50);
        var one = await _harness.WaitForAsync(small, m => m.Completed);
        var many = await _harness.WaitForAsync(large, m => m.Completed);
        await _harness.Bus.InactivityTask;

        Assert.Equal(1, one.Purchases.Count(p => p.Status == PurchaseStatus.Fetched));
        Assert.True(many.Purchases.Count(p => p.Status == PurchaseStatus.Fetched) >= 3);
        var (smallCount, largeCount) = (WorkflowMessagesOf(small), WorkflowMessagesOf(large));
        Assert.Equal(smallCount, largeCount);
        Assert.InRange(largeCount.Count, 1, 12);
    }

    [Fact]
    public async Task A_payment_refused_in_the_middle_of_the_plan_fails_the_task_once_the_rest_is_settled()
    {
        _harness.Simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(150);
        var taskId = await _harness.SubmitAsync(Theme, budget: 50);
        await _harness.WaitForPublishedAsync<PayForItems>(p => p.TaskId == taskId);
        var order = _harness.Bus.Published.Select<PayForItems>().First(p => p.Context.Message.TaskId == taskId).Context.Message;
        Assert.True(order.Payments.Count >= 3, $"{order.Payments.Count} payments ordered");
        _harness.Simulators.Behaviour.RefusedPayments = new HashSet<int> { order.Payments[1].ItemId };

        var task = await _harness.WaitForAsync(taskId, m => m.Failed);

        Assert.Equal(ErrorTypes.PaymentError, task.ErrorType);
        Assert.Contains("409", task.ErrorMessage, StringComparison.Ordinal);
        var charges = _harness.Simulators.Ledger.Charges;
        Assert.Equal([order.Payments[0].IdempotencyKey], charges.Select(c => c.IdempotencyKey));
        Assert.Equal(charges.Sum(c => c.Amount), task.Spent);
        Assert.False(task.PaymentInFlight);
        var audit = await _harness.AuditAsync(taskId);
        Assert.Contains(audit, e => e.Action == AuditActions.PaymentRefused && e.ItemId == order.Payments[1].ItemId);
        Assert.Contains(audit, e => e.Action == AuditActions.ItemFetched && e.ItemId == order.Payments[2].ItemId && e.Outcome == "unpaid (402)");
    }

    [Fact]
    public async Task Only_a_watched_task_publishes_its_state_changes()
    {
        var unwatched = await _harness.SubmitAsync(Theme, budget: 20);
        var watched = Guid.NewGuid();
        _harness.Watched.Watch(new TasksWatched([watched], TimeSpan.FromMinutes(1)));
        await _harness.Bus.Bus.Publish(new TaskSubmitted(watched, Theme, 20, "test_voice", DateTimeOffset.UtcNow));

        await _harness.WaitForAsync(unwatched, m => m.Completed);
        var task = await _harness.WaitForAsync(watched, m => m.Completed);
        await _harness.Bus.InactivityTask;

        var told = _harness.Bus.Published.Select<TaskProgressed>().Select(m => m.Context.Message).ToList();
        Assert.DoesNotContain(told, m => m.TaskId == unwatched);
        Assert.Equal(task.Transitions.Skip(1).Select(t => t.ToState), told.Where(m => m.TaskId == watched).Select(m => m.ToState));
    }

    /// <summary>How many messages of each type the workflow of <paramref name="taskId"/> sent; progress notices left out.</summary>
    List<string> WorkflowMessagesOf(Guid taskId)
    {
        bool OfTask(object message) => message.GetType().GetProperty("TaskId")?.GetValue(message) is Guid id && id == taskId;

        return [.. _harness.Bus.Published.Select(_ => true).Select(m => m.MessageObject)
            .Concat(_harness.Bus.Sent.Select(_ => true).Select(m => m.MessageObject))
            .Where(m => m is not TaskProgressed && OfTask(m))
            .Select(m => m.GetType().Name)
            .Order(StringComparer.Ordinal)];
    }
}
