using Microsoft.AspNetCore.Hosting;
using Orchestrator.Api.Security;

namespace Orchestrator.Tests.Api.Spending;

/// <summary>
/// The spending controls' routes as owners call them with tokens: approve and reject only one's own task awaiting
/// approval (another owner's answers 404, as an unknown one), receipts for what was paid, and one's own day.
/// </summary>
public sealed class SpendingRoutesTests(SpendingRoutesTests.Service api) : IClassFixture<SpendingRoutesTests.Service>
{
    const string Theme = "Tesla Inc financial performance 2023";

    /// <summary>Plans above 5 wait for approval; each owner's day is limited to 1,000; an owner's purchases are reused for a week.</summary>
    public sealed class Service : JwtApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Approval:Threshold", "5");
            builder.UseSetting("Spending:DailyLimitPerOwner", "1000");
            builder.UseSetting("Purchases:ReuseFor", "7.00:00:00");
        }
    }

    [Fact]
    public async Task An_owner_approves_their_plan_once_and_gets_a_receipt_for_every_payment()
    {
        using var alice = api.ClientFor("alice");
        using var mallory = api.ClientFor("mallory");
        var taskId = await SubmitAsync(alice);
        var waiting = await WaitForStatusAsync(alice, taskId, "AwaitingApproval");

        var approval = waiting["approval"]!;
        Assert.Equal(5, approval["threshold"]!.GetValue<long>());
        Assert.True(approval["total"]!.GetValue<long>() > 5);
        Assert.True(approval["expires_at"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow.AddHours(23));
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.PostAsync($"/tasks/{taskId}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.GetAsync($"/tasks/{taskId}/receipts")).StatusCode);

        using var approved = await alice.PostAsync($"/tasks/{taskId}/approve", null);
        using var again = await alice.PostAsync($"/tasks/{taskId}/approve", null);

        Assert.Equal(HttpStatusCode.Accepted, approved.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("approved already, by alice", (await again.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var done = await WaitForStatusAsync(alice, taskId, "Completed");
        var receipts = (await alice.GetFromJsonAsync<JsonArray>($"/tasks/{taskId}/receipts"))!;
        var paid = done["plan"]!.AsArray().Where(i => i!["status"]!.GetValue<string>() == "Fetched").ToList();
        Assert.Equal(paid.Count, receipts.Count);
        Assert.Equal(done["spent"]!.GetValue<long>(), receipts.Sum(r => r!["amount"]!.GetValue<long>()));
        Assert.All(receipts, r =>
        {
            Assert.Equal($"{Guid.Parse(taskId):N}-{r!["item"]!.GetValue<int>()}", r["idempotency_key"]!.GetValue<string>());
            // The embedded simulators sell their even items over x402: a transaction on a network, from our wallet.
            if (r["network"] is null)
                Assert.StartsWith("ch_", r["reference"]!.GetValue<string>(), StringComparison.Ordinal);
            else
                Assert.Matches("^0x[0-9a-f]{64}$", r["reference"]!.GetValue<string>());
            Assert.Equal(r["network"] is null, r["item"]!.GetValue<int>() % 2 == 1);
            Assert.Matches("^[0-9a-f]{64}$", r["data_sha256"]!.GetValue<string>());
            Assert.Null(r["reused_from"]);
        });
        Assert.Contains(receipts[0]!["data_sha256"]!.GetValue<string>(), done["report"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejecting_ends_the_task_cancelled_and_deciding_a_task_that_does_not_wait_is_a_conflict()
    {
        using var bob = api.ClientFor("bob");
        var taskId = await SubmitAsync(bob);
        await WaitForStatusAsync(bob, taskId, "AwaitingApproval");

        using var rejected = await bob.PostAsync($"/tasks/{taskId}/reject", null);
        var task = await WaitForStatusAsync(bob, taskId, "Cancelled");
        using var late = await bob.PostAsync($"/tasks/{taskId}/approve", null);

        Assert.Equal(HttpStatusCode.Accepted, rejected.StatusCode);
        Assert.Contains("rejected by bob", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, task["spent"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsync($"/tasks/{Guid.NewGuid()}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsync("/tasks/not-a-task/reject", null)).StatusCode);
    }

    [Fact]
    public async Task Each_owner_sees_only_their_own_day()
    {
        using var carol = api.ClientFor("carol");
        using var dave = api.ClientFor("dave");
        var taskId = await SubmitAsync(carol);
        await WaitForStatusAsync(carol, taskId, "AwaitingApproval");
        await carol.PostAsync($"/tasks/{taskId}/approve", null);
        var done = await WaitForStatusAsync(carol, taskId, "Completed");

        var carols = (await carol.GetFromJsonAsync<JsonNode>("/spending"))!;
        var daves = (await dave.GetFromJsonAsync<JsonNode>("/spending"))!;

        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), carols["day"]!.GetValue<string>());
        Assert.Equal(1000, carols["limit"]!.GetValue<long>());
        Assert.Equal(0, carols["held"]!.GetValue<long>());
        Assert.Equal(done["spent"]!.GetValue<long>(), carols["spent"]!.GetValue<long>());
        Assert.Equal(1000 - done["spent"]!.GetValue<long>(), carols["remaining"]!.GetValue<long>());
        Assert.Equal(0, daves["spent"]!.GetValue<long>());
        Assert.Equal(1000, daves["remaining"]!.GetValue<long>());
    }

    [Fact]
    public async Task Decisions_and_reused_spending_are_counted_in_the_metrics()
    {
        using var erin = api.ClientFor("erin");
        using var scraper = api.CreateClient();
        scraper.DefaultRequestHeaders.Authorization = new("Bearer", DevelopmentTokens.Create(api.Auth, "prometheus", ApiSecurityRegistration.MetricsRole));
        var before = await ScrapeAsync(scraper);

        var bought = await SubmitAsync(erin);
        await WaitForStatusAsync(erin, bought, "AwaitingApproval");
        await erin.PostAsync($"/tasks/{bought}/approve", null);
        var first = await WaitForStatusAsync(erin, bought, "Completed");
        var reusing = await SubmitAsync(erin);
        var second = await WaitForStatusAsync(erin, reusing, "Completed");
        var rejected = await SubmitAsync(erin, "AI market trends in healthcare");
        await WaitForStatusAsync(erin, rejected, "AwaitingApproval");
        await erin.PostAsync($"/tasks/{rejected}/reject", null);
        await WaitForStatusAsync(erin, rejected, "Cancelled");
        await Task.Delay(300);
        var after = await ScrapeAsync(scraper);

        var reused = second["plan"]!.AsArray().Where(i => i!["status"]!.GetValue<string>() == "Reused").ToList();
        Assert.NotEmpty(reused);
        Assert.All(reused, i => Assert.Equal(bought, i!["reused_from"]!.GetValue<string>()));
        Assert.Equal(0, second["spent"]!.GetValue<long>());
        Assert.True(first["spent"]!.GetValue<long>() > 0);
        Assert.Contains(second["report"]!.GetValue<string>().Split('\n'), line => line.Contains($"already owned: bought in task {bought}", StringComparison.Ordinal));
        Assert.True(Delta("orchestrator_approvals_total{outcome=\"approved\"}") >= 1);
        Assert.True(Delta("orchestrator_approvals_total{outcome=\"rejected\"}") >= 1);
        Assert.True(Delta("orchestrator_spend_saved_total") >= reused.Sum(i => i!["price"]!.GetValue<long>()));

        double Delta(string series) => after.GetValueOrDefault(series) - before.GetValueOrDefault(series);
    }

    static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient client)
    {
        var samples = new Dictionary<string, double>();
        foreach (var line in (await client.GetStringAsync("/metrics")).Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#' || !line.StartsWith("orchestrator_", StringComparison.Ordinal))
                continue;
            var separator = line.LastIndexOf(' ');
            var series = System.Text.RegularExpressions.Regex.Replace(line[..separator], "otel_scope_[a-z_]+=\"[^\"]*\",?", "").Replace("{,", "{", StringComparison.Ordinal).Replace(",}", "}", StringComparison.Ordinal).Replace("{}", "", StringComparison.Ordinal);
            samples[series] = samples.GetValueOrDefault(series) + double.Parse(line[(separator + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }

        return samples;
    }

    static async Task<string> SubmitAsync(HttpClient client, string theme = Theme)
    {
        using var response = await client.PostAsJsonAsync("/tasks", new { theme, budget = 50, voice_id = "user_voice_123" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!["task_id"]!.GetValue<string>();
    }

    static async Task<JsonNode> WaitForStatusAsync(HttpClient client, string taskId, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var task = (await client.GetFromJsonAsync<JsonNode>($"/tasks/{taskId}"))!;
            if (task["status"]!.GetValue<string>() == status)
                return task;
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} is {task["status"]}, not {status}");
            await Task.Delay(50);
        }
    }
}
