using Microsoft.EntityFrameworkCore;

namespace Orchestrator.Tests.Sagas.ResearchTasks;

/// <summary>
/// <c>Spending:DailyLimitPerOwner</c>: an owner's tasks never spend more in one UTC day, also when many plan at once; a
/// plan is cut to what the day has left, naming the limit, and an ended task gives back what it held and did not spend.
/// </summary>
public sealed class DailyLimitTests : IAsyncLifetime
{
    const long Limit = 25;

    readonly WorkflowHarness _harness = new(new Dictionary<string, string?>
    {
        ["Spending:DailyLimitPerOwner"] = $"{Limit}",
        ["Purchases:ReuseFor"] = "00:00:00",
    });

    public Task InitializeAsync() => _harness.InitializeAsync();

    public Task DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task A_plan_is_cut_to_what_the_day_has_left_and_the_day_keeps_only_what_was_spent()
    {
        var first = await _harness.WaitForAsync(await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 100, ownerId: "alice"), m => m.Completed);

        Assert.InRange(first.Spent, 1, Limit);
        var cut = first.Purchases.Where(p => p.Status == PurchaseStatus.Skipped).ToList();
        Assert.NotEmpty(cut);
        Assert.All(cut, p => Assert.Contains($"daily limit of {Limit}", p.SkipReason, StringComparison.Ordinal));
        var day = await DayAsync(first.OwnerId);
        Assert.Equal((0, first.Spent), (day.Held, day.Spent));

        var second = await _harness.WaitForAsync(await _harness.SubmitAsync("Tesla Inc financial performance 2023", budget: 100, ownerId: "alice"), m => m.Completed);

        Assert.True(first.Spent + second.Spent <= Limit, $"spent {first.Spent} + {second.Spent} in a day limited to {Limit}");
        Assert.Equal(first.Spent + second.Spent, _harness.Simulators.Ledger.Charges.Sum(c => c.Amount));
        Assert.Equal((0, first.Spent + second.Spent), ((await DayAsync(first.OwnerId)).Held, (await DayAsync(first.OwnerId)).Spent));
    }

    [Fact]
    public async Task Tasks_planning_at_the_same_moment_together_stay_within_the_limit()
    {
        _harness.Simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(30);
        var taskIds = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            _harness.SubmitAsync("AI market trends in healthcare", budget: 30, ownerId: "bob", waitUntilStarted: false)));

        var tasks = await Task.WhenAll(taskIds.Select(id => _harness.WaitForAsync(id, m => m.Completed)));

        var spent = tasks.Sum(t => t.Spent);
        Assert.InRange(spent, 1, Limit);
        Assert.Equal(spent, _harness.Simulators.Ledger.Charges.Sum(c => c.Amount));
        Assert.Contains(tasks, t => t.Purchases.Exists(p => p.Status == PurchaseStatus.Skipped && p.SkipReason!.Contains("daily limit", StringComparison.Ordinal)));
        Assert.True(tasks.Sum(t => t.Budget) > 3 * Limit);
        var day = await DayAsync(tasks[0].OwnerId);
        Assert.Equal((0, spent), (day.Held, day.Spent));
    }

    async Task<OwnerSpendingDay> DayAsync(string ownerId)
    {
        await using var scope = _harness.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        return await db.Set<OwnerSpendingDay>().AsNoTracking().SingleAsync(d => d.OwnerId == ownerId);
    }
}
