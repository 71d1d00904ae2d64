using System.Globalization;

namespace Orchestrator.IntegrationTests.Api.Spending;

/// <summary>
/// A plan above <c>Approval:Threshold</c> waits for a person in the embedded program (SQLite, in-memory bus), and
/// the wait is durable: the process is killed while the task waits and started again, and the task still waits
/// with the same deadline; the decision then made, or the timeout, has its one effect, and a second decision 409.
/// Nothing is paid before approval, nothing at all after a rejection or a timeout.
/// </summary>
public sealed class ApprovalAcrossRestartsTests : IAsyncLifetime
{
    const string Theme = "Tesla Inc financial performance 2023";
    const int TimeoutSeconds = 8;
    static readonly TimeSpan Lateness = TimeSpan.FromSeconds(2);

    readonly EmbeddedApi _embedded = new();

    public Task InitializeAsync() => _embedded.InitializeAsync();

    public Task DisposeAsync() => _embedded.DisposeAsync();

    [Fact]
    public async Task A_plan_awaiting_approval_survives_a_restart_then_pays_once_approved()
    {
        string taskId;
        JsonNode waiting;
        await using (var doomed = await StartAsync(TimeSpan.FromMinutes(10)))
        {
            taskId = await doomed.SubmitAsync(new { theme = Theme, budget = 50, voice_id = "user_voice_123" });
            waiting = await doomed.Client.WaitForStatusAsync(taskId, "AwaitingApproval");
            await doomed.KillAsync();
        }

        var total = waiting["approval"]!["total"]!.GetValue<long>();
        var expiresAt = waiting["approval"]!["expires_at"]!.GetValue<DateTimeOffset>();
        Assert.True(total > 1, $"the plan costs {total}: not above the threshold");
        Assert.Equal(1, waiting["approval"]!["threshold"]!.GetValue<long>());
        Assert.Equal(total, waiting.PlanItems("Planned").Sum(p => p["price"]!.GetValue<long>()));
        Assert.Empty(_embedded.Simulators.Ledger.ChargesOf(taskId));

        await using var api = await StartAsync(TimeSpan.FromMinutes(10));
        // Longer than the sweeps' poll: nothing moves a task that waits for a person.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var restarted = await api.Client.GetTaskAsync(taskId);
        Assert.Equal("AwaitingApproval", restarted["status"]!.GetValue<string>());
        Assert.Equal(expiresAt, restarted["approval"]!["expires_at"]!.GetValue<DateTimeOffset>());
        Assert.Null(restarted["approval"]!["decision"]);
        Assert.Empty(_embedded.Simulators.Ledger.ChargesOf(taskId));

        Assert.Equal(HttpStatusCode.Accepted, await api.Client.DecideAsync(taskId, "approve"));
        var task = await api.WaitUntilFinishedAsync(taskId, TimeSpan.FromSeconds(60));

        Assert.Equal("Completed", task["status"]!.GetValue<string>());
        Assert.Equal("Approved", task["approval"]!["decision"]!.GetValue<string>());
        Assert.Equal("anonymous", task["approval"]!["decided_by"]!.GetValue<string>());
        var charges = _embedded.Simulators.Ledger.ChargesOf(taskId);
        Assert.Equal(total, charges.Sum(c => c.Amount));
        Assert.Equal(total, task["spent"]!.GetValue<long>());

        Assert.Equal(HttpStatusCode.Conflict, await api.Client.DecideAsync(taskId, "approve"));
        Assert.Equal(HttpStatusCode.Conflict, await api.Client.DecideAsync(taskId, "reject"));
        Assert.Equal(charges.Count, _embedded.Simulators.Ledger.ChargesOf(taskId).Count);

        var audit = await api.Client.AuditAsync(taskId);
        var requested = audit.FindIndex(e => e.Action == "approval_requested");
        var approved = audit.FindIndex(e => e.Action == "approved");
        var firstToken = audit.FindIndex(e => e.Action == "token_requested");
        Assert.True(requested >= 0 && approved > requested, string.Join(", ", audit));
        Assert.Equal("anonymous", audit[approved].Actor);
        Assert.True(firstToken > approved, $"a token was requested before the approval: {string.Join(", ", audit)}");
        Assert.Single(audit, e => e.Action is "approved" or "rejected" or "approval_timed_out");
    }

    [Fact]
    public async Task A_plan_nobody_decides_on_is_cancelled_within_2_s_of_its_expiry_across_a_restart()
    {
        string taskId;
        await using (var doomed = await StartAsync(TimeSpan.FromSeconds(TimeoutSeconds)))
        {
            taskId = await doomed.SubmitAsync(new { theme = Theme, budget = 50, voice_id = "user_voice_123" });
            await doomed.Client.WaitForStatusAsync(taskId, "AwaitingApproval");
            await doomed.KillAsync();
        }

        await using var api = await StartAsync(TimeSpan.FromSeconds(TimeoutSeconds));
        var readyAt = DateTimeOffset.UtcNow;
        var task = await api.WaitUntilFinishedAsync(taskId, TimeSpan.FromSeconds(40));

        Assert.Equal("Cancelled", task["status"]!.GetValue<string>());
        Assert.Equal("approval timed out", task["error"]!["message"]!.GetValue<string>());
        Assert.Null(task["approval"]!["decision"]);
        var expiresAt = task["approval"]!["expires_at"]!.GetValue<DateTimeOffset>();
        var ended = task["updated_at"]!.GetValue<DateTimeOffset>();
        // A restart slower than the wait ends it as soon as the new process looks.
        var due = expiresAt > readyAt ? expiresAt : readyAt;
        Assert.True(ended >= expiresAt, $"ended at {ended:O}, before its expiry {expiresAt:O}");
        Assert.True(ended - due <= Lateness, $"ended {(ended - due).TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s after it was due ({due:O})");
        Assert.Equal(0, task["spent"]!.GetValue<long>());
        Assert.Empty(_embedded.Simulators.Ledger.ChargesOf(taskId));

        Assert.Equal(HttpStatusCode.Conflict, await api.Client.DecideAsync(taskId, "approve"));
        var audit = await api.Client.AuditAsync(taskId);
        Assert.Contains(("approval_timed_out", "system"), audit);
        Assert.DoesNotContain(audit, e => e.Action is "approved" or "rejected" or "token_requested" or "payment_attempted");
    }

    [Fact]
    public async Task An_approval_after_the_expiry_answers_409_even_before_the_sweep_ended_the_wait()
    {
        string taskId;
        await using (var api = await StartAsync(TimeSpan.FromSeconds(2), new Dictionary<string, string> { ["Recovery__DuePoll"] = "00:01:00" }))
        {
            // The sweep that ends expired waits looks once a minute here, as it would with every Worker down.
            taskId = await api.SubmitAsync(new { theme = Theme, budget = 50, voice_id = "user_voice_123" });
            var waiting = await api.Client.WaitForStatusAsync(taskId, "AwaitingApproval");
            var expiresAt = waiting["approval"]!["expires_at"]!.GetValue<DateTimeOffset>();
            await Task.Delay(expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(500));

            Assert.Equal(HttpStatusCode.Conflict, await api.Client.DecideAsync(taskId, "approve"));
            Assert.Equal(HttpStatusCode.Conflict, await api.Client.DecideAsync(taskId, "reject"));
            var late = await api.Client.GetTaskAsync(taskId);
            Assert.Equal("AwaitingApproval", late["status"]!.GetValue<string>());
            Assert.Null(late["approval"]!["decision"]);
            await api.KillAsync();
        }

        await using var next = await StartAsync(TimeSpan.FromSeconds(2));
        var task = await next.WaitUntilFinishedAsync(taskId);

        Assert.Equal("Cancelled", task["status"]!.GetValue<string>());
        Assert.Equal("approval timed out", task["error"]!["message"]!.GetValue<string>());
        Assert.Empty(_embedded.Simulators.Ledger.ChargesOf(taskId));
    }

    [Fact]
    public async Task A_rejected_plan_ends_cancelled_naming_who_rejected_it_and_pays_nothing()
    {
        await using var api = await StartAsync(TimeSpan.FromMinutes(10));
        var taskId = await api.SubmitAsync(new { theme = Theme, budget = 50, voice_id = "user_voice_123" });
        await api.Client.WaitForStatusAsync(taskId, "AwaitingApproval");

        Assert.Equal(HttpStatusCode.Accepted, await api.Client.DecideAsync(taskId, "reject"));
        var task = await api.WaitUntilFinishedAsync(taskId);

        Assert.Equal("Cancelled", task["status"]!.GetValue<string>());
        Assert.Contains("rejected by anonymous", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Rejected", task["approval"]!["decision"]!.GetValue<string>());
        Assert.Equal(0, task["spent"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.Conflict, await api.Client.DecideAsync(taskId, "approve"));
        // Long enough for an approval that slipped through to start paying.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal("Cancelled", (await api.Client.GetTaskAsync(taskId))["status"]!.GetValue<string>());
        Assert.Empty(_embedded.Simulators.Ledger.ChargesOf(taskId));

        var audit = await api.Client.AuditAsync(taskId);
        Assert.Contains(("rejected", "anonymous"), audit);
        Assert.DoesNotContain(audit, e => e.Action is "approved" or "approval_timed_out" or "token_requested" or "payment_attempted");
    }

    [Fact]
    public async Task Approving_or_rejecting_a_task_nobody_may_see_answers_404()
    {
        await using var api = await StartAsync(TimeSpan.FromMinutes(10));

        Assert.Equal(HttpStatusCode.NotFound, await api.Client.DecideAsync(Guid.NewGuid().ToString(), "approve"));
        Assert.Equal(HttpStatusCode.NotFound, await api.Client.DecideAsync(Guid.NewGuid().ToString(), "reject"));
    }

    Task<HostProcess> StartAsync(TimeSpan timeout, IReadOnlyDictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["Approval__Threshold"] = "1",
            ["Approval__Timeout"] = timeout.ToString("c", CultureInfo.InvariantCulture),
        };
        return _embedded.StartAsync(all);
    }
}
