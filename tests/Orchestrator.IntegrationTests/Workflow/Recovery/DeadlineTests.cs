namespace Orchestrator.IntegrationTests.Workflow.Recovery;

/// <summary>
/// A task's deadline (<c>WORKFLOW_TIMEOUT</c> after its creation) fires on time, not at the next stalled-task sweep
/// (30 s by default): a marketplace that never answers in time ends the task within 2 s of its deadline, also when
/// the process died and was started again meanwhile.
/// </summary>
public sealed class DeadlineTests : IAsyncLifetime
{
    const int TimeoutSeconds = 8;
    static readonly TimeSpan Lateness = TimeSpan.FromSeconds(2);

    readonly EmbeddedApi _embedded = new();

    public async Task InitializeAsync()
    {
        await _embedded.InitializeAsync();
        // Every marketplace answer takes longer than the task may live.
        _embedded.Simulators.Behaviour.Latency = TimeSpan.FromSeconds(60);
    }

    public Task DisposeAsync() => _embedded.DisposeAsync();

    [Fact]
    public async Task A_task_whose_marketplace_never_answers_fails_within_2_s_of_its_deadline()
    {
        await using var api = await StartApiAsync();
        var taskId = await api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 50, voice_id = "user_voice_123" });

        var task = await api.WaitUntilFinishedAsync(taskId, TimeSpan.FromSeconds(40));

        AssertFailedOnTime(task, readyAt: DateTimeOffset.MinValue);
    }

    [Fact]
    public async Task A_deadline_fires_on_time_after_a_restart()
    {
        string taskId;
        await using (var doomed = await StartApiAsync())
        {
            taskId = await doomed.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 50, voice_id = "user_voice_123" });
            await Task.Delay(TimeSpan.FromSeconds(1));
            await doomed.KillAsync();
        }

        await using var next = await StartApiAsync();
        var readyAt = DateTimeOffset.UtcNow;
        var task = await next.WaitUntilFinishedAsync(taskId, TimeSpan.FromSeconds(40));

        // A restart slower than the deadline fires it as soon as the new process looks, at most 2 s after it is up.
        AssertFailedOnTime(task, readyAt);
    }

    static void AssertFailedOnTime(JsonNode task, DateTimeOffset readyAt)
    {
        Assert.Equal("Failed", task["status"]!.GetValue<string>());
        Assert.Contains("WORKFLOW_TIMEOUT", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var deadline = task["created_at"]!.GetValue<DateTimeOffset>() + TimeSpan.FromSeconds(TimeoutSeconds);
        var ended = task["updated_at"]!.GetValue<DateTimeOffset>();
        var due = deadline > readyAt ? deadline : readyAt;
        Assert.True(ended >= deadline, $"ended at {ended:O}, before its deadline {deadline:O}");
        Assert.True(ended - due <= Lateness, $"ended {(ended - due).TotalSeconds:F1} s after it was due ({due:O})");
    }

    Task<HostProcess> StartApiAsync() => _embedded.StartAsync(new Dictionary<string, string>
    {
        ["WORKFLOW_TIMEOUT"] = TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["HTTP_TIMEOUT"] = "120",
    });
}
