using System.Diagnostics;
using System.Net;
using Orchestrator.IntegrationTests.Databases;
using Orchestrator.IntegrationTests.Messaging;
using Orchestrator.IntegrationTests.Networking;
using Orchestrator.Sagas.Persistence;
using Orchestrator.Simulators;

namespace Orchestrator.IntegrationTests.Worker.Hosting;

/// <summary>
/// A Worker whose broker is down when it starts (its address refuses connections for 10 s; the shared RabbitMQ
/// itself stays up for the other tests) comes up, says it is not ready, and becomes ready and does its work by
/// itself once the broker answers: no restart.
/// </summary>
public sealed class WorkerStartedWhileTheBrokerIsDownTests : IAsyncLifetime
{
    static readonly TimeSpan BrokerDown = TimeSpan.FromSeconds(10);

    TestDatabase _database = null!;
    TestVirtualHost _broker = null!;
    SimulatorHost _simulators = null!;
    TcpProxy _brokerAddress = null!;
    HostProcess _api = null!;
    HostProcess? _worker;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        _broker = await TestVirtualHost.CreateAsync();
        _simulators = await SimulatorHost.StartAsync("http://127.0.0.1:0", "http://127.0.0.1:0");
        _brokerAddress = TcpProxy.Start(5672, open: false);
        _api = await HostProcess.StartApiAsync(Settings(5672, migrate: true));
    }

    public async Task DisposeAsync()
    {
        if (_worker is not null)
            await _worker.DisposeAsync();
        await _api.DisposeAsync();
        await _brokerAddress.DisposeAsync();
        await _simulators.DisposeAsync();
        await _broker.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Becomes_ready_and_completes_a_task_once_the_broker_is_up_without_a_restart()
    {
        _worker = HostProcess.LaunchWorker(Settings(_brokerAddress.Port, migrate: false));

        // The broker stays down for 10 s after the Worker answers at all (a busy machine may take seconds to start it).
        var answers = new List<string>();
        var down = Stopwatch.StartNew();
        while (!answers.Exists(a => a.StartsWith("503", StringComparison.Ordinal)) && down.Elapsed < TimeSpan.FromSeconds(60))
        {
            var (ready, answer) = await _worker.ReadinessAsync();
            Assert.False(ready, $"ready while the broker is down: {answer}");
            answers.Add(answer);
            await Task.Delay(250);
        }

        Assert.Contains(answers, a => a.StartsWith("503", StringComparison.Ordinal));
        down.Restart();
        while (down.Elapsed < BrokerDown)
        {
            var (ready, answer) = await _worker.ReadinessAsync();
            Assert.False(ready, $"ready while the broker is down: {answer}");
            await Task.Delay(250);
        }

        using (var live = await _worker.Client.GetAsync("/health"))
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        _brokerAddress.Open();
        await _worker.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));

        var taskId = await _api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 30, voice_id = "broker_was_down" });
        var task = await _api.WaitUntilFinishedAsync(taskId, TimeSpan.FromSeconds(90));
        Assert.Equal("Completed", task["status"]!.GetValue<string>());
        Assert.Single(_worker.Output.Split('\n'), line => line.Contains("Application started", StringComparison.Ordinal));
    }

    /// <summary>
    /// The broker that goes away while the Worker starts: each connection is cut 0.7 s after it is made, for 10 s.
    /// MassTransit's start then never completed and its check said "not started" for good, although the endpoints
    /// reconnected; readiness now reads the endpoints.
    /// </summary>
    [Fact]
    public async Task Becomes_ready_by_itself_when_the_broker_drops_its_connections_while_it_starts()
    {
        _brokerAddress.CutAfter = TimeSpan.FromMilliseconds(700);
        _brokerAddress.Open();
        _worker = HostProcess.LaunchWorker(Settings(_brokerAddress.Port, migrate: false));
        await Task.Delay(BrokerDown);

        _brokerAddress.CutAfter = null;
        await _worker.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

        var taskId = await _api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 30, voice_id = "broker_went_away" });
        var task = await _api.WaitUntilFinishedAsync(taskId, TimeSpan.FromSeconds(90));
        Assert.Equal("Completed", task["status"]!.GetValue<string>());
    }

    Dictionary<string, string> Settings(int brokerPort, bool migrate) => DistributedSettings.For(
        _database.ConnectionString,
        _broker,
        _simulators,
        migrate,
        new Dictionary<string, string>
        {
            ["RabbitMq__Host"] = "127.0.0.1",
            ["RabbitMq__Port"] = brokerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Serilog__MinimumLevel__Default"] = "Information",
        });
}
