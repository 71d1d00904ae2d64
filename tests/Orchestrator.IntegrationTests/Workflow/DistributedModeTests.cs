using System.Text.Json;

namespace Orchestrator.IntegrationTests.Workflow;

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
            Assert.InRange(task["spent"]!.GetValue<long>(), 0, task["budget"]!.GetValue<long>());
        }

        var rows = await service.QueryAsync(
            "SELECT task_id, count(*) OVER (PARTITION BY task_id), current_state, spent, budget FROM research_tasks WHERE task_id = ANY(@ids)",
            ("ids", ids));
        Assert.Equal(ids.Length, rows.Count);
        Assert.All(rows, row =>
        {
            Assert.Equal(1L, row[1]);
            Assert.Equal("Completed", row[2]);
            Assert.True((long)row[3]! <= (long)row[4]!);
        });
        var spentByTask = rows.Sum(row => (long)row[3]!);
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
    public async Task An_unreadable_message_is_dropped_without_an_error_queue_copy_and_the_workers_keep_going()
    {
        await service.PublishWithPikaAsync(["this is not json", """{"theme": "no id", "budget": 5, "voiceId": "unreadable_secret_voice"}"""]);

        var next = await service.Api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 30, voice_id = "after_errors" });
        Assert.Equal("Completed", (await service.Api.WaitUntilFinishedAsync(next, TimeSpan.FromSeconds(60)))["status"]!.GetValue<string>());
        Assert.Equal(0u, await service.Broker.MessageCountAsync("task-submitted_error"));
        Assert.Contains(service.WorkerProcesses, worker => worker.Output.Contains("without a taskId was dropped", StringComparison.Ordinal));
        Assert.All(service.WorkerProcesses, worker => Assert.DoesNotContain("unreadable_secret_voice", worker.Output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_message_the_service_sends_and_no_error_queue_carries_a_voice_id_or_a_payment_token()
    {
        await service.Broker.DrainAsync(DistributedService.Tap);
        var (httpVoice, busVoice, refusedVoice) = ($"http_secret_{Guid.NewGuid():N}", $"bus_secret_{Guid.NewGuid():N}", $"refused_secret_{Guid.NewGuid():N}");
        var busTask = Guid.NewGuid();

        var httpTask = await service.Api.SubmitAsync(new { theme = Themes[0], budget = 40, voice_id = httpVoice });
        await service.PublishWithPikaAsync([
            JsonSerializer.Serialize(new { taskId = busTask, theme = Themes[1], budget = 40, voiceId = busVoice, ownerId = "python" }),
            JsonSerializer.Serialize(new { taskId = Guid.NewGuid(), theme = "", budget = 40, voiceId = refusedVoice }),
        ]);
        foreach (var id in new[] { httpTask, busTask.ToString() })
            Assert.Equal("Completed", (await service.Api.WaitUntilFinishedAsync(id, TimeSpan.FromSeconds(60)))["status"]!.GetValue<string>());

        var tokens = service.Simulators.Ledger.Charges
            .Where(c => c.IdempotencyKey is { } key && (key.StartsWith(Guid.Parse(httpTask).ToString("N"), StringComparison.Ordinal) || key.StartsWith(busTask.ToString("N"), StringComparison.Ordinal)))
            .Select(c => c.TokenId).Distinct().ToList();
        Assert.Equal(2, tokens.Count);
        var messages = await service.Broker.DrainAsync(DistributedService.Tap);
        var sentByService = messages.Where(m => m.RoutingKey != "publish.Orchestrator.Contracts:TaskSubmitted").ToList();
        Assert.Contains(sentByService, m => m.RoutingKey.Contains("PayForItem", StringComparison.Ordinal));
        Assert.Contains(sentByService, m => m.RoutingKey.Contains("PaymentTokenIssued", StringComparison.Ordinal));
        foreach (var secret in tokens.Append(httpVoice).Append(busVoice).Append(refusedVoice))
            Assert.DoesNotContain(sentByService, m => m.Body.Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Body.Contains(httpVoice, StringComparison.Ordinal));
        foreach (var queue in new[] { "task-submitted_error", "research-task-state_error", "request-payment-token_error", "pay-for-item_error", "fetch-item-data_error" })
            Assert.Equal(0u, await service.Broker.MessageCountAsync(queue));
    }
}
