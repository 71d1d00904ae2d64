namespace Orchestrator.Tests.Sagas.ResearchTasks;

public sealed class BudgetAndCatalogTests : IAsyncLifetime
{
    readonly WorkflowHarness _harness = new();

    public Task InitializeAsync() => _harness.InitializeAsync();

    public Task DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task A_budget_that_buys_nothing_completes_with_a_report_that_says_so_and_pays_nothing()
    {
        var taskId = await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 1);

        var task = await _harness.WaitForAsync(taskId, m => m.Completed);

        Assert.Equal(0, task.Spent);
        Assert.Empty(_harness.Simulators.Ledger.Charges);
        Assert.All(task.Purchases, p => Assert.Equal(PurchaseStatus.OverBudget, p.Status));
        Assert.Contains("None of the", task.ReportMarkdown, StringComparison.Ordinal);
        Assert.DoesNotContain(task.Transitions, t => t.ToState is "AwaitingPayment" or "Paying");
    }

    [Fact]
    public async Task A_marketplace_without_catalog_falls_back_to_the_seed_item()
    {
        _harness.Simulators.Behaviour.CatalogEnabled = false;

        var taskId = await _harness.SubmitAsync("Blockchain adoption in finance", budget: 100);

        var task = await _harness.WaitForAsync(taskId, m => m.Completed);

        var purchase = Assert.Single(task.Purchases);
        Assert.Equal(1, purchase.ItemId);
        Assert.Equal(PurchaseStatus.Fetched, purchase.Status);
        Assert.Equal(purchase.Price, task.Spent);
        Assert.Equal(1, Assert.Single(_harness.Simulators.Ledger.Charges).ItemId);
    }
}
