namespace Orchestrator.IntegrationTests;

/// <summary>
/// What a test of the embedded program needs: a SQLite file of its own, kept between runs of the program, and the
/// simulators in the test, so that their ledger outlives any program the test kills; each of their answers takes
/// <paramref name="simulatorLatency"/>.
/// </summary>
public sealed class EmbeddedApi(TimeSpan simulatorLatency = default) : IAsyncLifetime
{
    TestDatabase _database = null!;

    public SimulatorHost Simulators { get; private set; } = null!;

    public string ConnectionString => _database.ConnectionString;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        Simulators = await SimulatorHost.StartAsync("http://127.0.0.1:0", "http://127.0.0.1:0");
        Simulators.Behaviour.Latency = simulatorLatency;
    }

    public async Task DisposeAsync()
    {
        await Simulators.DisposeAsync();
        await _database.DisposeAsync();
    }

    /// <summary>Starts the program on that database and those simulators, with <paramref name="settings"/> as well.</summary>
    public Task<HostProcess> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string>
        {
            ["ConnectionStrings__Orchestrator"] = ConnectionString,
            ["MARKETPLACE_URL"] = Simulators.MarketplaceUrl.ToString(),
            ["PAYMENT_MANAGER_URL"] = Simulators.PaymentManagerUrl.ToString(),
            // The tests' tasks are one owner's and buy the same items: each buys what it plans unless a test turns reuse on.
            ["Purchases__ReuseFor"] = "00:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            all[key] = value;
        return HostProcess.StartApiAsync(all);
    }
}
