using MassTransit;

namespace Orchestrator.Worker.Hosting.AllHosts;

/// <summary>
/// Hears every <typeparamref name="T"/> on this host's own temporary endpoint (non-durable, auto-deleted, named for
/// the instance), so that every host of a kind hears each one, not one of them.
/// </summary>
public abstract class BroadcastListener<T>(IBus bus, string name) : IHostedService
    where T : class
{
    HostReceiveEndpointHandle? _endpoint;

    protected abstract void Handle(T message);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Not awaited: a broker that is down must not stop the host.
        _endpoint = bus.ConnectReceiveEndpoint(new TemporaryEndpointDefinition(name), KebabCaseEndpointNameFormatter.Instance,
            endpoint => endpoint.Handler<T>(context =>
            {
                Handle(context.Message);
                return Task.CompletedTask;
            }));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _endpoint?.StopAsync(cancellationToken) ?? Task.CompletedTask;
}
