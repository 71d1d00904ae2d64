namespace Orchestrator.IntegrationTests.Workflow.Recovery;

/// <summary>
/// A payment that never settles: <c>POST /pay</c> charged and answered 500, and every read meant to settle it fails
/// for now (the marketplace is down). The task goes on settling past its deadline, but only for
/// <c>Workflow:SettleFor</c>: then it ends Failed (PaymentError, "payment outcome unknown") with the purchase left
/// unconfirmed and listed for reconciling, and while it only waits to settle it holds no concurrency slot.
/// </summary>
public sealed class SettlementBoundTests : IAsyncLifetime
{
    readonly EmbeddedApi _embedded = new();

    SimulatorHost Simulators => _embedded.Simulators;

    public Task InitializeAsync() => _embedded.InitializeAsync();

    public Task DisposeAsync() => _embedded.DisposeAsync();

    [Fact]
    public async Task A_payment_that_never_settles_ends_its_task_after_SettleFor_without_holding_a_slot()
    {
        await using var api = await _embedded.StartAsync(new Dictionary<string, string>
        {
            ["WORKFLOW_TIMEOUT"] = "6",
            ["Workflow__SettleFor"] = "00:00:06",
            ["Workflow__MaxConcurrentTasks"] = "1",
            ["MAX_RETRIES"] = "0",
            ["HTTP_TIMEOUT"] = "2",
        });
        Simulators.Behaviour.FailureRateAfterEffect = 1;

        var stuck = await api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 10, voice_id = "user_voice_123" });
        await Simulators.Ledger.WaitForChargesAsync(1, TimeSpan.FromSeconds(20));
        Simulators.Behaviour.MarketplaceOutage = true;

        // Past its deadline the task only waits to settle: the one slot is free for the next task.
        await WaitForAsync(api, stuck, task => task["updated_at"] is not null && DateTimeOffset.UtcNow > task["created_at"]!.GetValue<DateTimeOffset>().AddSeconds(7));
        Assert.Equal("Retrying", (await api.GetTaskAsync(stuck))["status"]!.GetValue<string>());
        var next = await api.SubmitAsync(new { theme = "Battery suppliers", budget = 10, voice_id = "user_voice_123" });
        await WaitForAsync(api, next, task => task["status"]!.GetValue<string>() != "Submitted");
        Assert.NotEqual("Failed", (await api.GetTaskAsync(stuck))["status"]!.GetValue<string>());

        var ended = await api.WaitUntilFinishedAsync(stuck, TimeSpan.FromSeconds(30));
        Assert.Equal("Failed", ended["status"]!.GetValue<string>());
        Assert.Equal("PaymentError", ended["error"]!["error"]!.GetValue<string>());
        Assert.StartsWith("payment outcome unknown", ended["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var sinceDeadline = ended["updated_at"]!.GetValue<DateTimeOffset>() - ended["created_at"]!.GetValue<DateTimeOffset>().AddSeconds(6);
        Assert.InRange(sinceDeadline.TotalSeconds, 6, 6 + 2);
        Assert.Equal(0, ended["spent"]!.GetValue<int>());
        var charged = Assert.Single(Simulators.Ledger.Charges);
        Assert.Contains(ended["plan"]!.AsArray(), item => item!["item"]!.GetValue<int>() == charged.ItemId && item["status"]!.GetValue<string>() == "Unconfirmed");

        var toReconcile = JsonNode.Parse(await api.Client.GetStringAsync("/tasks?status=Unconfirmed"))!["tasks"]!.AsArray();
        Assert.Equal(stuck, Assert.Single(toReconcile)!["task_id"]!.GetValue<string>());
        var audit = JsonNode.Parse(await api.Client.GetStringAsync($"/tasks/{stuck}/audit"))!.AsArray();
        Assert.Contains(audit, entry => entry!["action"]!.GetValue<string>() == "settlement_abandoned" && entry["item"]!.GetValue<int>() == charged.ItemId);
    }

    static async Task WaitForAsync(HostProcess api, string taskId, Func<JsonNode, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition(await api.GetTaskAsync(taskId)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} did not get there\n{api.Output}");
            await Task.Delay(100);
        }
    }
}
