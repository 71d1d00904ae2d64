using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.Sagas.ResearchTasks;

namespace Orchestrator.Worker.Progress;

/// <summary>
/// Every host that runs the workflow hears of every <see cref="TasksWatched"/> on its own temporary endpoint
/// (non-durable, auto-deleted), so whichever host moves a watched task tells its watchers.
/// </summary>
public sealed class WatchedTasksListener(IBus bus, WatchedTasks watched) : IHostedService
{
    HostReceiveEndpointHandle? _endpoint;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Not awaited: a broker that is down must not stop the host; watchers re-read the task on their heartbeat.
        _endpoint = bus.ConnectReceiveEndpoint(new TemporaryEndpointDefinition("tasks-watched"), KebabCaseEndpointNameFormatter.Instance,
            endpoint => endpoint.Handler<TasksWatched>(context =>
            {
                watched.Watch(context.Message);
                return Task.CompletedTask;
            }));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _endpoint?.StopAsync(cancellationToken) ?? Task.CompletedTask;
}
