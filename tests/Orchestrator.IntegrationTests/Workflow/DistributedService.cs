using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Orchestrator.IntegrationTests.Messaging;
using Orchestrator.IntegrationTests.Networking;

namespace Orchestrator.IntegrationTests.Workflow;

/// <summary>What a <see cref="DistributedService"/> is made of where a test wants other than the defaults.</summary>
public sealed record DistributedLayout
{
    public int Workers { get; init; } = 2;

    /// <summary>A copy of every message published on the broker goes to <see cref="DistributedService.Tap"/>.</summary>
    public bool Traced { get; init; }

    /// <summary>The Api and the Workers reach PostgreSQL through <see cref="DistributedService.DatabaseAddress"/>, open.</summary>
    public bool DatabaseBehindProxy { get; init; }

    /// <summary>The Workers reach RabbitMQ through <see cref="DistributedService.BrokerAddress"/>, closed at first.</summary>
    public bool BrokerBehindProxy { get; init; }

    public TimeSpan SimulatorLatency { get; init; }

    /// <summary>Added to every host's settings, or replacing some (recovery timings, log level).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// The distributed mode for real: the Api and Workers as separate processes on RabbitMQ (a virtual host of their
/// own) and PostgreSQL (a database of their own), calling the simulators; where the layout says so, a proxy the
/// test can cut stands in front of the database or the broker (the shared servers stay up for the other tests).
/// </summary>
public sealed class DistributedService : IAsyncLifetime
{
    /// <summary>A copy of every message published on the broker (RabbitMQ's firehose).</summary>
    public const string Tap = "test-firehose-tap";

    /// <summary>The Api's key for the hashes of submitted bodies (an Api that is not embedded needs one).</summary>
    const string SubmissionKey = "distributed-test-submission-key-0123456789";

    readonly DistributedLayout _layout;
    readonly List<HostProcess> _workers = [];

    /// <summary>The layout of the shared fixture: two Workers, every message tapped.</summary>
    public DistributedService()
        : this(new DistributedLayout { Traced = true })
    {
    }

    internal DistributedService(DistributedLayout layout) => _layout = layout;

    public TestDatabase Database { get; private set; } = null!;
    public TestVirtualHost Broker { get; private set; } = null!;
    public SimulatorHost Simulators { get; private set; } = null!;
    public HostProcess Api { get; private set; } = null!;
    public IReadOnlyList<HostProcess> WorkerProcesses => _workers;
    public TcpProxy? DatabaseAddress { get; private set; }
    public TcpProxy? BrokerAddress { get; private set; }

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        Broker = await TestVirtualHost.CreateAsync(_layout.Traced);
        if (_layout.Traced)
            await Broker.TapAsync(Tap);
        Simulators = await SimulatorHost.StartAsync("http://127.0.0.1:0", "http://127.0.0.1:0");
        Simulators.Behaviour.Latency = _layout.SimulatorLatency;
        if (_layout.DatabaseBehindProxy)
            DatabaseAddress = TcpProxy.Start(new NpgsqlConnectionStringBuilder(Database.ConnectionString).Port, open: true);
        if (_layout.BrokerBehindProxy)
            BrokerAddress = TcpProxy.Start(5672, open: false);

        // The Api owns the schema; the Workers start on it.
        Api = await HostProcess.StartApiAsync(Settings(worker: false));
        for (var i = 0; i < _layout.Workers; i++)
            _workers.Add(await HostProcess.StartWorkerAsync(Settings(worker: true)));
    }

    public async Task DisposeAsync()
    {
        foreach (var worker in _workers)
            await worker.DisposeAsync();
        await Api.DisposeAsync();
        if (BrokerAddress is not null)
            await BrokerAddress.DisposeAsync();
        if (DatabaseAddress is not null)
            await DatabaseAddress.DisposeAsync();
        await Simulators.DisposeAsync();
        await Broker.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>Starts one more Worker without waiting until it answers (its broker may be down).</summary>
    public HostProcess LaunchWorker()
    {
        var worker = HostProcess.LaunchWorker(Settings(worker: true));
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Publishes each body as it is from Python (Debian's pika), as a non-.NET client would.</summary>
    public async Task PublishWithPikaAsync(IEnumerable<string> bodies)
    {
        var start = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "Workflow", "publish_tasks.py"), TestVirtualHost.Host, Broker.Name])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var python = Process.Start(start)!;
        foreach (var body in bodies)
            await python.StandardInput.WriteLineAsync(body);
        python.StandardInput.Close();
        var errors = await python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync();
        Assert.True(python.ExitCode == 0, $"pika failed: {errors}");
    }

    public async Task<List<object?[]>> QueryAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i))]);
        return rows;
    }

    /// <summary>A host's settings: the Api owns the schema, the Workers start on it (and reach the broker through its proxy).</summary>
    Dictionary<string, string> Settings(bool worker)
    {
        var database = DatabaseAddress is { } proxy
            ? new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString
            : Database.ConnectionString;
        var settings = new Dictionary<string, string>
        {
            ["Bus__Transport"] = "RabbitMq",
            ["RabbitMq__Host"] = TestVirtualHost.Host,
            ["RabbitMq__VirtualHost"] = Broker.Name,
            ["Database__Provider"] = "Postgres",
            ["Database__MigrateOnStart"] = worker ? "false" : "true",
            ["ConnectionStrings__Orchestrator"] = database,
            ["MARKETPLACE_URL"] = Simulators.MarketplaceUrl.ToString(),
            ["PAYMENT_MANAGER_URL"] = Simulators.PaymentManagerUrl.ToString(),
            ["Serilog__MinimumLevel__Default"] = "Warning",
            // The tests' tasks are one owner's and buy the same items: each buys what it plans unless a test turns reuse on.
            ["Purchases__ReuseFor"] = "00:00:00",
        };
        if (!worker)
            settings["Intake__SubmissionKey"] = SubmissionKey;
        if (worker && BrokerAddress is { } broker)
        {
            settings["RabbitMq__Host"] = "127.0.0.1";
            settings["RabbitMq__Port"] = broker.Port.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in _layout.Settings)
            settings[key] = value;
        return settings;
    }
}
