using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.ServiceDefaults;

namespace Orchestrator.Tests.ServiceDefaults;

/// <summary>
/// What the bus supervisor does, on its own clock, about an endpoint that has not consumed for a minute, or that
/// MassTransit gave up (stopped while another consumes) for 10 s: a started bus is restarted; a bus whose start never returned (MassTransit can neither stop nor restart it) gets its host
/// stopped with exit code 75 for the platform to start again; endpoints waiting for a broker that is down get neither.
/// </summary>
[Collection(nameof(ProcessExitCode))]
public sealed class BusWithAStuckEndpointTests : IDisposable
{
    static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);

    readonly Clock _clock = new();
    readonly Lifetime _lifetime = new();
    readonly int _exitCode = Environment.ExitCode;

    public void Dispose() => Environment.ExitCode = _exitCode;

    [Fact]
    public async Task A_start_that_never_returned_stops_the_host_with_exit_code_75_once_an_endpoint_is_stuck_for_a_minute()
    {
        var bus = FakeBus.Create(startReturns: false, Stuck());
        using var supervisor = await StartAsync(bus);

        await PassAsync(bus, TimeSpan.FromSeconds(50));
        Assert.False(_lifetime.Stopped.IsCompleted);

        await PassAsync(bus, TimeSpan.FromSeconds(20));
        await _lifetime.Stopped.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(BusSupervisor.RestartExitCode, Environment.ExitCode);
        Assert.Equal((1, 0), (bus.Starts, bus.Stops));
    }

    [Fact]
    public async Task A_started_bus_with_an_endpoint_stuck_for_a_minute_is_stopped_and_started_again()
    {
        var bus = FakeBus.Create(startReturns: true, Stuck());
        using var supervisor = await StartAsync(bus);

        await PassAsync(bus, TimeSpan.FromSeconds(70));
        await WaitUntilAsync(() => bus.Starts == 2);

        Assert.Equal(1, bus.Stops);
        Assert.False(_lifetime.Stopped.IsCompleted);
    }

    [Fact]
    public async Task A_started_bus_with_an_endpoint_given_up_while_another_consumes_is_started_again_after_10_seconds()
    {
        var bus = FakeBus.Create(startReturns: true, GivenUp());
        using var supervisor = await StartAsync(bus);

        await PassAsync(bus, TimeSpan.FromSeconds(10));
        Assert.Equal((1, 0), (bus.Starts, bus.Stops));

        await PassAsync(bus, TimeSpan.FromSeconds(5));
        await WaitUntilAsync(() => bus.Starts == 2);
        Assert.Equal(1, bus.Stops);
        Assert.False(_lifetime.Stopped.IsCompleted);
    }

    [Fact]
    public async Task A_start_that_never_returned_with_an_endpoint_given_up_stops_the_host_with_exit_code_75_after_10_seconds()
    {
        var bus = FakeBus.Create(startReturns: false, GivenUp());
        using var supervisor = await StartAsync(bus);

        await PassAsync(bus, TimeSpan.FromSeconds(10));
        Assert.False(_lifetime.Stopped.IsCompleted);

        await PassAsync(bus, TimeSpan.FromSeconds(5));
        await _lifetime.Stopped.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(BusSupervisor.RestartExitCode, Environment.ExitCode);
    }

    [Fact]
    public async Task An_endpoint_stopped_while_none_consumes_waits_a_minute_for_its_broker()
    {
        var bus = FakeBus.Create(startReturns: true, Health(("research-task-state", "stopped"), ("discover-sources", "faulted (connection refused)")));
        using var supervisor = await StartAsync(bus);

        await PassAsync(bus, TimeSpan.FromSeconds(55));
        Assert.Equal((1, 0), (bus.Starts, bus.Stops));

        await PassAsync(bus, TimeSpan.FromSeconds(10));
        await WaitUntilAsync(() => bus.Starts == 2);
    }

    [Fact]
    public async Task Endpoints_waiting_for_a_broker_that_is_down_stop_neither_the_bus_nor_the_host()
    {
        var bus = FakeBus.Create(startReturns: false, Health(("research-task-state", "not ready"), ("discover-sources", "faulted (connection refused)")));
        using var supervisor = await StartAsync(bus);

        await PassAsync(bus, TimeSpan.FromMinutes(3));

        Assert.Equal((1, 0), (bus.Starts, bus.Stops));
        Assert.False(_lifetime.Stopped.IsCompleted);
        Assert.Equal(_exitCode, Environment.ExitCode);
    }

    async Task<BusSupervisor> StartAsync(FakeBus bus)
    {
        var supervisor = new BusSupervisor((IBusControl)(object)bus, [], _clock, _lifetime, NullLogger<BusSupervisor>.Instance);
        // The host's start waits 10 s on the supervisor's clock for a start that does not return. Only then is the
        // clock moved: a bus that starts has its health checks' timer made at once, which the move would tick early.
        var starting = supervisor.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => bus.Starts == 1);
        if (!bus.StartReturns)
            _clock.Advance(TimeSpan.FromSeconds(10));
        await starting.WaitAsync(TimeSpan.FromSeconds(10));
        // The health checks' timer: the host's start runs the supervisor's loop in the background.
        await WaitUntilAsync(() => _clock.PeriodicTimers == 1);
        return supervisor;
    }

    /// <summary>
    /// Moves the clock on one health check at a time, each once the supervisor has made the one before (however busy
    /// the machine), or has stopped the host.
    /// </summary>
    async Task PassAsync(FakeBus bus, TimeSpan time)
    {
        for (var passed = TimeSpan.Zero; passed < time; passed += Tick)
        {
            var checks = bus.Checks;
            _clock.Advance(Tick);
            await WaitUntilAsync(() => bus.Checks > checks || _lifetime.Stopped.IsCompleted);
        }
    }

    static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not within 10 s");
            await Task.Delay(10);
        }
    }

    static BusHealthResult GivenUp() => Health(("research-task-state", "stopped (delivered 0 messages)"), ("discover-sources", "ready"));

    static BusHealthResult Stuck() => Health(("research-task-state", "not ready"), ("discover-sources", "ready"));

    static BusHealthResult Health(params (string Name, string Description)[] endpoints) =>
        BusHealthResult.Unhealthy("not all endpoints ready", new InvalidOperationException("not ready"), endpoints.ToDictionary(
            e => $"rabbitmq://broker/{e.Name}",
            e => e.Description == "ready"
                ? EndpointHealthResult.Healthy(BusSupervisorTests.Endpoint.Any(), e.Description)
                : EndpointHealthResult.Unhealthy(BusSupervisorTests.Endpoint.Any(), e.Description, null)));

    /// <summary>A bus that counts its starts, stops and health checks, reports <see cref="Health"/>, and whose start returns or never does.</summary>
    public class FakeBus : DispatchProxy
    {
        int _starts;
        int _stops;
        int _checks;
        bool _startReturns;
        BusHealthResult _health = null!;

        public int Starts => Volatile.Read(ref _starts);
        public int Stops => Volatile.Read(ref _stops);
        public int Checks => Volatile.Read(ref _checks);
        public bool StartReturns => _startReturns;

        public static FakeBus Create(bool startReturns, BusHealthResult health)
        {
            var bus = (FakeBus)(object)Create<IBusControl, FakeBus>();
            (bus._startReturns, bus._health) = (startReturns, health);
            return bus;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            switch (targetMethod?.Name)
            {
                case nameof(IBusControl.StartAsync):
                    Interlocked.Increment(ref _starts);
                    return _startReturns ? Task.FromResult<BusHandle>(null!) : new TaskCompletionSource<BusHandle>().Task;
                case nameof(IBusControl.StopAsync):
                    Interlocked.Increment(ref _stops);
                    return Task.CompletedTask;
                case nameof(IBusControl.CheckHealth):
                    Interlocked.Increment(ref _checks);
                    return _health;
                default:
                    throw new NotSupportedException(targetMethod?.Name);
            }
        }
    }

    /// <summary>A fake clock that counts the periodic timers made on it (the health checks').</summary>
    sealed class Clock : FakeTimeProvider
    {
        int _periodicTimers;

        public int PeriodicTimers => Volatile.Read(ref _periodicTimers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (period != Timeout.InfiniteTimeSpan)
                Interlocked.Increment(ref _periodicTimers);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

    sealed class Lifetime : IHostApplicationLifetime
    {
        readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Stopped => _stopped.Task;
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopped.TrySetResult();
    }
}

/// <summary>Tests that set the process's exit code run one at a time.</summary>
[CollectionDefinition(nameof(ProcessExitCode), DisableParallelization = true)]
public sealed class ProcessExitCode;
