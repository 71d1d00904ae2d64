using System.Diagnostics;
using Npgsql;
using Orchestrator.IntegrationTests.Databases;
using Orchestrator.IntegrationTests.Messaging;
using Orchestrator.Sagas.Persistence;
using Orchestrator.Simulators;

namespace Orchestrator.IntegrationTests.Worker;

/// <summary>
/// The distributed mode for real: the Api and two Workers as separate processes on RabbitMQ (a virtual host of
/// their own) and PostgreSQL (a database of their own), calling the simulators.
/// </summary>
public sealed class DistributedService : IAsyncLifetime
{
    public const int Workers = 2;

    /// <summary>A copy of every message published on the broker (RabbitMQ's firehose).</summary>
    public const string Tap = "test-firehose-tap";

    readonly List<HostProcess> _workers = [];

    public TestDatabase Database { get; private set; } = null!;
    public TestVirtualHost Broker { get; private set; } = null!;
    public SimulatorHost Simulators { get; private set; } = null!;
    public HostProcess Api { get; private set; } = null!;
    public IReadOnlyList<HostProcess> WorkerProcesses => _workers;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        Broker = await TestVirtualHost.CreateAsync(traced: true);
        await Broker.TapAsync(Tap);
        Simulators = await SimulatorHost.StartAsync("http://127.0.0.1:0", "http://127.0.0.1:0");

        // The Api owns the schema; the Workers start on it.
        Api = await HostProcess.StartApiAsync(Settings(migrate: true));
        for (var i = 0; i < Workers; i++)
            _workers.Add(await HostProcess.StartWorkerAsync(Settings(migrate: false)));
    }

    public async Task DisposeAsync()
    {
        foreach (var worker in _workers)
            await worker.DisposeAsync();
        await Api.DisposeAsync();
        await Simulators.DisposeAsync();
        await Broker.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>Publishes each body as it is from Python (Debian's pika), as a non-.NET client would.</summary>
    public async Task PublishWithPikaAsync(IEnumerable<string> bodies)
    {
        var start = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "Worker", "publish_tasks.py"), TestVirtualHost.Host, Broker.Name])
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

    Dictionary<string, string> Settings(bool migrate) => DistributedSettings.For(Database.ConnectionString, Broker, Simulators, migrate);
}
