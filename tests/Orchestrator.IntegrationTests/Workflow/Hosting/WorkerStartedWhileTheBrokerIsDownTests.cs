using System.Diagnostics;
using Orchestrator.ServiceDefaults;
using Xunit.Abstractions;

namespace Orchestrator.IntegrationTests.Workflow.Hosting;

/// <summary>
/// A Worker whose broker is down when it starts (its address refuses connections for 10 s; the shared RabbitMQ
/// itself stays up for the other tests) comes up, says it is not ready, and becomes ready and does its work by
/// itself once the broker answers: no restart.
/// </summary>
public sealed class WorkerStartedWhileTheBrokerIsDownTests(ITestOutputHelper output) : IAsyncLifetime
{
    static readonly TimeSpan BrokerDown = TimeSpan.FromSeconds(10);

    readonly DistributedService _service = new(new DistributedLayout
    {
        Workers = 0,
        BrokerBehindProxy = true,
        Settings = new Dictionary<string, string> { ["Serilog__MinimumLevel__Default"] = "Information" },
    });

    public Task InitializeAsync() => _service.InitializeAsync();

    public Task DisposeAsync() => _service.DisposeAsync();

    [Fact]
    public async Task Becomes_ready_and_completes_a_task_once_the_broker_is_up_without_a_restart()
    {
        var worker = _service.LaunchWorker();

        // The broker stays down for 10 s after the Worker answers at all (a busy machine may take seconds to start it).
        var answers = new List<string>();
        var down = Stopwatch.StartNew();
        while (!answers.Exists(a => a.StartsWith("503", StringComparison.Ordinal)) && down.Elapsed < TimeSpan.FromSeconds(60))
        {
            var (ready, answer) = await worker.ReadinessAsync();
            Assert.False(ready, $"ready while the broker is down: {answer}");
            answers.Add(answer);
            await Task.Delay(250);
        }

        Assert.Contains(answers, a => a.StartsWith("503", StringComparison.Ordinal));
        down.Restart();
        while (down.Elapsed < BrokerDown)
        {
            var (ready, answer) = await worker.ReadinessAsync();
            Assert.False(ready, $"ready while the broker is down: {answer}");
            await Task.Delay(250);
        }

        using (var live = await worker.Client.GetAsync("/health"))
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        _service.BrokerAddress!.Open();
        await worker.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));

        var taskId = await _service.Api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 30, voice_id = "broker_was_down" });
        var task = await _service.Api.WaitUntilFinishedAsync(taskId, TimeSpan.FromSeconds(90));
        Assert.Equal("Completed", task["status"]!.GetValue<string>());
        Assert.Single(worker.Output.Split('\n'), line => line.Contains("Application started", StringComparison.Ordinal));
    }

    /// <summary>
    /// The broker that goes away while the Worker starts: each connection is cut 0.7 s after it is made, for 10 s.
    /// MassTransit's start then never completed and its check said "not started" for good, although the endpoints
    /// reconnected; readiness now reads the endpoints. Now and then one endpoint's topology declarations never
    /// complete after a cut, nor does the bus's start, which MassTransit can then neither stop nor restart: the Worker
    /// stops with exit code 75 a minute later and its platform starts a new one. Or MassTransit gives an endpoint up
    /// (stopped) after the Worker was ready in the last connection's 0.7 s: the bus is restarted 10 s later (seen in
    /// CI, when that took a minute and the task waited for it). Whichever happens, a task submitted once the Worker
    /// is ready completes without anyone stepping in but the platform.
    /// </summary>
    [Fact]
    public async Task Becomes_ready_by_itself_or_stops_for_a_restart_when_the_broker_drops_its_connections_while_it_starts()
    {
        var brokerAddress = _service.BrokerAddress!;
        brokerAddress.CutAfter = TimeSpan.FromMilliseconds(700);
        brokerAddress.Open();
        await using var platform = new RestartOnFailure(_service);
        await Task.Delay(BrokerDown);

        brokerAddress.CutAfter = null;
        var since = Stopwatch.StartNew();
        try
        {
            await platform.WaitUntilReadyAsync(TimeSpan.FromSeconds(180));
            var ready = since.Elapsed;

            // The Worker may have been ready during the last cut connection: the longest recovery then is a minute for
            // a stuck endpoint, a check, 30 s for the bus to stop and its start again, before the task runs.
            var taskId = await _service.Api.SubmitAsync(new { theme = "Tesla Inc financial performance 2023", budget = 30, voice_id = "broker_went_away" });
            var task = await _service.Api.WaitUntilFinishedAsync(taskId, TimeSpan.FromSeconds(150));
            Assert.Equal("Completed", task["status"]!.GetValue<string>());
            output.WriteLine($"ready {ready.TotalSeconds:F0} s after the cuts ended, Completed {(since.Elapsed - ready).TotalSeconds:F0} s later; " +
                $"Workers stopped for a restart: {platform.Exited.Count}; buses restarted in process: {Count(platform.Output, "restarting the bus")}");
            Assert.All(platform.Exited, exited =>
            {
                Assert.Equal(BusSupervisor.RestartExitCode, exited.ExitCode);
                Assert.Contains("the host stops with exit code 75", exited.Output, StringComparison.Ordinal);
            });
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\n--- the Workers ---\n{platform.Output}");
        }
    }

    static int Count(string text, string line) => text.Split('\n').Count(l => l.Contains(line, StringComparison.Ordinal));

    /// <summary>
    /// What compose's <c>restart: on-failure</c> does for the Worker, checked every 250 ms until disposed: a Worker
    /// that exited with a failure is replaced by a new one.
    /// </summary>
    sealed class RestartOnFailure : IAsyncDisposable
    {
        readonly DistributedService _service;
        readonly List<HostProcess> _workers;
        readonly CancellationTokenSource _disposed = new();
        readonly Task _watching;

        public RestartOnFailure(DistributedService service)
        {
            _service = service;
            _workers = [service.LaunchWorker()];
            _watching = WatchAsync();
        }

        HostProcess Worker
        {
            get
            {
                lock (_workers)
                    return _workers[^1];
            }
        }

        /// <summary>The Workers that exited, and were replaced.</summary>
        public IReadOnlyList<HostProcess> Exited
        {
            get
            {
                lock (_workers)
                    return _workers[..^1];
            }
        }

        public string Output
        {
            get
            {
                lock (_workers)
                    return string.Join("\n--- the Worker started again ---\n", _workers.Select(w => w.Output));
            }
        }

        public async Task WaitUntilReadyAsync(TimeSpan limit)
        {
            var deadline = DateTime.UtcNow + limit;
            while (!(await Worker.ReadinessAsync()).Ready)
            {
                Assert.True(DateTime.UtcNow < deadline, $"no Worker was ready after {limit.TotalSeconds} s");
                await Task.Delay(250);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _disposed.CancelAsync();
            await _watching.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _disposed.Dispose();
        }

        async Task WatchAsync()
        {
            while (!_disposed.IsCancellationRequested)
            {
                if (Worker.ExitCode is not (null or 0))
                {
                    lock (_workers)
                        _workers.Add(_service.LaunchWorker());
                }

                await Task.Delay(250, _disposed.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
