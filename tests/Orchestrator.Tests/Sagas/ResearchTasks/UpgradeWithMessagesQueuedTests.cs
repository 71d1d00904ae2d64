using MassTransit;

namespace Orchestrator.Tests.Sagas.ResearchTasks;

/// <summary>A message the previous version sent, still queued when this one starts, neither breaks nor loses a task.</summary>
public sealed class UpgradeWithMessagesQueuedTests : IAsyncLifetime
{
    readonly WorkflowHarness _harness = new();

    public Task InitializeAsync() => _harness.InitializeAsync();

    public Task DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task A_fetch_answer_without_items_counts_as_fetching_nothing_and_the_fetch_is_sent_again()
    {
        _harness.Simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(300);
        var taskId = await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 20);
        await _harness.WaitForAsync(taskId, m => m.Retrying);

        // The previous version called the list "reads": deserialized by this one, "items" is missing.
        await _harness.Bus.Bus.Publish(new ItemsDataFetched(taskId, null!));
        var task = await _harness.WaitForAsync(taskId, m => m.Completed);
        await _harness.Bus.InactivityTask;

        Assert.Equal(2, _harness.Bus.Published.Select<FetchItemsData>().Count(f => f.Context.Message.TaskId == taskId));
        Assert.False(_harness.Bus.Published.Select<Fault<ItemsDataFetched>>().Any());
        Assert.All(task.Purchases.Where(p => p.Status != PurchaseStatus.NotChosen), p => Assert.Equal(PurchaseStatus.Fetched, p.Status));
    }
}
