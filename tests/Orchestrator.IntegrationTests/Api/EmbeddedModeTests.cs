namespace Orchestrator.IntegrationTests.Api;

/// <summary>
/// The embedded mode as users meet it: the real program over real HTTP, its SQLite file kept between runs.
/// The simulators run in the test so that their ledger outlives the program.
/// </summary>
public sealed class EmbeddedModeTests : IAsyncLifetime
{
    readonly EmbeddedApi _embedded = new();

    SimulatorHost Simulators => _embedded.Simulators;

    public Task InitializeAsync() => _embedded.InitializeAsync();

    public Task DisposeAsync() => _embedded.DisposeAsync();

    [Fact]
    public async Task The_seeds_curl_example_completes_with_a_report_within_budget()
    {
        await using var api = await StartApiAsync();

        var taskId = await api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 50, voice_id = "user_voice_123" });
        var task = await api.WaitUntilFinishedAsync(taskId);

        Assert.Equal("Completed", task["status"]!.GetValue<string>());
        var spent = task["spent"]!.GetValue<int>();
        Assert.InRange(spent, 1, 50);
        Assert.Equal(spent, Simulators.Ledger.Charges.Sum(c => c.Amount));
        var report = await api.Client.GetStringAsync($"/tasks/{taskId}/report");
        Assert.StartsWith("# ", report, StringComparison.Ordinal);
        Assert.Contains("Tesla Inc financial performance 2023", report, StringComparison.Ordinal);
        Assert.DoesNotContain("user_voice_123", api.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("tok_", api.Output, StringComparison.Ordinal);
        var workflowLines = api.Output.Split('\n').Where(line => line.Contains(" -> ", StringComparison.Ordinal)).ToList();
        Assert.Contains(workflowLines, line => line.Contains("Reporting -> Completed", StringComparison.Ordinal));
        Assert.All(workflowLines, line => Assert.Contains(taskId, line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tasks_are_kept_across_a_restart_of_the_process()
    {
        string taskId;
        await using (var first = await StartApiAsync())
        {
            taskId = await first.SubmitAsync(new { theme = "Blockchain adoption in finance", budget = 30, voice_id = "v1" });
            await first.WaitUntilFinishedAsync(taskId);
        }

        await using var second = await StartApiAsync();
        var task = await second.GetTaskAsync(taskId);

        Assert.Equal("Completed", task["status"]!.GetValue<string>());
        using var report = await second.Client.GetAsync($"/tasks/{taskId}/report");
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
    }

    [Fact]
    public async Task A_kill_in_the_middle_of_the_batched_payment_step_is_resumed_by_the_next_process_without_a_second_charge()
    {
        Simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(400);
        string taskId;
        await using (var doomed = await StartApiAsync())
        {
            taskId = await doomed.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 50, voice_id = "v2" });
            await Simulators.Ledger.WaitForChargesAsync(1, TimeSpan.FromSeconds(20));
            await doomed.KillAsync();
        }

        var unfinished = Simulators.Ledger.Charges.Count;
        Simulators.Behaviour.Latency = TimeSpan.Zero;
        await using var next = await StartApiAsync();
        var task = await next.WaitUntilFinishedAsync(taskId);

        Assert.Equal("Completed", task["status"]!.GetValue<string>());
        var charges = Simulators.Ledger.Charges;
        Assert.InRange(unfinished, 1, charges.Count - 1);
        Assert.Equal(charges.Count, charges.Select(c => c.ItemId).Distinct().Count());
        Assert.Equal(charges.Count, charges.Select(c => c.IdempotencyKey).Distinct().Count());
        Assert.Equal(task["spent"]!.GetValue<int>(), charges.Sum(c => c.Amount));
        Assert.InRange(task["spent"]!.GetValue<int>(), 1, 50);
    }

    [Fact]
    public async Task A_task_past_WORKFLOW_TIMEOUT_fails_with_WorkflowError_even_when_its_process_died_meanwhile()
    {
        Simulators.Behaviour.Latency = TimeSpan.FromSeconds(1);
        string taskId;
        await using (var doomed = await StartApiAsync(workflowTimeoutSeconds: 3))
        {
            taskId = await doomed.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 50, voice_id = "v3" });
            await doomed.KillAsync();
        }

        await using var next = await StartApiAsync(workflowTimeoutSeconds: 3);
        var task = await next.WaitUntilFinishedAsync(taskId);

        Assert.Equal("Failed", task["status"]!.GetValue<string>());
        Assert.Equal("WorkflowError", task["error"]!["error"]!.GetValue<string>());
        Assert.Contains("WORKFLOW_TIMEOUT", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(task["spent"]!.GetValue<int>(), Simulators.Ledger.Charges.Sum(c => c.Amount));
    }

    [Fact]
    public async Task A_task_cancelled_while_it_pays_ends_Cancelled_with_spent_matching_the_ledger()
    {
        Simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(300);
        await using var api = await StartApiAsync();
        var taskId = await api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 50, voice_id = "v4" });
        await Simulators.Ledger.WaitForChargesAsync(1, TimeSpan.FromSeconds(20));

        using var cancel = await api.Client.PostAsync($"/tasks/{taskId}/cancel", null);
        var task = await api.WaitUntilFinishedAsync(taskId);
        var charges = Simulators.Ledger.Charges.Count;
        await Task.Delay(TimeSpan.FromSeconds(1));
        using var again = await api.Client.PostAsync($"/tasks/{taskId}/cancel", null);

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("Cancelled", task["status"]!.GetValue<string>());
        Assert.Equal(task["spent"]!.GetValue<int>(), Simulators.Ledger.Charges.Sum(c => c.Amount));
        Assert.Equal(charges, Simulators.Ledger.Charges.Count);
        Assert.InRange(charges, 1, 2);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    Task<HostProcess> StartApiAsync(int workflowTimeoutSeconds = 300) => _embedded.StartAsync(new Dictionary<string, string>
    {
        ["WORKFLOW_TIMEOUT"] = workflowTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Recovery__SweepInterval"] = "00:00:01",
        ["Recovery__StallAfter"] = "00:00:05",
    });
}
