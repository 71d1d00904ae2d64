using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Orchestrator.Simulators;

namespace Orchestrator.Benchmarks;

/// <summary>
/// The service as separate processes from the Release build, with simulators in this process: embedded (the Api
/// alone, in-memory bus, SQLite) or distributed (the Api and <c>workers</c> Workers on a fresh RabbitMQ virtual host
/// and a fresh PostgreSQL database; .ci/services.sh provides both).
/// </summary>
sealed class Deployment : IAsyncDisposable
{
    const string ServicesPrefix = "BENCHMARK_SERVICES_";

    readonly string _repository;
    readonly Dictionary<string, string> _settings;
    readonly List<ServiceProcess> _processes = [];

    Deployment(string repository, SimulatorHost simulators, Dictionary<string, string> settings)
    {
        _repository = repository;
        Simulators = simulators;
        _settings = settings;
    }

    public SimulatorHost Simulators { get; }

    /// <summary>The PostgreSQL database of a distributed deployment; null for the embedded one (SQLite).</summary>
    public string? Postgres => _settings.GetValueOrDefault("Database__Provider") == "Postgres" ? _settings["ConnectionStrings__Orchestrator"] : null;
    public IReadOnlyList<ServiceProcess> Processes => _processes;
    public ServiceProcess Api => _processes[0];

    public static async Task<Deployment> StartAsync(string repository, int workers, IReadOnlyDictionary<string, string>? settings = null)
    {
        var simulators = await SimulatorHost.StartAsync("http://127.0.0.1:0", "http://127.0.0.1:0");
        var stamp = DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        var common = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["MARKETPLACE_URL"] = simulators.MarketplaceUrl.ToString(),
            ["PAYMENT_MANAGER_URL"] = simulators.PaymentManagerUrl.ToString(),
            // Every task of a run is the same owner's: with reuse (on by default) all but the first buyer of an item would
            // read it from that purchase and pay nothing. The runs measure buying.
            ["Purchases__ReuseFor"] = "00:00:00",
        };
        // BENCHMARK_SERVICES_<name>=<value> sets <name> for the hosts only (e.g. DOTNET_gcServer), not for the harness.
        foreach (var (name, value) in Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                     .Select(e => ((string)e.Key, (string?)e.Value ?? "")).Where(e => e.Item1.StartsWith(ServicesPrefix, StringComparison.Ordinal)))
            common[name[ServicesPrefix.Length..]] = value;
        if (workers == 0)
            common["ConnectionStrings__Orchestrator"] = $"Data Source={Path.Combine(Path.GetTempPath(), $"orchestrator-bench-{stamp}.db")}";
        else
        {
            var postgres = Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_POSTGRES")
                ?? throw new InvalidOperationException("ORCHESTRATOR_TEST_POSTGRES is not set: run the .ci scripts, which start the services");
            common["Bus__Transport"] = "RabbitMq";
            common["Intake__SubmissionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            common["RabbitMq__VirtualHost"] = await CreateVirtualHostAsync($"orchestrator-bench-{stamp}");
            common["Database__Provider"] = "Postgres";
            common["ConnectionStrings__Orchestrator"] = $"{postgres};Database=orchestrator_bench_{stamp}";
        }

        var deployment = new Deployment(repository, simulators, common);
        try
        {
            deployment._processes.Add(await ServiceProcess.StartAsync(repository, "Orchestrator.Api", "api", common));
            for (var i = 0; i < workers; i++)
                deployment._processes.Add(await deployment.StartWorkerAsync($"worker-{i + 1}"));
            return deployment;
        }
        catch
        {
            await deployment.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills a process with SIGKILL, as a crash would.</summary>
    public async Task KillAsync(int index)
    {
        var process = _processes[index];
        await process.KillAsync();
        await process.DisposeAsync();
    }

    /// <summary>Starts a new Worker in the place of <paramref name="index"/>, and waits until it is ready if asked to.</summary>
    public async Task StartWorkerAsync(int index, bool waitUntilReady)
    {
        var name = _processes[index].Name;
        _processes[index] = await ServiceProcess.StartAsync(_repository, "Orchestrator.Worker", name, WorkerSettings(), waitUntilReady);
    }

    /// <summary>Waits until every process answers <c>/health/ready</c> with 200; a TimeoutException says which did not.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan limit)
    {
        foreach (var process in _processes)
            await process.WaitUntilReadyAsync(limit);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
            await process.DisposeAsync();
        await Simulators.DisposeAsync();
    }

    Task<ServiceProcess> StartWorkerAsync(string name) =>
        ServiceProcess.StartAsync(_repository, "Orchestrator.Worker", name, WorkerSettings());

    Dictionary<string, string> WorkerSettings() => new(_settings) { ["Database__MigrateOnStart"] = "false" };

    static async Task<string> CreateVirtualHostAsync(string name)
    {
        using var management = new HttpClient { BaseAddress = new Uri("http://localhost:15672/api/") };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("guest:guest"u8.ToArray()));
        (await management.PutAsJsonAsync($"vhosts/{name}", new { })).EnsureSuccessStatusCode();
        (await management.PutAsJsonAsync($"permissions/{name}/guest", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return name;
    }
}
