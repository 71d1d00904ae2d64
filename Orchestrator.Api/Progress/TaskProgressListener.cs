using MassTransit;
using Orchestrator.Contracts;

namespace Orchestrator.Api.Progress;

/// <summary>
/// Each Api instance hears of every <see cref="TaskProgressed"/> on its own temporary endpoint (non-durable,
/// auto-deleted, named for the instance), in both modes, and passes it to the streams of this process.
/// </summary>
public sealed partial class TaskProgressListener(IBus bus, TaskProgressHub hub, ILogger<TaskProgressListener> logger) : IHostedService
{
    HostReceiveEndpointHandle? _endpoint;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Started after the bus (registered after it); not awaited: a broker that is down must not stop the host,
        // and the streams read the database on connect anyway.
        _endpoint = bus.ConnectReceiveEndpoint(new TemporaryEndpointDefinition("task-progress"), KebabCaseEndpointNameFormatter.Instance,
            endpoint => endpoint.Handler<TaskProgressed>(context =>
            {
                hub.Notify(context.Message.TaskId);
                return Task.CompletedTask;
            }));
        LogListening(logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _endpoint?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    [LoggerMessage(LogLevel.Debug, "Listening for task progress on a temporary endpoint")]
    static partial void LogListening(ILogger logger);
}
