namespace Orchestrator.ServiceDefaults;

/// <summary>
/// Starts the bus in place of MassTransit's hosted service: the host's start waits up to 10 s for it (so that a
/// host whose broker answers takes requests with its bus started, as before), then it goes on in the background, so
/// that a host whose broker is down when it starts comes up anyway and becomes ready by itself once the broker answers (MassTransit's endpoints
/// reconnect on their own). A start that faults (every endpoint stopped) is tried again, with backoff. The start is
/// never cancelled: MassTransit's cancelled start stops the endpoints and then waits for ever for them to be ready,
/// which leaves the bus unable to start again (seen here with a broker that dropped connections). The bus starts
/// once the schema is migrated (when this host migrates: <see cref="DatabaseSchema"/>). Endpoints that stay down
/// are logged, from the start on, and an endpoint stuck for a minute (<see cref="Stuck"/>), or one MassTransit gave
/// up for 10 s (<see cref="GivenUp"/>), gets the bus restarted (<see cref="StopBusAsync"/>, then a new start):
/// readiness (<see cref="BusReadinessCheck"/>) says so meanwhile.
/// When the bus's start has not returned by then, nothing in MassTransit can stop or start it again, so the host
/// stops with <see cref="RestartExitCode"/> for its platform to start it again (<see cref="StopForRestart"/>).
/// </summary>
public sealed partial class BusSupervisor(
    IBusControl bus, IEnumerable<DatabaseSchema> schema, TimeProvider clock, IHostApplicationLifetime lifetime, ILogger<BusSupervisor> logger)
    : BackgroundService
{
    /// <summary>The exit code of a host that stopped for its platform to start it again: EX_TEMPFAIL, "try again later".</summary>
    public const int RestartExitCode = 75;

    static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);
    static readonly TimeSpan ReportAfter = TimeSpan.FromSeconds(60);
    /// <summary>How long an endpoint MassTransit gave up (<see cref="GivenUp"/>) waits for the bus to be restarted: three checks in a row see it.</summary>
    static readonly TimeSpan GivenUpAfter = TimeSpan.FromSeconds(10);

    static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(15);

    /// <summary>How long a restart waits for the bus to stop (consumers at work to finish) before it starts it again.</summary>
    static readonly TimeSpan StopWait = TimeSpan.FromSeconds(30);

    /// <summary>A host whose broker answers is started with its bus, as with MassTransit's hosted service.</summary>
    static readonly TimeSpan FirstStartWait = TimeSpan.FromSeconds(10);

    // Never a default token: MassTransit then cancels the start after 60 s, and a cancelled start never recovers.
    readonly CancellationTokenSource _running = new();
    Task? _firstStart;
    volatile bool _started;
    bool _disposed;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (schema.All(database => database.IsReady))
        {
            _firstStart = bus.StartAsync(_running.Token);
            try
            {
                await _firstStart.WaitAsync(FirstStartWait, clock, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Not started yet, or failed: the background start below waits for it or tries again.
            }
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var database in schema)
            await database.Ready.WaitAsync(stoppingToken);

        // Watched while it starts too: a start can hang on one endpoint for good (see StopForRestart).
        var starting = StartBusAsync(stoppingToken);
        try
        {
            DateTimeOffset? notConsumingSince = null;
            DateTimeOffset? givenUpSince = null;
            using var timer = new PeriodicTimer(CheckInterval, clock);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var health = bus.CheckHealth();
                if (BusReadinessCheck.NotConsuming(health) is not { Count: > 0 } endpoints)
                {
                    (notConsumingSince, givenUpSince) = (null, null);
                    continue;
                }

                var now = clock.GetUtcNow();
                notConsumingSince ??= now;
                givenUpSince = GivenUp(health) ? givenUpSince ?? now : null;
                if (givenUpSince is { } since && now - since >= GivenUpAfter)
                {
                    LogGivenUp(string.Join(", ", endpoints), GivenUpAfter);
                }
                else
                {
                    if (now - notConsumingSince < ReportAfter)
                        continue;
                    LogNotConsuming(string.Join(", ", endpoints), ReportAfter);
                    notConsumingSince = now;
                    if (!Stuck(health))
                        continue;
                }

                if (!starting.IsCompleted)
                {
                    StopForRestart();
                    return;
                }

                await StopBusAsync(stoppingToken);
                starting = StartBusAsync(stoppingToken);
                (notConsumingSince, givenUpSince) = (null, null);
            }
        }
        finally
        {
            // Ends with the stopping token: a start never outlives the host's stop.
            await starting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// Whether an endpoint that has not consumed for a minute is stuck rather than waiting for its broker: stopped
    /// (MassTransit gave it up when its broker dropped the connection while it declared its topology, and never starts
    /// it again), or still not ready, never faulted, while another endpoint of the bus consumes, so the broker answers
    /// (its start hung on a connection the broker cut: seen for minutes after the cuts ended). A faulted endpoint
    /// reconnects by itself and is left to.
    /// </summary>
    public static bool Stuck(BusHealthResult health)
    {
        var endpoints = BusReadinessCheck.NotConsuming(health);
        return endpoints.Exists(Stopped)
            || (endpoints.Exists(e => e.Contains("(not ready", StringComparison.Ordinal)) && AnyConsuming(health));
    }

    /// <summary>
    /// Whether MassTransit gave an endpoint up while the broker answers: stopped (its transport met an error its retry
    /// policy does not handle, such as a declaration cut short by the broker) while another endpoint of the bus
    /// consumes. Such an endpoint never starts again by itself, so the bus is restarted after <see cref="GivenUpAfter"/>
    /// rather than a minute: a task submitted meanwhile waits for it (seen in CI: a Worker ready in the last 0.7 s of
    /// a broker that cut its connections, then its saga's endpoint stopped for good).
    /// </summary>
    public static bool GivenUp(BusHealthResult health) => BusReadinessCheck.NotConsuming(health).Exists(Stopped) && AnyConsuming(health);

    static bool Stopped(string endpoint) => endpoint.Contains("(stopped", StringComparison.Ordinal);

    static bool AnyConsuming(BusHealthResult health) => health.Endpoints?.Values.Any(e => e.Status == BusHealthStatus.Healthy) == true;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host may be stopped after its services were disposed (a test host's factory does so).
        if (_disposed)
            return;
        await base.StopAsync(cancellationToken);
        await _running.CancelAsync();
        if (!_started)
            return;
        try
        {
            await bus.StopAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // MassTransit's stop can throw when it races an endpoint still starting (a host stopped right after its
            // start): the host goes on stopping, and the broker redelivers what was not acknowledged.
            LogStopFailed(e);
        }
    }

    public override void Dispose()
    {
        _disposed = true;
        _running.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// Stops the bus so that it can be started again (MassTransit 8 can start a stopped bus), for a stuck endpoint.
    /// Only then: a bus restarted while its broker was down stayed faulted once the broker was back (seen in the
    /// chaos run), so faulted endpoints are left to reconnect by themselves.
    /// </summary>
    async Task StopBusAsync(CancellationToken stoppingToken)
    {
        LogRestarting();
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        stopping.CancelAfter(StopWait);
        try
        {
            await bus.StopAsync(stopping.Token);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            LogStopFailed(e);
        }

        _started = false;
        _firstStart = null;
    }

    /// <summary>
    /// Stops the host for its platform to start it again (compose: <c>restart: on-failure</c>), for an endpoint stuck
    /// while the bus's start has not returned. Seen with RabbitMQ when the broker cut the connection while an
    /// endpoint declared its topology: the declarations never completed, nor did the start, which waits for every
    /// endpoint. MassTransit cannot stop such a bus (it has no handle until the start returns), and starting it
    /// again returns the same pending start; a new process starts clean.
    /// </summary>
    void StopForRestart()
    {
        LogStoppingForRestart(RestartExitCode);
        Environment.ExitCode = RestartExitCode;
        lifetime.StopApplication();
    }

    async Task StartBusAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var start = attempt == 1 && _firstStart is not null ? _firstStart : bus.StartAsync(_running.Token);
                await start.WaitAsync(stoppingToken);
                _started = true;
                if (attempt > 1)
                    LogStarted(attempt);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogStartFailed(e, attempt, delay);
            }

            await Task.Delay(delay, clock, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }

    [LoggerMessage(LogLevel.Warning, "The bus did not start (attempt {Attempt}); trying again in {Delay}")]
    partial void LogStartFailed(Exception exception, int attempt, TimeSpan delay);

    [LoggerMessage(LogLevel.Warning, "The bus started at attempt {Attempt}")]
    partial void LogStarted(int attempt);

    [LoggerMessage(LogLevel.Warning, "Endpoints not consuming for {After} or more: {Endpoints}")]
    partial void LogNotConsuming(string endpoints, TimeSpan after);

    [LoggerMessage(LogLevel.Warning, "Endpoints stopped for {After} or more while others consume: {Endpoints}")]
    partial void LogGivenUp(string endpoints, TimeSpan after);

    [LoggerMessage(LogLevel.Warning, "An endpoint is stuck (stopped, or not ready while the broker answers): restarting the bus")]
    partial void LogRestarting();

    [LoggerMessage(LogLevel.Critical, "An endpoint is stuck and the bus's start has not returned, so it cannot be restarted: the host stops with exit code {ExitCode} for its platform to start it again")]
    partial void LogStoppingForRestart(int exitCode);

    [LoggerMessage(LogLevel.Warning, "The bus did not stop cleanly")]
    partial void LogStopFailed(Exception exception);
}
