using System.Globalization;
using Orchestrator.IntegrationTests.Api.Spending;
using Orchestrator.IntegrationTests.Workflow;
using Xunit.Abstractions;

namespace Orchestrator.IntegrationTests.Sagas.ResearchTasks;

/// <summary>
/// <c>Spending:DailyLimitPerOwner</c> in the distributed mode (PostgreSQL, RabbitMQ, two Workers): twenty tasks of one
/// owner, whose budgets together are many times the limit, plan and pay at the same moment while one Worker is killed
/// with SIGKILL mid-payments and another started. The money the marketplace took never passes the limit, what the
/// plans left out is Skipped naming the limit, and the owner's day (<c>owner_spending_days</c>, and
/// <c>GET /spending</c>) holds nothing once every task ended and counts exactly what the marketplace charged.
/// </summary>
public sealed class DailyLimitRaceTests(ITestOutputHelper output) : IAsyncLifetime
{
    const long Limit = 150;
    const int Tasks = 20;
    static readonly string[] Themes = ["Tesla Inc financial performance 2023", "AI market trends in healthcare", "Blockchain adoption in finance"];

    readonly DistributedService _service = new(new DistributedLayout
    {
        Workers = 2,
        // Each payment takes long enough for the tasks' payments to overlap, and for the kill to land among them.
        SimulatorLatency = TimeSpan.FromMilliseconds(300),
        Settings = new Dictionary<string, string>
        {
            ["Spending__DailyLimitPerOwner"] = Limit.ToString(CultureInfo.InvariantCulture),
            ["Recovery__DeferralDelay"] = "00:00:01",
            ["Recovery__StallAfter"] = "00:00:05",
            ["Recovery__SweepInterval"] = "00:00:01",
            ["Recovery__PaymentLease"] = "00:00:05",
        },
    });

    public Task InitializeAsync() => _service.InitializeAsync();

    public Task DisposeAsync() => _service.DisposeAsync();

    [Fact]
    public async Task Twenty_tasks_of_one_owner_at_once_never_spend_more_than_the_daily_limit_across_a_worker_crash()
    {
        var budgets = Enumerable.Range(0, Tasks).Select(i => 35 + i % 10).ToList();
        // What the budgets alone would let the tasks spend: a limit that did not hold would show.
        Assert.True(budgets.Sum() > 5 * Limit);
        var taskIds = await Task.WhenAll(budgets.Select((budget, i) =>
            _service.Api.SubmitAsync(new { theme = Themes[i % Themes.Length], budget, voice_id = $"race_{i}" })));

        var ledger = _service.Simulators.Ledger;
        await ledger.WaitForChargesAsync(1);
        await _service.WorkerProcesses[0].KillAsync();
        var chargesAtKill = ledger.Charges.Count;
        await _service.LaunchWorker().WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

        var tasks = new List<JsonNode>();
        foreach (var taskId in taskIds)
            tasks.Add(await _service.Api.WaitUntilFinishedAsync(taskId, TimeSpan.FromSeconds(180)));

        var charges = taskIds.SelectMany(ledger.ChargesOf).ToList();
        var charged = charges.Sum(c => c.Amount);
        Assert.True(charged <= Limit, $"the marketplace took {charged} of the owner's tasks, above the daily limit of {Limit}");
        Assert.True(charged > 0, "nothing was bought");
        Assert.True(charges.Count > chargesAtKill, $"the Worker was killed after the last payment ({chargesAtKill} charges)");
        Assert.Equal(charges.Count, charges.Select(c => c.IdempotencyKey).Distinct().Count());
        Assert.All(tasks.Zip(taskIds), t => Assert.Equal(ledger.ChargesOf(t.Second).Sum(c => c.Amount), t.First["spent"]!.GetValue<long>()));
        Assert.True(tasks.Sum(t => t["spent"]!.GetValue<long>()) <= Limit);

        var skipped = tasks.SelectMany(t => t.PlanItems("Skipped")).ToList();
        output.WriteLine($"{charged} charged in {charges.Count} charges ({chargesAtKill} before the kill); {skipped.Count} items skipped; {tasks.Count(t => t["spent"]!.GetValue<long>() > 0)} tasks bought");
        Assert.Contains(skipped, item => item["reason"]?.GetValue<string>().Contains($"daily limit of {Limit}", StringComparison.Ordinal) == true);

        // The run may cross midnight (UTC): every day of the owner's is counted.
        var days = await _service.QueryAsync("SELECT day, held, spent FROM owner_spending_days WHERE owner_id = @owner", ("owner", "anonymous"));
        Assert.NotEmpty(days);
        Assert.All(days, day => Assert.Equal(0L, day[1]));
        Assert.All(days, day => Assert.True((long)day[2]! <= Limit, $"{day[0]}: {day[2]} spent"));
        Assert.Equal(charged, days.Sum(day => (long)day[2]!));

        var spending = JsonNode.Parse(await _service.Api.Client.GetStringAsync("/spending"))!;
        var today = DateOnly.Parse(spending["day"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var row = days.SingleOrDefault(day => DateOnly.FromDateTime((DateTime)day[0]!) == today);
        var spentToday = (long?)row?[2] ?? 0;
        Assert.Equal(Limit, spending["limit"]!.GetValue<long>());
        Assert.Equal(0, spending["held"]!.GetValue<long>());
        Assert.Equal(spentToday, spending["spent"]!.GetValue<long>());
        Assert.Equal(Limit - spentToday, spending["remaining"]!.GetValue<long>());
    }
}
