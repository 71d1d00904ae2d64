using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Orchestrator.Sagas.Persistence.SagaRepository;
using Orchestrator.Simulators;
using Orchestrator.Workflow;
using Orchestrator.Workflow.Admission;
using Orchestrator.Workflow.Hosting;

namespace Orchestrator.Tests.Sagas.ResearchTasks;

/// <summary>
/// The saga and the real consumers on MassTransit's test harness (in-memory bus), with the saga and its secrets in
/// a real SQLite database through our own repository, calling real simulators over HTTP through the production
/// Refit clients.
/// Admission runs as in a host (recorded tasks start when a slot is free) unless <paramref name="admitting"/> is
/// false: then tests drive <see cref="Admission"/> round by round.
/// </summary>
public sealed class WorkflowHarness(IReadOnlyDictionary<string, string?>? settings = null, bool admitting = true) : IAsyncLifetime
{
    static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);

    readonly string _databaseFile = Path.Combine(Path.GetTempPath(), $"orchestrator-harness-{Guid.NewGuid():N}.db");
    ServiceProvider? _services;
    AdmissionService? _admissionLoop;

    public SimulatorHost Simulators { get; private set; } = null!;
    public ITestHarness Bus { get; private set; } = null!;
    public ISagaStateMachineTestHarness<ResearchTaskStateMachine, ResearchTaskState> Saga { get; private set; } = null!;
    public ResearchTaskStateMachine Machine { get; private set; } = null!;
    public TaskAdmission Admission { get; private set; } = null!;

    /// <summary>The tasks this host tells watchers about, as the watched-tasks listener fills it in a real host.</summary>
    public WatchedTasks Watched => _services!.GetRequiredService<WatchedTasks>();

    public async Task InitializeAsync()
    {
        Simulators = await SimulatorHost.StartAsync("http://127.0.0.1:0", "http://127.0.0.1:0");

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [WorkflowOptions.MarketplaceUrlKey] = Simulators.MarketplaceUrl.ToString(),
            [WorkflowOptions.PaymentManagerUrlKey] = Simulators.PaymentManagerUrl.ToString(),
            // Room for the simulators' latencies that tests set (up to 300 ms) on a machine busy with the whole suite:
            // a step that times out here is deferred, and nothing in the harness sends its DeferredStepDue.
            ["HTTP_TIMEOUT"] = "2",
            ["MAX_RETRIES"] = "1",
            ["RETRY_DELAY"] = "0.01",
            ["Database:MigrateOnStart"] = "false",
            [$"ConnectionStrings:{DatabaseRegistration.ConnectionStringName}"] = $"Data Source={_databaseFile}",
        });
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddOrchestratorDatabase();
        builder.AddResearchClients();
        builder.AddSpendingControls();
        builder.AddTaskAdmission();
        builder.Services.AddMassTransitTestHarness(bus =>
        {
            bus.AddResearchConsumers();
            bus.AddResearchTaskSaga().EfCoreRepository<ResearchTaskState, OrchestratorDbContext>();
        });

        _services = builder.Services.BuildServiceProvider(validateScopes: true);
        Bus = _services.GetRequiredService<ITestHarness>();
        Bus.TestTimeout = WaitLimit;
        Saga = Bus.GetSagaStateMachineHarness<ResearchTaskStateMachine, ResearchTaskState>();
        Machine = _services.GetRequiredService<ResearchTaskStateMachine>();
        Admission = _services.GetRequiredService<TaskAdmission>();
        await _services.MigrateOrchestratorDatabaseAsync();
        await Bus.Start();
        if (!admitting)
            return;

        _admissionLoop = _services.GetServices<IHostedService>().OfType<AdmissionService>().Single();
        await _admissionLoop.StartAsync(CancellationToken.None);
        ((ApplicationLifetime)_services.GetRequiredService<IHostApplicationLifetime>()).NotifyStarted();
    }

    public async Task DisposeAsync()
    {
        if (_admissionLoop is not null)
            await _admissionLoop.StopAsync(CancellationToken.None);
        if (_services is not null)
            await _services.DisposeAsync();
        await Simulators.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _databaseFile, _databaseFile + "-wal", _databaseFile + "-shm" })
            File.Delete(file);
    }

    /// <summary>Records tasks as the Api does, behind the bus's back.</summary>
    public async Task RecordAsync(IReadOnlyList<ResearchTaskState> tasks)
    {
        await using var scope = _services!.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        db.ResearchTasks.AddRange(tasks);
        await db.SaveChangesAsync();
    }

    /// <summary>
    /// Publishes a task onto the bus as another service would: the intake records it, admission starts it, the saga
    /// runs it. Returns once it has left <c>Submitted</c> (so that the bus is busy with it), unless
    /// <paramref name="waitUntilStarted"/> is false.
    /// </summary>
    public async Task<Guid> SubmitAsync(string theme, long budget, string voiceId = "test_voice", string? ownerId = null, bool waitUntilStarted = true)
    {
        var taskId = Guid.NewGuid();
        await Bus.Bus.Publish(new TaskSubmitted(taskId, theme, budget, voiceId, DateTimeOffset.UtcNow, ownerId));
        if (waitUntilStarted)
            await WaitUntilAsync(taskId, t => t.CurrentState != TaskStates.Submitted, "started");
        return taskId;
    }

    /// <summary>Waits until the task is in <paramref name="state"/> and returns it as stored, with its purchases.</summary>
    public async Task<ResearchTaskState> WaitForAsync(Guid taskId, Func<ResearchTaskStateMachine, State> state)
    {
        var found = await Saga.Exists(taskId, state, WaitLimit);
        var task = await LoadAsync(taskId);
        Assert.True(found.HasValue, $"task {taskId} did not reach {state(Machine).Name}; it is {task?.CurrentState} {task?.ErrorType}: {task?.ErrorMessage}"
            + $" (deferred until {task?.DeferredUntil}, {task?.LastErrorType}: {task?.LastError})");
        return task!;
    }

    /// <summary>Waits until the stored task meets <paramref name="condition"/> (say, a step deferred) and returns it.</summary>
    public async Task<ResearchTaskState> WaitUntilAsync(Guid taskId, Func<ResearchTaskState, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (true)
        {
            var task = await LoadAsync(taskId);
            if (task is not null && condition(task))
                return task;
            Assert.True(DateTime.UtcNow < deadline, $"task {taskId} is not {what}; it is {task?.CurrentState}, retry at {task?.DeferredUntil}, {task?.LastErrorType}: {task?.LastError}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Waits until a <c>POST /pay</c> has reached the marketplace: a payment has passed its permit and is in flight
    /// (for the simulators' <see cref="SimulatorBehaviour.Latency"/>).
    /// </summary>
    public async Task WaitForPaymentInFlightAsync()
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (Simulators.Behaviour.RequestsTo("/pay") == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no payment reached the marketplace");
            await Task.Delay(5);
        }
    }

    /// <summary>Waits until the task waits on a deferred step (<see cref="ResearchTaskState.DeferredUntil"/> set).</summary>
    public Task<ResearchTaskState> WaitUntilDeferredAsync(Guid taskId) =>
        WaitUntilAsync(taskId, t => t.DeferredUntil is not null, "waiting on a deferred step");

    /// <summary>The task as stored, with its purchases, or null.</summary>
    public async Task<ResearchTaskState?> LoadAsync(Guid taskId)
    {
        await using var scope = _services!.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        return await db.ResearchTasks.AsNoTracking().Include(t => t.Transitions.OrderBy(x => x.Id)).FirstOrDefaultAsync(t => t.CorrelationId == taskId);
    }

    /// <summary>A service scope of the host, for what a test calls as the Api would (the database, the publisher).</summary>
    public AsyncServiceScope CreateScope() => _services!.CreateAsyncScope();

    /// <summary>The task's audit trail, in order.</summary>
    public async Task<List<AuditEvent>> AuditAsync(Guid taskId)
    {
        await using var scope = _services!.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
        return await db.AuditEvents.AsNoTracking().Where(e => e.TaskId == taskId).OrderBy(e => e.Id).ToListAsync();
    }

    /// <summary>
    /// Waits until the saga consumed a message matching <paramref name="filter"/>, however long the bus was idle before
    /// (the harness's own wait ends at once on a bus it found inactive).
    /// </summary>
    public async Task WaitUntilSagaConsumedAsync<T>(Func<T, bool> filter, int times = 1)
        where T : class
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (Saga.Consumed.Select<T>(m => filter(m.Context.Message)).Count() < times)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the saga consumed no such {typeof(T).Name}");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until a message matching <paramref name="filter"/> was published.</summary>
    public async Task WaitForPublishedAsync<T>(Func<T, bool> filter)
        where T : class =>
        Assert.True(await Bus.Published.Any<T>(m => filter(m.Context.Message)), $"no {typeof(T).Name} was published");
}
