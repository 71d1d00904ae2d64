namespace Orchestrator.IntegrationTests.Api.Spending;

/// <summary>What the spending-control tests ask of the Api over HTTP, as any client (or a token's owner) would.</summary>
static class SpendingCalls
{
    static readonly string[] FinalStates = ["Completed", "Failed", "Cancelled"];

    public static async Task<string> SubmitAsync(this HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/tasks", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST /tasks: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["task_id"]!.GetValue<string>();
    }

    public static async Task<JsonNode> GetTaskAsync(this HttpClient client, string taskId) =>
        JsonNode.Parse(await client.GetStringAsync($"/tasks/{taskId}"))!;

    /// <summary>Polls the task until its status is <paramref name="status"/>, failing the test if it ends in another.</summary>
    public static async Task<JsonNode> WaitForStatusAsync(this HttpClient client, string taskId, string status, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await client.GetAsync($"/tasks/{taskId}");
            var task = response.StatusCode == HttpStatusCode.NotFound ? null : JsonNode.Parse(await response.Content.ReadAsStringAsync());
            var now = task?["status"]!.GetValue<string>() ?? "unknown";
            if (now == status)
                return task!;
            Assert.False(FinalStates.Contains(now), $"task {taskId} ended {now} while waiting for {status}: {task?.ToJsonString()}");
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} is still {now}, not {status}");
            await Task.Delay(50);
        }
    }

    /// <summary>Polls the task until it is Completed, Failed or Cancelled.</summary>
    public static async Task<JsonNode> WaitUntilFinishedAsync(this HttpClient client, string taskId, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await client.GetAsync($"/tasks/{taskId}");
            var task = response.StatusCode == HttpStatusCode.NotFound ? null : JsonNode.Parse(await response.Content.ReadAsStringAsync());
            var now = task?["status"]!.GetValue<string>() ?? "unknown";
            if (FinalStates.Contains(now))
                return task!;
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} is still {now}");
            await Task.Delay(50);
        }
    }

    /// <summary><c>POST /tasks/{id}/approve</c> or <c>/reject</c>: the status code it answered.</summary>
    public static async Task<HttpStatusCode> DecideAsync(this HttpClient client, string taskId, string decision)
    {
        using var response = await client.PostAsync($"/tasks/{taskId}/{decision}", content: null);
        return response.StatusCode;
    }

    /// <summary>The task's audit trail, oldest first: each entry's action and actor.</summary>
    public static async Task<List<(string Action, string Actor)>> AuditAsync(this HttpClient client, string taskId)
    {
        var entries = JsonNode.Parse(await client.GetStringAsync($"/tasks/{taskId}/audit"))!.AsArray();
        return [.. entries.Select(e => (e!["action"]!.GetValue<string>(), e["actor"]!.GetValue<string>()))];
    }

    public static async Task<JsonArray> ReceiptsAsync(this HttpClient client, string taskId) =>
        JsonNode.Parse(await client.GetStringAsync($"/tasks/{taskId}/receipts"))!.AsArray();

    /// <summary>The marketplace's charges for one task: every purchase's key is "&lt;task id, 32 hex digits&gt;-&lt;item id&gt;".</summary>
    public static IReadOnlyList<LedgerCharge> ChargesOf(this PaymentLedger ledger, string taskId)
    {
        var prefix = $"{Guid.Parse(taskId):N}-";
        return [.. ledger.Charges.Where(c => c.IdempotencyKey?.StartsWith(prefix, StringComparison.Ordinal) == true)];
    }

    /// <summary>The plan's items with <paramref name="status"/>.</summary>
    public static List<JsonNode> PlanItems(this JsonNode task, string status) =>
        [.. task["plan"]!.AsArray().Where(p => p!["status"]!.GetValue<string>() == status).Select(p => p!)];
}
