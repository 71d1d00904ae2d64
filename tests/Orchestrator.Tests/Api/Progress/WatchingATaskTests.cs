namespace Orchestrator.Tests.Api.Progress;

/// <summary>A client follows a task through <c>GET /tasks/{id}/events</c> (embedded mode).</summary>
public sealed class WatchingATaskTests(WatchingATaskTests.Factory api) : IClassFixture<WatchingATaskTests.Factory>
{
    public sealed class Factory : ApiFactory
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Progress:Heartbeat", "00:00:01");
            // A task recorded behind the Api's back (no POST, so no signal) waits until a task of this process
            // ends: it stays Submitted for the idle stream's test.
            builder.UseSetting("Workflow:AdmissionPollInterval", "01:00:00");
        }
    }

    readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task A_fresh_task_streams_every_state_change_each_payment_with_the_budget_remaining_and_final_then_ends()
    {
        var taskId = await _client.SubmitAsync("Tesla Inc financial performance 2023", budget: 30);

        var events = (await _client.ReadEventsAsync(taskId)).Where(e => e.Comment is null).ToList();

        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Id));
        var states = events.Where(e => e.Type == "state").Select(e => e.Data["to"]!.GetValue<string>()).ToList();
        Assert.Equal(["Submitted", "Discovering", "AwaitingPayment", "Paying", "Retrying"], states.Take(5));
        Assert.Equal(["Reporting", "Completed"], states.TakeLast(2));
        var chain = events.Where(e => e.Type == "state").Select(e => (From: e.Data["from"]!.GetValue<string>(), To: e.Data["to"]!.GetValue<string>())).ToList();
        Assert.All(chain.Skip(1).Zip(chain), pair => Assert.Equal(pair.Second.To, pair.First.From));

        Assert.Contains(events, e => e.Type == "quote" && e.Data["price"]!.GetValue<long>() > 0);
        var plan = Assert.Single(events, e => e.Type == "plan").Data;
        Assert.InRange(plan["total"]!.GetValue<long>(), 1, 30);

        var payments = events.Where(e => e.Type == "payment").Select(e => e.Data).ToList();
        Assert.NotEmpty(payments);
        var spent = 0L;
        foreach (var payment in payments)
        {
            Assert.Equal("paid", payment["outcome"]!.GetValue<string>());
            spent += payment["amount"]!.GetValue<long>();
            Assert.Equal(spent, payment["spent"]!.GetValue<long>());
            Assert.Equal(30 - spent, payment["remaining"]!.GetValue<long>());
        }

        Assert.Equal(payments.Count, events.Count(e => e.Type == "source"));
        var final = events[^1];
        Assert.Equal("final", final.Type);
        Assert.Equal("Completed", final.Data["status"]!.GetValue<string>());
        Assert.Equal(spent, final.Data["spent"]!.GetValue<long>());
        Assert.Null(final.Data["error"]);
    }

    [Fact]
    public async Task A_client_that_reconnects_with_Last_Event_ID_gets_exactly_what_it_missed()
    {
        var taskId = await _client.SubmitAsync("Blockchain adoption in finance", budget: 25);
        var firstPart = await _client.ReadEventsAsync(taskId, stopAfter: e => e.Type == "payment");
        var lastSeen = firstPart.Last(e => e.Comment is null).Id;

        var rest = (await _client.ReadEventsAsync(taskId, lastEventId: lastSeen)).Where(e => e.Comment is null).ToList();
        var whole = (await _client.ReadEventsAsync(taskId)).Where(e => e.Comment is null).ToList();

        Assert.Equal(lastSeen + 1, rest[0].Id);
        Assert.Equal(whole.Skip((int)lastSeen).Select(e => (e.Id, e.Type, e.Data.ToJsonString())), rest.Select(e => (e.Id, e.Type, e.Data.ToJsonString())));
        Assert.Equal("final", rest[^1].Type);
    }

    [Fact]
    public async Task A_failed_task_ends_its_stream_with_final_and_the_seeds_error_type()
    {
        var taskId = await _client.SubmitAsync("AI market trends in healthcare", budget: 40, voiceId: "refused_voice");

        var events = (await _client.ReadEventsAsync(taskId)).Where(e => e.Comment is null).ToList();

        var final = events[^1];
        Assert.Equal("final", final.Type);
        Assert.Equal("Failed", final.Data["status"]!.GetValue<string>());
        Assert.Equal("AuthenticationError", final.Data["error"]!["error"]!.GetValue<string>());
        Assert.DoesNotContain(events, e => e.Type == "payment");
        Assert.DoesNotContain("refused_voice", string.Concat(events.Select(e => e.Data.ToJsonString())), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_idle_stream_gets_heartbeats_until_the_task_moves()
    {
        var taskId = await RecordTaskAsync("anonymous");

        var events = await _client.ReadEventsAsync(taskId.ToString(), stopAfter: e => e.Comment == "heartbeat");

        Assert.Equal("Submitted", Assert.Single(events, e => e.Type == "state").Data["to"]!.GetValue<string>());
        Assert.Equal("heartbeat", events[^1].Comment);
    }

    [Fact]
    public async Task An_unknown_or_malformed_id_is_404_as_for_GET_tasks_id()
    {
        foreach (var taskId in new[] { Guid.NewGuid().ToString(), "not-a-uuid" })
        {
            using var response = await _client.GetAsync($"/tasks/{taskId}/events");

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("""{"detail":"Task not found"}""", await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>A task recorded as the Api records it, but never started: it stays Submitted.</summary>
    async Task<Guid> RecordTaskAsync(string owner)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        var task = ResearchTaskState.Accept(Guid.NewGuid(), "Renewable energy investment", 40, "v", owner, DateTime.UtcNow);
        db.ResearchTasks.Add(task);
        await db.SaveChangesAsync();
        return task.CorrelationId;
    }
}
