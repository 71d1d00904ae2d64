using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchestrator.Contracts;
using Orchestrator.Sagas.ResearchTasks;
using Orchestrator.Simulators;
using Orchestrator.Worker.Hosting;

namespace Orchestrator.Tests.Sagas.ResearchTasks;

/// <summary>
/// The saga and the real consumers on MassTransit's test harness (in-memory bus and saga repository), calling
/// real simulators over HTTP through the production Refit clients.
/// </summary>
public sealed class WorkflowHarness : IAsyncLifetime
{
    static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);

    ServiceProvider? _services;

    public SimulatorHost Simulators { get; private set; } = null!;
    public ITestHarness Bus { get; private set; } = null!;
    public ISagaStateMachineTestHarness<ResearchTaskStateMachine, ResearchTaskState> Saga { get; private set; } = null!;
    public ResearchTaskStateMachine Machine { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Simulators = await SimulatorHost.StartAsync("http://127.0.0.1:0", "http://127.0.0.1:0");

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [WorkflowOptions.MarketplaceUrlKey] = Simulators.MarketplaceUrl.ToString(),
            [WorkflowOptions.PaymentManagerUrlKey] = Simulators.PaymentManagerUrl.ToString(),
            ["HTTP_TIMEOUT"] = "0.5",
            ["MAX_RETRIES"] = "1",
            ["RETRY_DELAY"] = "0.01",
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddResearchClients();
        builder.Services.AddMassTransitTestHarness(bus =>
        {
            bus.AddResearchConsumers();
            bus.AddResearchTaskSaga();
        });

        _services = builder.Services.BuildServiceProvider(validateScopes: true);
        Bus = _services.GetRequiredService<ITestHarness>();
        Bus.TestTimeout = WaitLimit;
        Saga = Bus.GetSagaStateMachineHarness<ResearchTaskStateMachine, ResearchTaskState>();
        Machine = _services.GetRequiredService<ResearchTaskStateMachine>();
        await Bus.Start();
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
            await _services.DisposeAsync();
        await Simulators.DisposeAsync();
    }

    public async Task<Guid> SubmitAsync(string theme, int budget, string voiceId = "test_voice")
    {
        var taskId = Guid.NewGuid();
        await Bus.Bus.Publish(new TaskSubmitted(taskId, theme, budget, voiceId, DateTimeOffset.UtcNow));
        return taskId;
    }

    /// <summary>Waits until the task is in <paramref name="state"/> and returns it.</summary>
    public async Task<ResearchTaskState> WaitForAsync(Guid taskId, Func<ResearchTaskStateMachine, State> state)
    {
        var found = await Saga.Exists(taskId, state, WaitLimit);
        var task = Saga.Sagas.Contains(taskId);
        Assert.True(found.HasValue, $"task {taskId} did not reach {state(Machine).Name}; it is {task?.CurrentState} {task?.ErrorType}: {task?.ErrorMessage}");
        return Saga.Sagas.Contains(taskId)!;
    }

    /// <summary>Waits until a message matching <paramref name="filter"/> was published.</summary>
    public async Task WaitForPublishedAsync<T>(Func<T, bool> filter)
        where T : class =>
        Assert.True(await Bus.Published.Any<T>(m => filter(m.Context.Message)), $"no {typeof(T).Name} was published");
}
