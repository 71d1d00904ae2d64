using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;
using Orchestrator.Api.Security;

namespace Orchestrator.IntegrationTests.Api.Spending;

/// <summary>
/// The embedded program with <c>Auth:Mode=Jwt</c> on a SQLite file of its own and the simulators in the test, with
/// <paramref name="settings"/> as well: each owner calls it with a token of their own (<see cref="ClientFor"/>).
/// </summary>
public abstract class JwtProgram(IReadOnlyDictionary<string, string> settings) : IAsyncLifetime
{
    TestDatabase _database = null!;

    public AuthOptions Auth { get; } = new() { Mode = AuthMode.Jwt, SigningKey = "a-test-signing-key-of-at-least-32-bytes!" };
    public SimulatorHost Simulators { get; private set; } = null!;
    public HostProcess Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        Simulators = await SimulatorHost.StartAsync("http://127.0.0.1:0", "http://127.0.0.1:0");
        var all = new Dictionary<string, string>
        {
            ["ConnectionStrings__Orchestrator"] = _database.ConnectionString,
            ["MARKETPLACE_URL"] = Simulators.MarketplaceUrl.ToString(),
            ["PAYMENT_MANAGER_URL"] = Simulators.PaymentManagerUrl.ToString(),
            ["Auth__Mode"] = "Jwt",
            ["Auth__SigningKey"] = Auth.SigningKey!,
            ["Purchases__ReuseFor"] = "00:00:00",
        };
        foreach (var (key, value) in settings)
            all[key] = value;
        Api = await HostProcess.StartApiAsync(all);
    }

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        await Simulators.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>A client of the Api whose calls carry a token whose subject is <paramref name="owner"/> (and <paramref name="role"/>, if any).</summary>
    public HttpClient ClientFor(string owner, string? role = null)
    {
        var client = new HttpClient { BaseAddress = Api.Address, Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.Create(Auth, owner, role));
        return client;
    }

    /// <summary>Deletes a task and everything of it from the database, as a person cleaning up would.</summary>
    public async Task DeleteTaskAsync(string taskId)
    {
        await using var connection = new SqliteConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var table in new[] { "research_task_purchases", "audit_events", "research_task_transitions", "research_tasks" })
        {
            await using var command = connection.CreateCommand();
            // SQLite holds a task id as text, in capitals.
            command.CommandText = $"DELETE FROM {table} WHERE upper(task_id) = upper($id)";
            command.Parameters.AddWithValue("$id", taskId);
            Assert.True(await command.ExecuteNonQueryAsync() > 0 || table is "research_task_transitions", $"nothing of {taskId} in {table}");
        }

        await transaction.CommitAsync();
    }
}
