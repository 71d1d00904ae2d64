using System.Text.Json;

namespace Orchestrator.IntegrationTests.Worker;

/// <summary>
/// Separate Api and Workers on RabbitMQ and PostgreSQL; tasks submitted over HTTP and, as a Python client
/// would, straight onto the exchange as plain JSON.
/// </summary>
public sealed class DistributedModeTests(DistributedService service) : IClassFixture<DistributedService>
{
    static readonly string[] Themes =
        ["Tesla Inc financial performance 2023", "AI market trends in healthcare", "Blockchain adoption in finance", "Renewable energy investment", "Semiconductors foundry chips"];

    [Fact]
    public async Task Two_hundred_tasks_over_http_and_fifty_from_python_all_complete_within_budget_with_one_saga_row_each()
    {
        var random = new Random(4);
        var overHttp = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            service.Api.SubmitAsync(new { theme = Themes[i % Themes.Length], budget = random.Next(5, 60), voice_id = $"voice_{i}" })));
        var fromPython = Enumerable.Range(0, 50).Select(i => (Id: Guid.NewGuid(), Budget: 10 + i)).ToList();
        await service.PublishWithPikaAsync(fromPython.Select(t => JsonSerializer.Serialize(new
        {
            taskId = t.Id,
            theme = Themes[t.Budget % Themes.Length],
            budget = t.Budget,
            voiceId = "python_voice",
        })));

        var ids = overHttp.Select(Guid.Parse).Concat(fromPython.Select(t => t.Id)).ToArray();
        foreach (var id in ids)
        {
            var task = await service.Api.WaitUntilFinishedAsync(id.ToString(), TimeSpan.FromSeconds(120));
            Assert.Equal("Completed", task["status"]!.GetValue<string>());
            Assert.InRange(task["spent"]!.GetValue<int>(), 0, task["budget"]!.GetValue<int>());
        }

        var rows = await service.QueryAsync(
            "SELECT task_id, count(*) OVER (PARTITION BY task_id), current_state, spent, budget FROM research_tasks WHERE task_id = ANY(@ids)",
            ("ids", ids));
        Assert.Equal(ids.Length, rows.Count);
        Assert.All(rows, row =>
        {
            Assert.Equal(1L, row[1]);
            Assert.Equal("Completed", row[2]);
            Assert.True((int)row[3]! <= (int)row[4]!);
        });
        var spentByTask = rows.Sum(row => (int)row[3]!);
        Assert.True(spentByTask <= service.Simulators.Ledger.Charges.Sum(c => c.Amount));
    }

    [Fact]
    public async Task An_invalid_task_from_python_is_recorded_failed_with_the_reason()
    {
        var id = Guid.NewGuid();

        await service.PublishWithPikaAsync([JsonSerializer.Serialize(new { taskId = id, theme = "Tesla", budget = 0, voiceId = "v" })]);

        var task = await service.Api.WaitUntilFinishedAsync(id.ToString());
        Assert.Equal("Failed", task["status"]!.GetValue<string>());
        Assert.Equal("WorkflowError", task["error"]!["error"]!.GetValue<string>());
        Assert.Contains("Budget must be positive", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_message_lands_in_the_error_queue_with_the_reason_and_the_workers_keep_going()
    {
        await service.PublishWithPikaAsync(["this is not json", """{"theme": "no id", "budget": 5, "voiceId": "v"}"""]);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await service.Broker.MessageCountAsync("task-submitted_error") < 2 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        var first = await service.Broker.TakeAsync("task-submitted_error");
        var second = await service.Broker.TakeAsync("task-submitted_error");
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Contains(new[] { first, second }, m => m!.Value.Headers.GetValueOrDefault("MT-Fault-Message")?.Contains("taskId", StringComparison.Ordinal) == true);
        Assert.All(new[] { first, second }, m => Assert.False(string.IsNullOrEmpty(m!.Value.Headers.GetValueOrDefault("MT-Fault-Message"))));

        var next = await service.Api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 30, voice_id = "after_errors" });
        Assert.Equal("Completed", (await service.Api.WaitUntilFinishedAsync(next, TimeSpan.FromSeconds(60)))["status"]!.GetValue<string>());
    }
}
