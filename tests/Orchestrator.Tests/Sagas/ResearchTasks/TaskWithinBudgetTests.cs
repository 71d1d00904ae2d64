namespace Orchestrator.Tests.Sagas.ResearchTasks;

public sealed class TaskWithinBudgetTests : IAsyncLifetime
{
    readonly WorkflowHarness _harness = new();

    public Task InitializeAsync() => _harness.InitializeAsync();

    public Task DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task Completes_after_paying_for_each_planned_item_and_reading_it_with_the_token()
    {
        var taskId = await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 50);

        var task = await _harness.WaitForAsync(taskId, m => m.Completed);

        var bought = task.Purchases.Where(p => p.Status == PurchaseStatus.Fetched).ToList();
        Assert.NotEmpty(bought);
        Assert.All(bought, p => Assert.False(string.IsNullOrEmpty(p.Data)));
        Assert.Equal(bought.Sum(p => p.Price), task.Spent);
        Assert.Contains(bought, p => p.ItemId == 1);

        var charges = _harness.Simulators.Ledger.Charges;
        Assert.Equal(bought.Count, charges.Count);
        Assert.Equal(task.Spent, charges.Sum(c => c.Amount));
        Assert.Equal(
            bought.Select(p => p.IdempotencyKey).Order(),
            charges.Select(c => c.IdempotencyKey!).Order());
    }

    [Fact]
    public async Task Never_plans_or_spends_more_than_the_budget()
    {
        var taskId = await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 25);

        var task = await _harness.WaitForAsync(taskId, m => m.Completed);

        Assert.InRange(task.Spent, 1, 25);
        Assert.Contains(task.Purchases, p => p.Status is PurchaseStatus.OverBudget or PurchaseStatus.NotChosen);
        Assert.True(_harness.Simulators.Ledger.Charges.Sum(c => c.Amount) <= 25);
    }

    [Fact]
    public async Task Walks_through_every_working_state_in_order()
    {
        var taskId = await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 50);

        var task = await _harness.WaitForAsync(taskId, m => m.Completed);

        var path = task.Transitions.Select(t => t.ToState).ToList();
        Assert.Equal(["Submitted", "Discovering", "AwaitingPayment", "Paying", "Retrying"], path.Take(5));
        Assert.Equal(["Reporting", "Completed"], path.TakeLast(2));
        // One payment step pays the whole plan and one reading step reads it back, whatever the plan's size.
        Assert.True(task.Purchases.Count(p => p.Status == PurchaseStatus.Fetched) > 1);
        Assert.Equal(["Submitted", "Discovering", "AwaitingPayment", "Paying", "Retrying", "Reporting", "Completed"], path);
        Assert.Equal(path.SkipLast(1), task.Transitions.Skip(1).Select(t => t.FromState));
    }

    [Fact]
    public async Task Writes_a_report_with_the_theme_each_source_and_the_costs()
    {
        var taskId = await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 50);

        var task = await _harness.WaitForAsync(taskId, m => m.Completed);

        var report = task.ReportMarkdown!;
        Assert.StartsWith("# Research report: Tesla Inc financial performance 2023", report, StringComparison.Ordinal);
        Assert.Contains("## Executive summary", report, StringComparison.Ordinal);
        Assert.Contains("## Cost", report, StringComparison.Ordinal);
        foreach (var (purchase, number) in task.Purchases.Where(p => p.Status == PurchaseStatus.Fetched).OrderBy(p => p.PaidAt).Select((p, i) => (p, i + 1)))
            Assert.Contains($"| [{number}] | {purchase.Title} (item {purchase.ItemId}) | {purchase.Price} |", report, StringComparison.Ordinal);
        Assert.Contains($"Budget used: **{task.Spent}** of **50**", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forgets_the_voice_id_and_the_token_once_done()
    {
        var taskId = await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 50, voiceId: "secret_voice");

        var task = await _harness.WaitForAsync(taskId, m => m.Completed);

        Assert.Null(task.VoiceId);
        Assert.Null(task.PaymentToken);
    }

    [Fact]
    public async Task The_same_submission_twice_runs_one_workflow()
    {
        var taskId = Guid.NewGuid();
        var submitted = new Orchestrator.Contracts.TaskSubmitted(taskId, "Tesla Inc financial performance 2023", 50, "voice", DateTimeOffset.UtcNow);
        await _harness.Bus.Bus.Publish(submitted);
        await _harness.Bus.Bus.Publish(submitted);

        var task = await _harness.WaitForAsync(taskId, m => m.Completed);

        Assert.Equal(task.Spent, _harness.Simulators.Ledger.Charges.Sum(c => c.Amount));
        Assert.Equal(1, task.Transitions.Count(t => t.ToState == "Discovering"));
    }
}
