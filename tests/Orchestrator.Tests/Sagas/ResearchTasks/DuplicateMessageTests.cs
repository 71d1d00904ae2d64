namespace Orchestrator.Tests.Sagas.ResearchTasks;

/// <summary>A message delivered twice, at any step, changes nothing twice.</summary>
public sealed class DuplicateMessageTests : IAsyncLifetime
{
    const string Theme = "Tesla Inc financial performance 2023";
    readonly WorkflowHarness _harness = new();

    public Task InitializeAsync() => _harness.InitializeAsync();

    public Task DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task Every_reply_of_a_completed_task_delivered_again_leaves_it_as_it_was()
    {
        var taskId = await _harness.SubmitAsync(Theme, budget: 50);
        var before = await _harness.WaitForAsync(taskId, m => m.Completed);
        var audit = (await _harness.AuditAsync(taskId)).Count;

        await RepublishRepliesAsync(taskId);
        // The last reply delivered again has been handled (and ignored) by the saga: the task is read afresh after it.
        await _harness.WaitUntilSagaConsumedAsync<ReportWritten>(m => m.TaskId == taskId, times: 2);
        var after = (await _harness.LoadAsync(taskId))!;

        Assert.Equal("Completed", after.CurrentState);
        Assert.Equal(before.Spent, after.Spent);
        Assert.Equal(before.Transitions.Count, after.Transitions.Count);
        Assert.Equal(before.ReportMarkdown, after.ReportMarkdown);
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(audit, (await _harness.AuditAsync(taskId)).Count);
        Assert.Equal(after.Spent, _harness.Simulators.Ledger.Charges.Sum(c => c.Amount));
    }

    [Fact]
    public async Task A_payment_command_delivered_twice_charges_once()
    {
        _harness.Simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(100);
        var taskId = await _harness.SubmitAsync(Theme, budget: 50);
        await _harness.WaitForPublishedAsync<PayForItems>(p => p.TaskId == taskId);
        var first = _harness.Bus.Published.Select<PayForItems>().First(p => p.Context.Message.TaskId == taskId).Context.Message;

        await _harness.Bus.Bus.Publish(first);

        var task = await _harness.WaitForAsync(taskId, m => m.Completed);
        await _harness.Bus.InactivityTask;
        var charges = _harness.Simulators.Ledger.Charges;
        Assert.All(first.Payments, payment => Assert.Single(charges, c => c.IdempotencyKey == payment.IdempotencyKey));
        Assert.Equal(charges.Sum(c => c.Amount), task.Spent);
        Assert.Equal(task.Purchases.Count(p => p.Status == PurchaseStatus.Fetched), charges.Count);
    }

    async Task RepublishRepliesAsync(Guid taskId)
    {
        await RepublishAsync<SourcesDiscovered>(m => m.TaskId == taskId);
        await RepublishAsync<PaymentTokenIssued>(m => m.TaskId == taskId);
        await RepublishAsync<ItemPaymentsMade>(m => m.TaskId == taskId);
        await RepublishAsync<ItemsDataFetched>(m => m.TaskId == taskId);
        await RepublishAsync<ReportWritten>(m => m.TaskId == taskId);
    }

    async Task RepublishAsync<T>(Func<T, bool> filter)
        where T : class
    {
        var sent = _harness.Bus.Published.Select<T>().Select(m => m.Context.Message).Where(filter).ToList();
        Assert.NotEmpty(sent);
        foreach (var message in sent)
            await _harness.Bus.Bus.Publish(message);
    }
}
