namespace Orchestrator.Tests.Api.Progress;

/// <summary>The progress stream of a task whose plan waits for approval (<c>Approval:Threshold=5</c>, embedded mode).</summary>
public sealed class WatchingATaskAwaitingApprovalTests(WatchingATaskAwaitingApprovalTests.Factory api) : IClassFixture<WatchingATaskAwaitingApprovalTests.Factory>
{
    public sealed class Factory : ApiFactory
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Approval:Threshold", "5");
        }
    }

    readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task The_approval_event_comes_after_the_plan_with_the_tasks_approval_then_an_approved_task_pays_and_completes()
    {
        var taskId = await _client.SubmitAsync("Tesla Inc financial performance 2023", budget: 30);

        var waiting = Real(await _client.ReadEventsAsync(taskId, stopAfter: IsWaiting));

        Assert.Equal(["plan", "approval", "state"], waiting.TakeLast(3).Select(e => e.Type));
        var approval = waiting[^2].Data;
        var shown = JsonNode.Parse(await _client.GetStringAsync($"/tasks/{taskId}"))!["approval"]!;
        Assert.Equal(shown["total"]!.GetValue<long>(), approval["total"]!.GetValue<long>());
        Assert.Equal(waiting[^3].Data["total"]!.GetValue<long>(), approval["total"]!.GetValue<long>());
        Assert.Equal(5, approval["threshold"]!.GetValue<long>());
        Assert.Equal(shown["expires_at"]!.GetValue<DateTimeOffset>(), approval["expires_at"]!.GetValue<DateTimeOffset>());
        Assert.DoesNotContain(waiting, e => e.Type == "payment");

        using (var approved = await _client.PostAsync($"/tasks/{taskId}/approve", null))
            Assert.Equal(HttpStatusCode.Accepted, approved.StatusCode);
        var rest = Real(await _client.ReadEventsAsync(taskId, lastEventId: waiting[^1].Id));

        Assert.Equal(("AwaitingApproval", "AwaitingPayment"), (rest[0].Data["from"]!.GetValue<string>(), rest[0].Data["to"]!.GetValue<string>()));
        Assert.DoesNotContain(rest, e => e.Type == "approval");
        Assert.Contains(rest, e => e.Type == "payment");
        Assert.Equal("Completed", rest[^1].Data["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_rejected_plan_ends_the_stream_Cancelled_saying_who_rejected_it_with_nothing_paid()
    {
        var taskId = await _client.SubmitAsync("Renewable energy investment", budget: 25);
        var waiting = Real(await _client.ReadEventsAsync(taskId, stopAfter: IsWaiting));

        using (var rejected = await _client.PostAsync($"/tasks/{taskId}/reject", null))
            Assert.Equal(HttpStatusCode.Accepted, rejected.StatusCode);
        var all = Real(await _client.ReadEventsAsync(taskId));

        Assert.Equal(waiting.Select(e => (e.Id, e.Type)), all.Take(waiting.Count).Select(e => (e.Id, e.Type)));
        Assert.Single(all, e => e.Type == "approval");
        Assert.DoesNotContain(all, e => e.Type is "payment" or "source");
        var final = all[^1].Data;
        Assert.Equal("Cancelled", final["status"]!.GetValue<string>());
        Assert.Equal(0, final["spent"]!.GetValue<long>());
        Assert.Contains("rejected by", final["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    static bool IsWaiting(ServerSentEvent e) => e.Type == "state" && e.Data["to"]!.GetValue<string>() == "AwaitingApproval";

    static List<ServerSentEvent> Real(List<ServerSentEvent> events) => [.. events.Where(e => e.Comment is null)];
}
