using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace Orchestrator.IntegrationTests.Api;

/// <summary>
/// The whole service on a real PostgreSQL: migrations applied on start, tasks run to the end, and the state read
/// back with the plain SQL docs/architecture.md gives operators ("Task state in the database").
/// </summary>
public sealed class PostgresBackedApiTests : IAsyncLifetime
{
    // The queries of docs/architecture.md, word for word.
    const string TasksByState = "SELECT current_state, count(*) AS tasks FROM research_tasks GROUP BY current_state ORDER BY current_state;";
    const string TaskHistory = "SELECT from_state, to_state, event, at FROM research_task_transitions WHERE task_id = @task_id ORDER BY id;";

    TestDatabase _database = null!;
    WebApplicationFactory<Program> _api = null!;
    HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        _api = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Database:Provider", "Postgres");
            web.UseSetting("ConnectionStrings:Orchestrator", _database.ConnectionString);
            web.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        });
        _client = _api.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_task_completes_and_its_history_has_one_row_per_state_change_in_order()
    {
        var taskId = await SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 50, voice_id = "pg_voice" });
        await WaitUntilFinishedAsync(taskId);

        var history = await QueryAsync(TaskHistory, ("task_id", Guid.Parse(taskId)));

        var states = history.Select(row => ((string)row["from_state"]!, (string)row["to_state"]!)).ToList();
        Assert.Equal(("Initial", "Submitted"), states[0]);
        Assert.Equal(("Submitted", "Discovering"), states[1]);
        Assert.Equal(("Discovering", "AwaitingPayment"), states[2]);
        Assert.Equal(("AwaitingPayment", "Paying"), states[3]);
        Assert.Equal(("Reporting", "Completed"), states[^1]);
        for (var i = 1; i < states.Count; i++)
            Assert.Equal(states[i - 1].Item2, states[i].Item1);
        Assert.All(history, row => Assert.NotEqual(row["from_state"], row["to_state"]));
        Assert.True(history.Select(row => (DateTime)row["at"]!).SequenceEqual(history.Select(row => (DateTime)row["at"]!).Order()));
    }

    [Fact]
    public async Task Operators_see_tasks_by_state_with_plain_sql_and_no_voice_id_or_token()
    {
        var completed = await SubmitAsync(new { theme = "AI market trends in healthcare", budget = 40, voice_id = "secret_voice_1" });
        var failed = await SubmitAsync(new { theme = "Blockchain adoption in finance", budget = 40, voice_id = "refused_voice" });
        await WaitUntilFinishedAsync(completed);
        await WaitUntilFinishedAsync(failed);

        var byState = (await QueryAsync(TasksByState)).ToDictionary(row => (string)row["current_state"]!, row => (long)row["tasks"]!);
        Assert.Equal(1, byState["Completed"]);
        Assert.Equal(1, byState["Failed"]);

        var rows = await QueryAsync("SELECT * FROM research_tasks;");
        Assert.All(rows, row =>
        {
            Assert.Null(row["voice_id"]);
            Assert.Null(row["payment_token"]);
        });
        var failedRow = rows.Single(row => (string)row["current_state"]! == "Failed");
        Assert.Equal("AuthenticationError", failedRow["error_type"]);
        var purchases = await QueryAsync("SELECT task_id, item_id, price, idempotency_key, status, paid_at FROM research_task_purchases;");
        Assert.NotEmpty(purchases);
        Assert.All(purchases.Where(p => (string)p["status"]! == "Fetched"), p => Assert.NotNull(p["paid_at"]));
    }

    async Task<string> SubmitAsync(object body)
    {
        using var response = await _client.PostAsJsonAsync("/tasks", body);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["task_id"]!.GetValue<string>();
    }

    async Task WaitUntilFinishedAsync(string taskId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string status;
        do
        {
            await Task.Delay(50);
            status = JsonNode.Parse(await _client.GetStringAsync($"/tasks/{taskId}"))!["status"]!.GetValue<string>();
        }
        while (status is not ("Completed" or "Failed") && DateTime.UtcNow < deadline);
        Assert.True(status is "Completed" or "Failed", $"task {taskId} is still {status}");
    }

    async Task<List<Dictionary<string, object?>>> QueryAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync())
            rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? null : reader.GetValue(i)));
        return rows;
    }
}
